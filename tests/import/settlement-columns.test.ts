// Settlement batches canonicalized a column at a time (canonicalizeSettlements, BatchEncoder.encodePoints) against
// the record-by-record path: an import with `encode` yields the batches, issues, warnings and progress that encoding
// the features of an import without it gives, over GeoJSON, CSV and XLSX files seeded with every kind of value that
// path treats on its own.
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it, vi } from 'vitest';
import { canonicalize, canonicalizeSettlements, type CanonicalContext } from '../../data/import/canonical';
import { openImport } from '../../data/import/index';
import type { SourceRecord } from '../../data/import/source';
import { BatchEncoder, type EncodedBatch } from '../../data/workspace/batch-encoder';
import { rng as random } from '../workspace/helpers';
import { tmp, writeTmp } from './helpers';

/**
 * Settlement features, valid but for `odd` of the values (each drawn from what canonicalize treats specially:
 * blanks, numbers as text, nested values, 3D and MultiPoint positions, repeated ids…).
 */
function settlements(seed: number, count: number, odd: number): unknown[] {
  const r = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)];
  const rare = <T>(usual: T, unusual: readonly T[]): T => (r() < odd ? pick(unusual) : usual);
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    // One in a hundred east of Ganzhou: valid, counted in a warning.
    const x = (r() < 0.01 ? 118 : 114) + r() * 2, y = 25 + r() * 2;
    const geometry = rare<unknown>({ type: 'Point', coordinates: [x, y] }, [
      { type: 'Point', coordinates: [x, y, 120] }, { type: 'MultiPoint', coordinates: [[x, y]] }, { type: 'Point', coordinates: [y, 200] },
      null, { type: 'Point', coordinates: ['114', 25] }, { type: 'LineString', coordinates: [[x, y], [x, y]] },
    ]);
    const properties: Record<string, unknown> = {
      编号: rare<unknown>(`S${i}`, [` S${i} `, i, '', null, '  ', `S${i - 1}`, [i]]),
      自然村: rare<unknown>(`自然村${i % 97}`, ['', ' 上屋 ', 7, null, undefined]),
      户数: rare<unknown>(25 + (i % 80), ['36户', ' 12 ', '1,200', -3, 2.5, 'abc', '', null, 0, '４５']),
      县区: rare<unknown>(pick(['于都县', '宁都县', '兴国县']), [' 赣县区 ', '', null, 3]),
      乡镇: rare<unknown>(`镇${i % 13}`, ['', null, 12]),
      行政村: rare<unknown>(`村${i % 31}`, [' 村 ', undefined, { a: 1 }]),
      村委会所在地: rare<unknown>(pick([true, false]), ['是', '否', 1, 0, 'maybe', null, ' Y ', 2]),
      备注: rare<unknown>('x'.repeat(i % 7), [{ k: i }, [1, 2], 3.5, '', null, undefined, false, '  a  ']),
    };
    if (r() < 0.3 || r() < odd) properties.行政区划代码 = rare<unknown>(`3607${String(i).padStart(8, '0')}`, ['', null, 360700000000]);
    for (const k of Object.keys(properties)) if (properties[k] === undefined) delete properties[k];
    const feature: Record<string, unknown> = { type: 'Feature', properties, geometry };
    if (r() < odd) feature.id = pick([`F${i}`, i]);
    out.push(feature);
  }
  return out;
}

