// A crew worker that stops without a word (killed, out of memory) fails the analysis with a message instead of
// leaving the main thread waiting for it, and a JSON report being written is not left behind half-written.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveOptions } from '../../gis';
import { writeGeoJsonAnalysisJson, type AnalysisFiles } from '../../data/analyze-files';
import { campaignSeeds } from '../../seeds/campaign';
import { writeDemoFiles } from '../../seeds/demo';

// The analysis takes a prestarted worker first: here one that classifies its share and stops while the main thread
// waits for the rates it was to write (a stop from the main thread could not happen during a blocking wait).
vi.mock('../../data/crew-start', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../data/crew-start')>();
  const { startDataWorker } = await import('../../data/node-worker');
  return { ...original, takeSpareWorker: () => startDataWorker('../tests/perf/fixtures/crew-worker-stops', { workerData: null }) };
});

let dir: string;
let demo: AnalysisFiles;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-crew-failure-'));
  const { files } = await writeDemoFiles(join(dir, 'demo'), { seed: 3, settlements: 4000, mobilePolygons: 3000, broadbandPolygons: 1000 });
  demo = { settlements: files.settlements, mobile: files.mobile, broadband: [files.broadband] };
}, 60_000);

describe('a crew worker that stops before it writes the rates', () => {
  it('fails the JSON report with a message and removes the half-written file', async () => {
    const out = join(dir, 'report.json');
    writeFileSync(out, 'earlier report');
    await expect(writeGeoJsonAnalysisJson(demo, resolveOptions({}), campaignSeeds(), out, { threads: 2, minParallelBytes: 0 }))
      .rejects.toThrow(/analysis worker stopped early \(exit code 3\)/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
