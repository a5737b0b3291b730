import { describe, expect, it } from 'vitest';
import gcoord from 'gcoord';
import iconv from 'iconv-lite';
import { GeoJsonScanner } from '../../data/import/formats/json-scanner';
import { openImport, previewImport } from '../../data/import/index';
import { ImportIssuesError } from '../../data/import/issues';
import { expectWellFormedIssues, importAll, metres, tmp, writeTmp } from './helpers';

const settlement = (props: Record<string, unknown>, coords: number[]): unknown => ({ type: 'Feature', properties: props, geometry: { type: 'Point', coordinates: coords } });
const fc = (features: unknown[], extra: Record<string, unknown> = {}): string => JSON.stringify({ type: 'FeatureCollection', ...extra, features });

describe('GeoJsonScanner', () => {
  const text = fc([
    settlement({ 名称: '上坪 "quoted" \\ back', 户数: 36, nested: { a: [1, [2, { b: '}]' }]] } }, [115.41, 25.95]),
    settlement({ 名称: '下坪', 户数: 28 }, [115.42, 25.96]),
  ], { name: 'x', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } } });

  it('yields the same features whatever the chunking (1 byte to whole file)', () => {
    const bytes = Buffer.from(text, 'utf8');
    for (const size of [1, 2, 3, 7, 64, bytes.length]) {
      const s = new GeoJsonScanner();
      for (let o = 0; o < bytes.length; o += size) s.push(Uint8Array.prototype.slice.call(bytes, o, o + size));
      s.end();
      const feats = s.events.filter((e) => e.kind === 'feature').map((e) => JSON.parse((e as { text: string }).text));
      expect(feats).toEqual(JSON.parse(text).features);
      expect(s.events.filter((e) => e.kind === 'member').map((e) => (e as { key: string }).key)).toEqual(['type', 'name', 'crs']);
    }
  });

  it('reports the byte offset and line of a syntax error', () => {
    const s = new GeoJsonScanner();
    expect(() => s.push(Buffer.from('{"type": "FeatureCollection",\n "features": [ {"a":1} } ]}'))).toThrow(/byte 53 \(line 2\)/);
  });

  it('caps nesting depth without recursion', () => {
    const deep = `{"type":"FeatureCollection","features":[${'['.repeat(100000)}${']'.repeat(100000)}]}`;
    const s = new GeoJsonScanner(64);
    s.push(Buffer.from(deep));
    s.end();
    expect(s.events[1]).toMatchObject({ kind: 'feature', text: null, problem: 'nesting deeper than 64 levels' });
  });
});

