// Golden fixtures: tests/gis/fixtures/in/<case>.geojson → out/<case>.json. Regenerate with UPDATE=1.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCoverage } from '../../gis';
import { referenceOperators, splitFixture, TEST_CAMPAIGN } from './helpers';

const dir = join(import.meta.dirname, 'fixtures');
const cases = readdirSync(join(dir, 'in')).filter((f) => f.endsWith('.geojson')).sort();

describe('golden fixtures', () => {
  for (const file of cases) {
    const name = basename(file, '.geojson');
    it(name, () => {
      const layers = splitFixture(JSON.parse(readFileSync(join(dir, 'in', file), 'utf8')));
      const report = analyzeCoverage({
        settlements: { name: file, features: layers.settlements },
        mobile: [{ name: file, features: layers.mobile }],
        broadband: [{ name: file, features: layers.broadband }],
        campaign: TEST_CAMPAIGN,
      });

      for (const s of report.settlements) {
        expect(s.mobileOperators, `${name}/${s.id} mobile vs brute force`).toEqual(
          referenceOperators([s.lon, s.lat], layers.mobile, report.options.mobileTechs));
        expect(s.broadbandOperators, `${name}/${s.id} broadband vs brute force`).toEqual(
          referenceOperators([s.lon, s.lat], layers.broadband, undefined, 'FTTH'));
      }

      const outFile = join(dir, 'out', `${name}.json`);
      const actual = JSON.stringify(report, null, 1) + '\n';
      if (process.env.UPDATE) {
        mkdirSync(join(dir, 'out'), { recursive: true });
        writeFileSync(outFile, actual);
      }
      expect(JSON.parse(actual)).toEqual(JSON.parse(readFileSync(outFile, 'utf8')));
    });
  }
});