/** The same settlements as a CSV table with 经度/纬度 columns: cells as a spreadsheet exports them. */
function csvOf(features: unknown[], seed: number, odd: number): string {
  const r = random(seed);
  const cell = (v: unknown): string => {
    const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const keys = ['编号', '自然村', '户数', '县区', '乡镇', '行政村', '村委会所在地', '备注', '行政区划代码'];
  const lines = [[...keys, '经度', '纬度'].join(',')];
  for (const f of features as { properties: Record<string, unknown>; geometry: { coordinates?: unknown } | null }[]) {
    const c = f.geometry?.coordinates;
    const [x, y] = Array.isArray(c) && typeof c[0] === 'number' ? c : ['', ''];
    // Now and then a coordinate as people type them, or not a coordinate at all.
    const lon = r() < odd ? ['114°30′', ` ${x} `, `${x}E`, 'abc', ''][Math.floor(r() * 5)] : x;
    lines.push([...keys.map((k) => cell(f.properties[k])), cell(lon), cell(y)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The same settlements as a worksheet: numbers as numbers, a survey date column. */
async function xlsxOf(features: unknown[], name: string): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('聚居区');
  const keys = ['编号', '自然村', '户数', '县区', '乡镇', '行政村', '村委会所在地'];
  sheet.addRow([...keys, '经度', '纬度', '调查日期']);
  for (const [i, f] of (features as { properties: Record<string, unknown>; geometry: { coordinates?: unknown } | null }[]).entries()) {
    const c = f.geometry?.coordinates;
    const cells = keys.map((k) => {
      const v = f.properties[k];
      return v === undefined || typeof v === 'object' ? null : v;
    });
    sheet.addRow([...cells, ...(Array.isArray(c) ? c.slice(0, 2) : [null, null]), i % 9 ? new Date(Date.UTC(2020, i % 12, 1 + (i % 28))) : null]);
  }
  const path = join(tmp, name);
  await wb.xlsx.writeFile(path);
  return path;
}

/** What the writer gets: the import's encoded batches, against the features of the same import encoded afterwards. */
async function bothWays(name: string, features: unknown[], csv?: string) {
  const path = name.endsWith('.xlsx') ? await xlsxOf(features, name) : writeTmp(name, csv ?? JSON.stringify({ type: 'FeatureCollection', features }));
  const request = { file: path, role: 'settlements' as const };
  const progress: [number, number | null][][] = [[], []];
  const plain = await openImport(path, request, { onProgress: (rows, f) => progress[0].push([rows, f]) });
  const encoder = new BatchEncoder(plain.geometryType);
  const expected: EncodedBatch[] = [];
  for await (const batch of plain.batches) expected.push(encoder.encode(batch));
  const encoded = await openImport(path, request, { encode: true, onProgress: (rows, f) => progress[1].push([rows, f]) });
  const got: EncodedBatch[] = [];
  for await (const batch of encoded.batches) got.push(batch);
  expect(progress[1]).toEqual(progress[0]);
  return { plain, encoded, expected, got };
}

describe('settlement batches a column at a time', () => {
  it('gives the batches, issues and warnings of the record-by-record path', async () => {
    const columnar = vi.spyOn(BatchEncoder.prototype, 'encodePoints');
    const paths: string[] = [];
    const warnings: string[] = [];
    for (const [seed, odd] of [[1, 0], [8, 0], [2, 0.0002], [3, 0.001], [4, 0.01], [5, 0.05], [6, 0.0005], [7, 0.002]] as const) {
      columnar.mockClear();
      const features = settlements(seed, 3700, odd);
      // A valid position the columns do not take (a third coordinate, dropped on import): its batch goes record by record.
      // And an attribute first met after the head, which is not stored (a warning names it).
      if (seed === 8) {
        (features[1500] as { geometry: unknown }).geometry = { type: 'Point', coordinates: [114.5, 25.5, 130] };
        (features[2500] as { properties: Record<string, unknown> }).properties.迟到 = 'x';
      }
      const { plain, encoded, expected, got } = await bothWays(`columns-${seed}.geojson`, features);
      expect(encoded.issues, `seed ${seed}`).toEqual(plain.issues);
      expect(encoded.truncated).toBe(plain.truncated);
      expect(encoded.warnings, `seed ${seed}`).toEqual(plain.warnings);
      expect(got.length, `seed ${seed}`).toBe(expected.length);
      for (let b = 0; b < got.length; b++) expect(got[b], `seed ${seed}, batch ${b}`).toEqual(expected[b]);
      // The head (the first thousand) and the last partial batch go record by record; the two between may not.
      const whole = plain.issues.length ? 'issues' : columnar.mock.calls.length === 2 ? 'columns' : 'mixed';
      paths.push(whole);
      warnings.push(...plain.warnings);
    }
    columnar.mockRestore();
    expect(warnings.some((w) => /points are outside Ganzhou/.test(w))).toBe(true);
    expect(warnings.some((w) => /were not stored: 迟到/.test(w))).toBe(true);
    // Files written a column at a time, files with batches that had to go record by record, files with issues.
    expect(paths.slice(0, 2)).toEqual(['columns', 'mixed']);
    expect(paths).toContain('issues');
  });

  it('gives the batches, issues and warnings of the record-by-record path for tables', async () => {
    const columnar = vi.spyOn(BatchEncoder.prototype, 'encodePoints');
    const paths: string[] = [];
    for (const [seed, odd] of [[21, 0], [25, 0], [22, 0.0005], [23, 0.003], [24, 0.02]] as const) {
      columnar.mockClear();
      let csv = csvOf(settlements(seed, 3700, odd), seed, odd);
      // Cells typed the way people type them, all valid: the columns take them (a table's cells are always parsed).
      if (seed === 25) csv = csv.replace(/,(\d+),(于都县|宁都县|兴国县),/g, (_, n, c) => `, ${n}户 ,${c},`).replace(/,(11[45]\.\d+),/g, ',$1°E,');
      const { plain, encoded, expected, got } = await bothWays(`columns-${seed}.csv`, [], csv);
      expect(encoded.issues, `seed ${seed}`).toEqual(plain.issues);
      expect(encoded.warnings, `seed ${seed}`).toEqual(plain.warnings);
      expect(got.length, `seed ${seed}`).toBe(expected.length);
      for (let b = 0; b < got.length; b++) expect(got[b], `seed ${seed}, batch ${b}`).toEqual(expected[b]);
      paths.push(plain.issues.length ? 'issues' : columnar.mock.calls.length === 2 ? 'columns' : 'mixed');
    }
    columnar.mockRestore();
    expect(paths.slice(0, 2)).toEqual(['columns', 'columns']);
    expect(paths).toContain('issues');
  });

  it('gives the batches, issues and warnings of the record-by-record path for worksheets', async () => {
    const columnar = vi.spyOn(BatchEncoder.prototype, 'encodePoints');
    for (const [seed, odd] of [[31, 0], [32, 0.002]] as const) {
      columnar.mockClear();
      const { plain, encoded, expected, got } = await bothWays(`columns-${seed}.xlsx`, settlements(seed, 3100, odd));
      expect(encoded.issues, `seed ${seed}`).toEqual(plain.issues);
      expect(encoded.warnings, `seed ${seed}`).toEqual(plain.warnings);
      expect(got).toEqual(expected);
      if (seed === 31) expect([plain.issues.length, columnar.mock.calls.length]).toEqual([0, 2]);
    }
    columnar.mockRestore();
  });

  it('reports a repeated id in a batch, and the rows after it, as the record-by-record path does', async () => {
    const features = settlements(11, 2600, 0);
    // A repeat in the middle of the second batch (the first thousand features are the head, read one by one).
    ((features[1500] as { properties: Record<string, unknown> }).properties).编号 = 'S1200';
    ((features[1700] as { properties: Record<string, unknown> }).properties).户数 = 'many';
    const { plain, encoded, expected, got } = await bothWays('columns-repeat.geojson', features);
    expect(plain.issues.map((i) => [i.row, i.field])).toEqual([[1500, 'id'], [1700, 'households']]);
    expect(encoded.issues).toEqual(plain.issues);
    expect(got).toEqual(expected);
  });

  it('handles the records read before a file fails, as the record-by-record path does', async () => {
    const features = settlements(12, 1600, 0);
    ((features[1300] as { properties: Record<string, unknown> }).properties).户数 = -1;
    const text = JSON.stringify({ type: 'FeatureCollection', features });
    // Truncated in the middle of a feature after the bad one, within the batch being read.
    const path = writeTmp('columns-truncated.geojson', text.slice(0, text.indexOf('"S1450"')));
    const request = { file: path, role: 'settlements' as const };
    const plain = await openImport(path, request);
    for await (const _ of plain.batches) { /* drained */ }
    const encoded = await openImport(path, request, { encode: true });
    for await (const _ of encoded.batches) { /* drained */ }
    expect(plain.issues.map((i) => i.row)).toEqual([1300, -1]);
    expect(encoded.issues).toEqual(plain.issues);
  });

  it('takes a clean batch whole, with the values canonicalize gives each record', () => {
    const ctx: CanonicalContext = {
      role: 'settlements', kind: 'features', crs: { choice: 'wgs84', reason: 'test', toWgs84: null }, stem: 'f', defaultOperator: null,
      mapping: { id: '编号', name: '自然村', households: '户数', county: '县区', township: '乡镇', village: '行政村', committee: '村委会所在地', code: '代码' },
      extras: [{ column: '备注', stored: '备注' }, { column: 'name', stored: 'src_name' }],
    };
    const records: SourceRecord[] = [0, 1, 2].map((i) => ({
      row: 10 + i,
      geometry: { type: 'Point', coordinates: [114 + i, 25] },
      properties: {
        编号: i === 1 ? '' : ` S${i} `, 自然村: `村 ${i}`, 户数: i === 2 ? '36户' : 40, 县区: 'x', 村委会所在地: i ? '是' : null,
        ...(i === 2 ? { 代码: ' 360700000001 ' } : {}), 备注: i === 0 ? { a: [1] } : ' ', name: i,
      },
    }));
    const c = canonicalizeSettlements(records, ctx);
    expect(c).not.toBeNull();
    const features = records.map((r) => canonicalize(r, ctx).feature!);
    expect(c!.ids).toEqual(features.map((f) => f.id));
    expect(c!.ids[1]).toBe('f-11');
    // The third record's code comes after the extras: the first two features have none.
    expect(c!.keys).toEqual(['id', 'name', 'households', 'county', 'township', 'village', 'committee', '备注', 'src_name', 'code']);
    for (const [k, key] of c!.keys.entries()) expect(c!.values[k], key).toEqual(features.map((f) => (f.properties as Record<string, unknown>)[key]));
    expect([...c!.lon]).toEqual([114, 115, 116]);
    // One record with a problem, or a position to convert: record by record.
    expect(canonicalizeSettlements([...records, { ...records[0], properties: { ...records[0].properties, 户数: 'x' } }], ctx)).toBeNull();
    expect(canonicalizeSettlements(records, { ...ctx, crs: { ...ctx.crs, toWgs84: (x, y) => [x, y] } })).toBeNull();
  });
});
