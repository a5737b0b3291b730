// Regression tests for the import bugs the malformed corpus found, one per case, named after its file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openImport } from '../../data/import/index';
import { looksUtf8 } from '../../data/import/encoding';
import { FileProblem } from '../../data/import/issues';
import { parseCoordinate } from '../../data/import/mapping';
import { checkDeclared, declaredSize, extract, inflatePieces, listZip } from '../../data/import/zip';

const dir = fileURLToPath(new URL('../fixtures/bad/', import.meta.url));
const role = (file: string) => (/ring|operator|polygon/.test(file) && !/linestring/.test(file) ? 'mobile' : 'settlements');

async function run(file: string, extra: Record<string, unknown> = {}) {
  const s = await openImport(join(dir, file), { file, role: role(file), ...extra });
  let features = 0;
  for await (const b of s.batches) features += b.length;
  return { issues: s.issues, warnings: s.warnings, features };
}

describe('import regressions found by the corpus', () => {
  it('gj-invalid-json / gj-nan-coordinates / gj-feature-not-object: the feature\'s own problem is reported, not only "no column"', async () => {
    for (const [file, field, message] of [
      ['gj-invalid-json.geojson', 'feature', /invalid JSON in the feature starting at byte \d+ \(line 1\)/],
      ['gj-nan-coordinates.geojson', 'feature', /invalid JSON in the feature/],
      ['gj-feature-not-object.geojson', 'feature', /expected a Feature object/],
      ['gj-feature-wrong-type.geojson', 'type', /found "Point"/],
    ] as const) {
      const { issues } = await run(file);
      expect(issues[0]).toMatchObject({ file, row: 0, field });
      expect(issues[0].message).toMatch(message);
    }
  });

  it('gj-empty-featurecollection / kml-no-placemarks / csv-header-only: "no features", and nothing is written', async () => {
    expect((await run('gj-empty-featurecollection.geojson')).issues).toEqual([
      { file: 'gj-empty-featurecollection.geojson', row: -1, field: 'file', message: 'the file holds no features; expected at least one' },
    ]);
    expect((await run('kml-no-placemarks.kml')).issues.map((i) => i.message)).toEqual(['the file holds no features; expected at least one']);
    // Before: accepted, and an empty layer was written.
    expect((await run('csv-header-only.csv')).issues.map((i) => i.message)).toEqual(['the file holds no data rows below the header; expected at least one']);
  });

  it('csv-truncated: a UTF-8 file cut inside a character is still read as UTF-8 (was: GBK, garbled 是/否)', async () => {
    const bytes = readFileSync(join(dir, 'csv-truncated.csv'));
    expect(looksUtf8(bytes)).toBe(true);
    const { issues } = await run('csv-truncated.csv');
    expect(issues).toEqual([{ file: 'csv-truncated.csv', row: 4, field: 'row', message: 'expected 9 columns like the header, found 6' }]);
    expect(looksUtf8(Buffer.from([0x61, 0xe6, 0x98, 0xaf]))).toBe(true);
    expect(looksUtf8(Buffer.from([0x61, 0xe6, 0x98]))).toBe(true);
    expect(looksUtf8(Buffer.from([0xca, 0xc7, 0x61]))).toBe(false); // GBK 是, then ASCII
  });

  it('csv-utf16le-bom: Excel "Unicode text" is decoded; csv-nul-bytes / csv-utf16le-no-bom are refused (was: accepted with NULs in ids)', async () => {
    const utf16 = await run('csv-utf16le-bom.csv');
    expect(utf16.issues).toEqual([{ file: 'csv-utf16le-bom.csv', row: 3, field: 'households', message: 'households = "-30": expected a whole number ≥ 0 (户数应为非负整数)' }]);
    expect((await run('csv-nul-bytes.csv')).issues[0]).toMatchObject({ row: -1, field: 'encoding' });
    expect((await run('csv-utf16le-no-bom.csv')).issues[0].message).toMatch(/^NUL byte at byte 1: .*UTF-16 without a byte-order mark/);
  });

  it('xlsx-zip-bomb / shp-zip-bomb / kmz-zip-bomb: refused at the first byte past the declared size, in bounded memory', async () => {
    for (const file of ['xlsx-zip-bomb.xlsx', 'shp-zip-bomb.zip', 'kmz-zip-bomb.kmz']) {
      const before = process.memoryUsage().rss;
      const { issues } = await run(file);
      expect(issues).toHaveLength(1);
      expect(issues[0].message).toMatch(/expands to more than its headers declare .* \(zip bomb or damaged archive\?\)/);
      expect(issues[0].message).not.toMatch(/shapefiles|Bug :/); // was: "Bug : uncompressed data size mismatch" (exceljs)
      expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 ** 2); // was +1.2 GB
    }
  });

  it('inflatePieces, extract and checkDeclared hold a ZIP to its declared sizes and to the cap', async () => {
    /** Every entry as inflatePieces gives it, pieces of 1 KiB joined. */
    const inflated = async (zip: Uint8Array) => {
      const out = new Map<string, Buffer>();
      for (const e of listZip(zip)) {
        const pieces: Uint8Array[] = [];
        for await (const { piece } of inflatePieces(zip, e, 1024)) pieces.push(Buffer.from(piece));
        out.set(e.name, Buffer.concat(pieces));
      }
      return out;
    };
    const bomb = readFileSync(join(dir, 'kmz-zip-bomb.kmz'));
    await expect(inflated(bomb)).rejects.toThrow(/"doc\.kml": over 2048 bytes/);
    expect(() => extract(bomb, listZip(bomb))).toThrow(/"doc\.kml": over 2048 bytes/);
    const honest = readFileSync(join(dir, 'kmz-entry-claims-2gb.kmz'));
    expect(() => checkDeclared(listZip(honest))).toThrow(/more than 1024 MB \(its entries declare 2048 MB\)/);
    const good = readFileSync(join(dir, 'shp-households-negative.zip'));
    expect(() => checkDeclared(listZip(good))).not.toThrow();
    const whole = extract(good, listZip(good));
    expect([...(await inflated(good))].map(([name, bytes]) => [name, bytes.equals(whole.get(name)!)])).toEqual([...whole.keys()].map((name) => [name, true]));
    // What the entries declare, read from the archive's end alone (how the import sizes up a workbook).
    expect(await declaredSize(join(dir, 'shp-households-negative.zip'))).toBe([...whole.values()].reduce((n, b) => n + b.length, 0));
    expect(await declaredSize(join(dir, 'kmz-entry-claims-2gb.kmz'))).toBe(listZip(honest).reduce((n, e) => n + e.size, 0));
    expect(await declaredSize(join(dir, 'xlsx-truncated.xlsx'))).toBeNull();
    expect(await declaredSize(join(dir, 'no-such-file.zip'))).toBeNull();
  });

  it('kml-truncated: messages name the file as given, not the path on disk (an upload\'s private path)', async () => {
    const { issues } = await run('kml-truncated.kml');
    expect(issues[0].message.startsWith('kml-truncated.kml: invalid XML')).toBe(true);
    expect(issues[0].message).not.toContain(dir);
  });

  it('shp-ring-unclosed-short: says the ring is too short (was: "found no geometry")', async () => {
    const { issues } = await run('shp-ring-unclosed-short.zip');
    expect(issues).toEqual([{ file: 'shp-ring-unclosed-short.zip', row: 0, field: 'geometry', message: 'Polygon ring 0 has 3 positions; a ring needs at least 4 (3 distinct, closed)' }]);
  });

  it('shp-prj-unknown: positions thrown out of range by the .prj point at the .prj', async () => {
    const { issues } = await run('shp-prj-unknown.zip');
    expect(issues[0].message).toMatch(/after conversion from the file's coordinate system: check the \.prj or choose the CRS$/);
  });

  it('property counterexample "0°0′0″": seconds marked with ″ (U+2033, which NFKC turns into ′′) are read', () => {
    expect(parseCoordinate('115°24′36″')).toEqual({ ok: true, value: 115 + 24 / 60 + 36 / 3600 });
    expect(parseCoordinate('0°0′0″')).toEqual({ ok: true, value: 0 });
  });

  it('property counterexample "central directory name past the end": a FileProblem, not a RangeError', () => {
    const zip = Buffer.from(readFileSync(join(dir, 'shp-households-negative.zip')));
    const cd = zip.readUInt32LE(zip.length - 22 + 16);
    zip.writeUInt16LE(0xffff, cd + 28);
    expect(() => listZip(zip)).toThrow(FileProblem);
    expect(() => listZip(zip)).toThrow(/corrupt ZIP central directory at entry 0/);
  });
});