describe('GeoJSON import', () => {
  it('imports a FeatureCollection of settlements with Chinese properties', async () => {
    const path = writeTmp('s.geojson', fc([
      settlement({ 自然村: '上坪', 户数: '36户', 行政村: '潮溪村', 乡镇: '银坑镇', 县: '于都县', 是否村委会: '是', 备注: 'x' }, [115.41, 25.95]),
      settlement({ 自然村: '下坪', 户数: 28, 行政村: '潮溪村', 乡镇: '银坑镇', 县: '于都县', 是否村委会: 'N' }, [115.42, 25.96]),
    ]));
    const { stream, features } = await importAll(path, { role: 'settlements' });
    expect(stream.issues).toEqual([]);
    expect(stream.format).toBe('geojson');
    expect(stream.geometryType).toBe('POINT');
    expect(stream.fields).toEqual(['id', 'name', 'households', 'county', 'township', 'village', 'committee', '备注']);
    expect(features[0]).toMatchObject({
      id: 's-0',
      geometry: { type: 'Point', coordinates: [115.41, 25.95] },
      properties: { id: 's-0', name: '上坪', households: 36, county: '于都县', township: '银坑镇', village: '潮溪村', committee: true, 备注: 'x' },
    });
    expect(features[1].properties).toMatchObject({ households: 28, committee: false, 备注: null });
  });

  it('reads a GBK-encoded GeoJSON (old Chinese tools) with a warning', async () => {
    const path = writeTmp('gbk.geojson', iconv.encode(fc([settlement({ 自然村: '上坪', 户数: 36 }, [115.41, 25.95])]), 'gbk'));
    const { stream, features } = await importAll(path, { role: 'settlements' });
    expect(stream.issues).toEqual([]);
    expect(features[0].properties).toMatchObject({ name: '上坪', households: 36 });
    expect(stream.warnings.join()).toMatch(/not UTF-8; read it as GBK/);
  });

  it('accepts a single Feature and refuses a bare geometry with a clear issue', async () => {
    const one = writeTmp('one.geojson', JSON.stringify(settlement({ name: 'A', households: 30 }, [115, 26])));
    expect((await importAll(one, { role: 'settlements' })).features).toHaveLength(1);
    const bare = writeTmp('bare.geojson', JSON.stringify({ type: 'Polygon', coordinates: [[[115, 26], [115.1, 26], [115.1, 26.1], [115, 26]]] }));
    const { stream } = await importAll(bare, { role: 'mobile' });
    expect(stream.issues).toEqual([expect.objectContaining({ file: bare, row: -1, field: 'type', message: expect.stringMatching(/bare Polygon geometry/) })]);
  });

  it('reports invalid JSON with byte offset and line, per feature', async () => {
    const path = writeTmp('bad.geojson', '{"type":"FeatureCollection","features":[\n{"type":"Feature","properties":{"name":"A","households":30},"geometry":{"type":"Point","coordinates":[115,26]}},\n{"type":"Feature","properties":{"name":"B","households":3x},"geometry":null}\n]}');
    const { stream, features } = await importAll(path, { role: 'settlements' });
    expect(features).toEqual([]);
    expect(stream.issues).toHaveLength(1);
    expect(stream.issues[0]).toMatchObject({ row: 1, field: 'feature' });
    expect(stream.issues[0].message).toMatch(/byte 154 \(line 3\): /);
  });

  it('reports a structural error and a truncated file as file issues', async () => {
    const trunc = writeTmp('trunc.geojson', fc([settlement({ name: 'A', households: 30 }, [115, 26])]).slice(0, 60));
    const { stream } = await importAll(trunc, { role: 'settlements' });
    expect(stream.issues[0]).toMatchObject({ row: -1, field: 'file', message: expect.stringMatching(/truncated/) });
    const arr = writeTmp('arr.json', '[{"type":"Feature"}]');
    const r2 = await importAll(arr, { role: 'settlements' });
    expect(r2.stream.issues[0].message).toMatch(/found an array/);
  });

  it('names row, field and expectation for bad features; caps issues at 200', async () => {
    const feats = Array.from({ length: 250 }, (_, i) => settlement({ name: `N${i}`, households: '约三十' }, [115, 26]));
    const path = writeTmp('many.geojson', fc(feats));
    const { stream } = await importAll(path, { role: 'settlements' });
    expect(stream.issues).toHaveLength(200);
    expect(stream.truncated).toBe(true);
    expect(stream.issues[3]).toEqual({ file: path, row: 3, field: 'households', message: 'households = "约三十": expected a whole number ≥ 0 (户数应为非负整数)' });
    expectWellFormedIssues(stream, path);
  });

  it('flags NaN / out-of-range coordinates and non-points per feature with field geometry', async () => {
    const path = writeTmp('geom.geojson', fc([
      settlement({ name: 'A', households: 30 }, [115, 126]),
      { type: 'Feature', properties: { name: 'B', households: 30 }, geometry: { type: 'LineString', coordinates: [[115, 26], [116, 26]] } },
      { type: 'Feature', properties: { name: 'C', households: 30 }, geometry: null },
    ]));
    const { stream } = await importAll(path, { role: 'settlements' });
    expect(stream.issues.map((i) => [i.row, i.field])).toEqual([[0, 'geometry'], [1, 'geometry'], [2, 'geometry']]);
    expect(stream.issues[0].message).toMatch(/outside longitude .* latitude/);
    expect(stream.issues[1].message).toBe('expected a Point, found a LineString');
  });

  it('converts a GCJ-02 layer to WGS-84 when asked, without touching anything else', async () => {
    const wgs: [number, number][] = [[115.412345, 25.952345], [116.01, 26.47]];
    const gcj = wgs.map((p) => gcoord.transform([...p] as [number, number], gcoord.WGS84, gcoord.GCJ02));
    const path = writeTmp('gcj.geojson', fc(gcj.map((c, i) => settlement({ name: `G${i}`, households: 30 }, c))));
    const { features } = await importAll(path, { role: 'settlements', crs: 'gcj02' });
    for (const [i, f] of features.entries()) {
      const c = (f.geometry as { coordinates: number[] }).coordinates;
      expect(metres(c, wgs[i])).toBeLessThan(2);
      expect(metres(gcj[i], wgs[i])).toBeGreaterThan(200);
    }
  });

  it('warns with numbers about swapped coordinates and points outside Ganzhou', async () => {
    const path = writeTmp('swap.geojson', fc([
      settlement({ name: 'A', households: 30 }, [25.9, 115.4]),
      settlement({ name: 'B', households: 30 }, [113.0, 30.0]),
      settlement({ name: 'C', households: 30 }, [115.0, 26.0]),
    ]));
    const { stream } = await importAll(path, { role: 'settlements' });
    expect(stream.warnings.join('\n')).toMatch(/1 of 3 sampled features have x in 24–28 and y in 113–117/);
    expect(stream.issues[0]).toMatchObject({ row: 0, field: 'geometry' });
    const ok = writeTmp('outside.geojson', fc([settlement({ name: 'B', households: 30 }, [113.0, 30.0]), settlement({ name: 'C', households: 30 }, [115.0, 26.0])]));
    const r = await importAll(ok, { role: 'settlements' });
    expect(r.stream.warnings.join('\n')).toMatch(/1 of 2 points are outside Ganzhou/);
  });

  it('reads the legacy crs member (GDAL output in Gauss–Krüger)', async () => {
    const path = writeTmp('gk.geojson', fc([settlement({ name: 'A', households: 30 }, [541462.9, 2871420.5])], { crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4547' } } }));
    const preview = await previewImport(path, { file: path, role: 'settlements' });
    expect(preview.crs.detected).toBe('EPSG:4547');
    const { features } = await importAll(path, { role: 'settlements' });
    const [lon, lat] = (features[0].geometry as { coordinates: number[] }).coordinates;
    expect(lon).toBeGreaterThan(114.3);
    expect(lon).toBeLessThan(114.5);
    expect(lat).toBeGreaterThan(25.8);
    expect(lat).toBeLessThan(26.0);
  });

  it('coverage polygons: operator required and normalised, tech defaulted, polygons as MultiPolygon', async () => {
    const poly = { type: 'Polygon', coordinates: [[[115, 26], [115.1, 26], [115.1, 26.1], [115, 26.1]]] };
    const path = writeTmp('cov.geojson', fc([
      { type: 'Feature', properties: { 运营商: '中国联通' }, geometry: poly },
      { type: 'Feature', properties: { 运营商: '广电' }, geometry: poly },
    ]));
    const { stream } = await importAll(path, { role: 'mobile' });
    expect(stream.issues).toEqual([{ file: path, row: 1, field: 'operator', message: '运营商 = "广电": expected an operator: 移动/电信/联通 (CMCC/CT/CU)' }]);
    const good = writeTmp('cov2.geojson', fc([{ type: 'Feature', properties: { 运营商: '中国联通' }, geometry: poly }]));
    const r = await importAll(good, { role: 'broadband' });
    expect(r.stream.geometryType).toBe('MULTIPOLYGON');
    expect(r.features[0].properties).toEqual({ operator: 'CU', tech: 'FTTH' });
    expect((r.features[0].geometry as { coordinates: number[][][][] }).coordinates[0][0]).toHaveLength(5);
    expect(r.stream.warnings.join()).toMatch(/1 rings were not closed/);
  });

  it('takes the operator from the file name when there is no operator column', async () => {
    const poly = { type: 'Polygon', coordinates: [[[115, 26], [115.1, 26], [115.1, 26.1], [115, 26]]] };
    const path = writeTmp('赣州移动4G覆盖.geojson', fc([{ type: 'Feature', properties: {}, geometry: poly }]));
    const { stream, features } = await importAll(path, { role: 'mobile' });
    expect(stream.issues).toEqual([]);
    expect(features[0].properties).toEqual({ operator: 'CMCC', tech: '4G' });
  });

  it('file-level failures are issues with row -1, and preview throws them as ImportIssuesError', async () => {
    const missing = '/nonexistent/dir/x.geojson';
    const { stream } = await importAll(missing, { role: 'settlements' });
    expect(stream.issues).toEqual([{ file: missing, row: -1, field: 'file', message: `file not found: ${missing}` }]);
    await expect(previewImport(missing, { file: missing, role: 'settlements' })).rejects.toBeInstanceOf(ImportIssuesError);
    const dir = await importAll(tmp, { role: 'settlements' });
    expect(dir.stream.issues).toEqual([{ file: tmp, row: -1, field: 'file', message: `${tmp} is a folder; expected a file` }]);
    const role = await importAll(missing, { role: 'roads' as never });
    expect(role.stream.issues[0]).toMatchObject({ row: -1, field: 'role', message: expect.stringMatching(/unknown layer role "roads"/) });
    const unknown = writeTmp('x.bin', new Uint8Array([0, 1, 2, 3]));
    const r = await importAll(unknown, { role: 'settlements' });
    expect(r.stream.issues[0]).toMatchObject({ row: -1, field: 'format', message: expect.stringMatching(/unknown file format/) });
  });

  it('warns about attributes first seen after the sample of 1000 features, however the keys repeat', async () => {
    const features = Array.from({ length: 1500 }, (_, i) => {
      const props: Record<string, unknown> = { 自然村: `村${i}`, 户数: 30 };
      if (i === 1200) props.late = 'x'; // a new key once
      if (i >= 1300) props.later = i; // a new key that then repeats
      if (i % 2) props.备注 = 'y'; // known keys in alternating sets
      return settlement(props, [115.4, 25.9]);
    });
    const { stream, features: out } = await importAll(writeTmp('late-keys.geojson', fc(features)), { role: 'settlements' });
    expect(stream.issues).toEqual([]);
    expect(out).toHaveLength(1500);
    expect(stream.warnings).toContain('attributes first seen after the first 1000 features were not stored: late, later');
    expect(out[1400].properties).not.toHaveProperty('later');
  });

  it('cancels with an AbortError', async () => {
    const feats = Array.from({ length: 5000 }, (_, i) => settlement({ name: `N${i}`, households: 30 }, [115, 26]));
    const path = writeTmp('abort.geojson', fc(feats));
    const ac = new AbortController();
    const stream = await openImport(path, { file: path, role: 'settlements' }, { signal: ac.signal });
    const run = async (): Promise<void> => {
      for await (const _ of stream.batches) ac.abort();
    };
    await expect(run()).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('GCJ-02 warning against a reference layer', () => {
  it('warns when the imported points sit a GCJ-02 shift off the reference, not when they match', async () => {
    const wgs: [number, number][] = Array.from({ length: 50 }, (_, i) => [115.0 + (i % 10) * 0.05, 25.8 + Math.floor(i / 10) * 0.1]);
    const gcj = wgs.map((p) => gcoord.transform([p[0], p[1]] as [number, number], gcoord.WGS84, gcoord.GCJ02));
    const path = writeTmp('gcj-ref.geojson', fc(gcj.map((c, i) => settlement({ name: `G${i}`, households: 30 }, c))));
    const stream = await openImport(path, { file: path, role: 'settlements' }, { reference: wgs });
    for await (const _ of stream.batches) { /* drain */ }
    expect(stream.warnings.join()).toMatch(/looks like GCJ-02: median offset from the reference [3-6]\d\d m, [0-4] m after/);
    const converted = await openImport(path, { file: path, role: 'settlements', crs: 'gcj02' }, { reference: wgs });
    for await (const _ of converted.batches) { /* drain */ }
    expect(converted.warnings.join()).not.toMatch(/GCJ-02/);
  });

  it('samples a polygon layer by each polygon\'s first position', async () => {
    const wgs: [number, number][] = Array.from({ length: 50 }, (_, i) => [115.0 + (i % 10) * 0.05, 25.8 + Math.floor(i / 10) * 0.1]);
    const gcj = wgs.map((p) => gcoord.transform([p[0], p[1]] as [number, number], gcoord.WGS84, gcoord.GCJ02));
    const square = ([x, y]: number[]) => [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]];
    const features = gcj.map((c, i) => ({ type: 'Feature', properties: { operator: 'CMCC', tech: '4G', id: `P${i}` }, geometry: { type: 'Polygon', coordinates: [square(c)] } }));
    const path = writeTmp('gcj-ref-polygons.geojson', JSON.stringify({ type: 'FeatureCollection', features }));
    const stream = await openImport(path, { file: path, role: 'mobile' }, { reference: wgs });
    for await (const _ of stream.batches) { /* drain */ }
    expect(stream.issues).toEqual([]);
    expect(stream.warnings.join()).toMatch(/looks like GCJ-02: median offset from the reference [3-6]\d\d m, [0-4] m after/);
  });
});
