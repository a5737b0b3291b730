// BatchEncoder fed a feature at a time (add, then take) gives what encode() gives the whole batch, problems included:
// a feature of the wrong shape fails the batch even after an earlier geometry that cannot be stored.
import { describe, expect, it } from 'vitest';
import type { Feature } from '../../gis/types';
import { BatchEncoder, type LayerGeometryType } from '../../data/workspace/batch-encoder';
import { openImport } from '../../data/import/index';
import { writeTmp } from '../import/helpers';

/** A closed square ring in Ganzhou, a cell of a 100-column grid. */
function square(i: number): number[][] {
  const x = 114 + (i % 100) / 40, y = 24.6 + Math.floor(i / 100) / 40, d = 0.01;
  return [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]];
}

function polygons(n: number): Feature[] {
  return Array.from({ length: n }, (_, i) => ({
    type: 'Feature' as const,
    id: i % 4 ? `p${i}` : i,
    geometry: i % 9 === 5 ? null : { type: 'MultiPolygon' as const, coordinates: [[square(i)], [square(i + 5000)]] },
    properties: { operator: ['CMCC', 'CT', 'CU'][i % 3], cell: i < 40 ? i : `c${i}`, note: i % 7 ? null : { k: i }, extra: i % 5 ? undefined : true },
  }));
}

/** encode() in batches of `size` against add()/take() over the same features, with a fresh encoder each. */
function bothWays(type: LayerGeometryType, features: unknown[], size: number) {
  const whole = new BatchEncoder(type);
  const byOne = new BatchEncoder(type);
  const a = [], b = [];
  for (let i = 0; i < features.length; i += size) {
    const batch = features.slice(i, i + size);
    a.push(whole.encode(batch));
    for (const f of batch) byOne.add(f);
    expect(byOne.pending).toBe(batch.length);
    b.push(byOne.take());
    expect(byOne.pending).toBe(0);
  }
  return { a, b, whole, byOne };
}

describe('BatchEncoder, a feature at a time', () => {
  it('encodes the same rows as a whole batch, across batches whose kinds widen', () => {
    const features = polygons(100);
    const { a, b, byOne, whole } = bothWays('MULTIPOLYGON', features, 30);
    expect(b).toEqual(a);
    expect(byOne.rows).toBe(100);
    expect(whole.rows).toBe(100);
    // Typed arrays are exactly the batch's rows (transferable views of the batch's own buffers).
    expect(b[0].ends).toHaveLength(30);
    expect(b[0].envelopes).toHaveLength(120);
    expect(b[3].has).toHaveLength(10);
    expect([...b[0].has.slice(0, 9)]).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1]);
  });

  it('grows past its first room for 1024 rows', () => {
    const pts = Array.from({ length: 3000 }, (_, i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [114 + i / 1e4, 25] }, properties: { n: i } }));
    const { a, b } = bothWays('POINT', pts, 3000);
    expect(b).toEqual(a);
    expect(b[0].count).toBe(3000);
    expect(b[0].envelopes[4 * 2999]).toBeCloseTo(114.2999, 10);
  });

  it('reports a wrong shape before an earlier geometry that cannot be stored, and the first of each', () => {
    const features: unknown[] = polygons(12);
    features[3] = { ...(features[3] as Feature), geometry: { type: 'Point', coordinates: [1, 2] } };
    features[4] = { ...(features[4] as Feature), geometry: { type: 'Point', coordinates: [3, 4] } };
    features[8] = { ...(features[8] as Feature), properties: [1, 2] };
    features[10] = 'not a feature';
    const { a, b } = bothWays('MULTIPOLYGON', features, 12);
    expect(b).toEqual(a);
    expect(b[0].problem).toEqual({ feature: 8, field: 'properties', message: 'expected an object or null' });

    const geometryOnly = polygons(12) as unknown[];
    geometryOnly[6] = { ...(geometryOnly[6] as Feature), geometry: { type: 'Point', coordinates: [1, 2] } };
    geometryOnly[9] = { ...(geometryOnly[9] as Feature), geometry: { type: 'Point', coordinates: [3, 4] } };
    const second = bothWays('MULTIPOLYGON', geometryOnly, 5);
    expect(second.b).toEqual(second.a);
    expect(second.b[1].problem).toEqual({ feature: 6, field: 'geometry', message: 'expected a MultiPolygon for a MULTIPOLYGON layer, got Point' });
  });

  it('the next batch after a take() starts empty', () => {
    const enc = new BatchEncoder('POINT');
    enc.add('oops');
    expect(enc.take().problem?.field).toBe('feature');
    enc.add({ type: 'Feature', geometry: { type: 'Point', coordinates: [114, 25] }, properties: {} });
    const next = enc.take();
    expect(next.problem).toBeNull();
    expect(next.count).toBe(1);
  });
});

describe('openImport with encode', () => {
  it('yields the batches the writer would encode from its features', async () => {
    // Every sixth a Polygon with an open ring (closed on import, with a warning); no null geometry (coverage needs one).
    const features = polygons(2500).map((f, i) => (i % 6 && f.geometry ? f : { ...f, geometry: { type: 'Polygon', coordinates: [square(i).slice(0, 4)] } }));
    const path = writeTmp('encode-polygons.geojson', JSON.stringify({ type: 'FeatureCollection', features }));
    const request = { file: path, role: 'mobile' as const };
    const plain = await openImport(path, request);
    const encoder = new BatchEncoder(plain.geometryType);
    const expected = [];
    for await (const batch of plain.batches) expected.push(encoder.encode(batch));
    expect(plain.issues).toEqual([]);
    const encoded = await openImport(path, request, { encode: true });
    const got = [];
    for await (const batch of encoded.batches) got.push(batch);
    expect(got.map((b) => b.count)).toEqual([1000, 1000, 500]);
    expect(got).toEqual(expected);
    expect(encoded.warnings).toEqual(plain.warnings);
    expect(encoded.warnings.some((w) => /rings were not closed/.test(w))).toBe(true);
  });
});
