// The byte scanner against JSON.parse + the object path: same tables, same polygon sets, same problems in
// the same words, however the bytes are chunked and however the JSON is spelled.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildPolygonSet, buildSettlementTable, completeReport, groupRatesJson, groupSettlements, InputError, IssueList, summarize, summarizeRates, summarizeSeats, type AnalysisReport, type InputIssue,
} from '../../gis';
import { loadCampaign } from '../../cli/campaign';
import { COVERAGE_FIELDS, JSON_COORDINATES, PolygonSetBuilder } from '../../gis/polygon-set';
import { shared } from '../../data/analysis-crew';
import { SETTLEMENT_FIELDS, SettlementTableBuilder } from '../../gis/settlement-table';
import { GeoJsonScanner, LOOKAHEAD, MAX_DEPTH, type FeatureSink } from '../../gis/scan';
import { readGeoJsonFile } from '../../data/read-geojson';
import { scanGeoJsonFile, writeReportJson } from '../../data/fast-read';
import { mulberry32 } from '../gis/helpers';

const encoder = new TextEncoder();

/** Feeds bytes in chunks whose sizes come from `sizes` (cycled); returns the scanner's file-level problem. */
function feed(scanner: GeoJsonScanner, bytes: Uint8Array, sizes: readonly number[]): InputIssue | null {
  let k = 0;
  for (let at = 0; at < bytes.length;) {
    const n = Math.max(1, sizes[k++ % sizes.length]);
    scanner.push(bytes.subarray(at, at + n));
    at += n;
  }
  return scanner.end();
}

/** Without a lookahead by default, so that units are cut wherever the chunks end (see LOOKAHEAD). */
function scanFeatures(text: string, sizes: readonly number[], sink: FeatureSink, source = 'f.geojson', keep?: ReadonlySet<string>, lookahead = 0): InputIssue | null {
  return feed(new GeoJsonScanner(source, sink, keep, lookahead), encoder.encode(text), sizes);
}

/** Both paths over settlement text: the object path's table and issues, and the scanner's. */
function bothSettlements(text: string, sizes: readonly number[], lookahead = 0) {
  const objIssues = new IssueList(10_000);
  const table = buildSettlementTable('s', JSON.parse(text).features, objIssues);
  const scanIssues = new IssueList(10_000);
  const builder = new SettlementTableBuilder('s', scanIssues);
  const problem = scanFeatures(text, sizes, (f, _i, reader) => builder.add(f, reader), 's', SETTLEMENT_FIELDS, lookahead);
  return { problem, object: { table, issues: objIssues.items }, scanned: { table: builder.finish(), issues: scanIssues.items } };
}

function bothPolygons(text: string, sizes: readonly number[], shared = false, lookahead = 0) {
  const options = { defaultTech: '4G', techs: ['4G', '5G'] };
  const objIssues = new IssueList(10_000);
  const set = buildPolygonSet([{ name: 'm', features: JSON.parse(text).features }], options, objIssues);
  const scanIssues = new IssueList(10_000);
  const builder = new PolygonSetBuilder(options, scanIssues, shared);
  const problem = scanFeatures(text, sizes, (f, i, reader) => builder.add(0, 'm', i, f, reader), 'm', COVERAGE_FIELDS, lookahead);
  return { problem, object: { set, issues: objIssues.items }, scanned: { set: builder.finish(), issues: scanIssues.items } };
}

// ---- An awkward JSON writer: random whitespace, escapes and number spellings, all valid JSON. ----

function awkward(value: unknown, rand: () => number): string {
  const ws = () => {
    if (rand() < 0.6) return '';
    let s = '';
    for (let k = Math.floor(rand() * 4); k >= 0; k--) s += [' ', '\t', '\n', '\r\n', '  '][Math.floor(rand() * 5)];
    return s;
  };
  const str = (s: string) => {
    let out = '"';
    const hex = (c: number) => '\\u' + c.toString(16).padStart(4, '0')[rand() < 0.5 ? 'toUpperCase' : 'toLowerCase']();
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const pair = isPairAt(s, i) && (c & 0xfc00) === 0xd800;
      if (pair) {
        // Both halves raw (4 UTF-8 bytes) or both escaped: a lone raw half is not UTF-8.
        out += rand() < 0.3 ? hex(c) + hex(s.charCodeAt(i + 1)) : s.slice(i, i + 2);
        i++;
        continue;
      }
      const r = rand();
      if (c === 0x22) out += '\\"';
      else if (c === 0x5c) out += '\\\\';
      else if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff) || r < 0.15) out += hex(c);
      else if (c === 0x2f && r < 0.5) out += '\\/';
      else out += s[i];
    }
    return out + '"';
  };
  const num = (v: number) => {
    if (Object.is(v, -0)) return rand() < 0.5 ? '-0' : '-0.0e0';
    const r = rand();
    if (r < 0.2 && v !== 0) return v.toExponential();
    if (r < 0.3) return v.toExponential(3).replace('e+', rand() < 0.5 ? 'E' : 'e+');
    if (r < 0.4 && Math.abs(v) < 1e15) return v.toFixed(Math.floor(rand() * 10));
    return String(v);
  };
  const go = (v: unknown): string => {
    if (v === null || typeof v === 'boolean') return String(v);
    if (typeof v === 'number') return num(v);
    if (typeof v === 'string') return str(v);
    if (Array.isArray(v)) return '[' + ws() + v.map((x) => go(x) + ws()).join(',' + ws()) + ']';
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return '{' + ws() + entries.map(([k, x]) => str(k) + ws() + ':' + ws() + go(x) + ws()).join(',' + ws()) + '}';
  };
  return ws() + go(value) + ws();
}

function isPairAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) return i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
  return i > 0 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800;
}

// ---- Random features, valid and not. ----

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('于都县', '车溪乡', '潮溪村', '宁都县', ' 兴国县 ', '', '是', '否', 'a"b\\c/d', '\u0000\u001f', '😀𠮷', '\ud800', 'x\udc00y'),
);
const coordinate = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 113, max: 117, noNaN: true }) },
  { weight: 3, arbitrary: fc.double({ min: 24, max: 28, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, 0, 180, -180, 90, 1e-7, 114.5, 25, 200, -91, 1.7976931348623157e308, 5e-324) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);
const position = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(coordinate, coordinate).map((p) => [...p] as unknown) },
  { weight: 1, arbitrary: fc.tuple(coordinate, coordinate, coordinate).map((p) => [...p] as unknown) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([114], [], ['114', 25], [null, 1], [true, false], [[1, 2], 3], [{ a: 1 }, 2], 'x', null, [114, [25, null]]) },
);
const ring = fc.oneof(
  { weight: 8, arbitrary: fc.array(position, { minLength: 3, maxLength: 12 }).map((ps) => [...ps, ps[0]]) },
  { weight: 1, arbitrary: fc.array(position, { minLength: 0, maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'ring', 5, [[1, 2], [3, 4], 5, [1, 2]]) },
);
const polygonCoords = fc.oneof({ weight: 8, arbitrary: fc.array(ring, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>([], null, 'x', [[]]) });
const polygonGeometry = fc.oneof(
  { weight: 6, arbitrary: polygonCoords.map((coordinates) => ({ type: 'Polygon', coordinates })) },
  { weight: 3, arbitrary: fc.array(polygonCoords, { maxLength: 3 }).map((coordinates) => ({ coordinates, type: 'MultiPolygon' })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, { type: 'Point', coordinates: [1, 2] }, { type: 'MultiPolygon', coordinates: 7 }, { type: 'Polygon' }, [1, 2], 'geom', { type: 'LineString', coordinates: [[1, 2]] }, {}) },
);
const pointGeometry = fc.oneof(
  { weight: 8, arbitrary: position.map((coordinates) => ({ type: 'Point', coordinates })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, { type: 'Polygon', coordinates: [] }, { coordinates: [1, 2] }, { type: 'Point' }, 5, { type: 'Point', coordinates: [114, 25], bbox: [1, 2, 3, 4] }) },
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const settlementProps = fc.record({
  id: maybe(fc.oneof(fc.constantFrom('a', 'b', 'c', ' a '), fc.integer({ min: 0, max: 3 }), text)),
  name: maybe(text),
  households: maybe(fc.oneof(fc.integer({ min: -2, max: 500 }), fc.constantFrom<unknown>('36', ' 7 ', '二十', 2.5, 1e21, null, true, -0, '', [1]))),
  county: maybe(text),
  township: maybe(text),
  village: maybe(text),
  code: maybe(fc.oneof(fc.constantFrom('360731212211', 360731212211, '3607', null, ''), text)),
  committee: maybe(fc.oneof(fc.boolean(), fc.constantFrom<unknown>('是', '否', 'yes', 'maybe', 1, 0, null, 2))),
  nested: maybe(fc.jsonValue({ maxDepth: 3 })),
});
const coverageProps = fc.record({
  operator: maybe(fc.oneof(fc.constantFrom('移动', '电信', '联通', 'CMCC', 'ct', ' China Unicom ', '中国移动(赣州)', ''), text, fc.integer())),
  tech: maybe(fc.oneof(fc.constantFrom('4G', '5g', 'FTTH', '', '3G'), fc.integer({ min: 3, max: 5 }))),
  band: maybe(text),
});
const feature = (geometry: fc.Arbitrary<unknown>, properties: fc.Arbitrary<unknown>) => fc.oneof(
  { weight: 12, arbitrary: fc.record({ type: fc.constant('Feature'), id: maybe(fc.oneof(fc.integer(), text)), geometry, properties: fc.oneof({ weight: 9, arbitrary: properties }, { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'p', [1]) }), extra: maybe(fc.jsonValue({ maxDepth: 2 })) }) },
  { weight: 1, arbitrary: fc.record({ properties, geometry, type: fc.constantFrom<unknown>('feature', 'Feature ', null, 3) }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 5, 'Feature', [], {}) },
);
const chunking = fc.oneof(fc.constant([1]), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }), fc.constant([1 << 20]));
/** Bytes held back: none (every cut), a few (units longer than it are cut), the default (small files parsed at the end). */
const lookaheads = fc.constantFrom(0, 40, LOOKAHEAD);

describe('GeoJsonScanner = JSON.parse + the object path', () => {
  it('settlements: same table and same problems, any spelling, any chunking', () => {
    fc.assert(fc.property(fc.array(feature(pointGeometry, settlementProps), { maxLength: 12 }), fc.integer(), chunking, lookaheads, (features, seed, sizes, lookahead) => {
      const json = awkward({ type: 'FeatureCollection', name: '聚居区 "test"', features, crs: { type: 'name' } }, mulberry32(seed));
      const r = bothSettlements(json, sizes, lookahead);
      expect(r.problem).toBeNull();
      expect(r.scanned.issues).toEqual(r.object.issues);
      expect(r.scanned.table).toEqual(r.object.table);
    }), { numRuns: 300 });
  });

  it('coverage polygons: same packed set and same problems, any spelling, any chunking, packed in shared memory or not', () => {
    fc.assert(fc.property(fc.array(feature(polygonGeometry, coverageProps), { maxLength: 10 }), fc.integer(), chunking, fc.boolean(), lookaheads, (features, seed, sizes, shared, lookahead) => {
      const json = awkward({ features, type: 'FeatureCollection' }, mulberry32(seed));
      const r = bothPolygons(json, sizes, shared, lookahead);
      expect(r.problem).toBeNull();
      expect(r.scanned.issues).toEqual(r.object.issues);
      expect(r.scanned.set).toEqual(r.object.set);
      if (shared) expect(r.scanned.set.coords.buffer).toBeInstanceOf(SharedArrayBuffer);
    }), { numRuns: 300 });
  });

  it('a set packed in shared memory grows like one packed in private memory, and the crew shares it uncopied', () => {
    const rand = mulberry32(44084);
    const features = Array.from({ length: 3000 }, (_, i) => {
      const ring = Array.from({ length: 4 + Math.floor(rand() * 60) }, () => [114 + rand(), 25 + rand()]);
      ring.push(ring[0]);
      return { type: 'Feature', properties: { operator: ['CMCC', 'CT', 'CU'][i % 3] }, geometry: { type: 'Polygon', coordinates: [ring] } };
    });
    const pack = (shared: boolean) => {
      const builder = new PolygonSetBuilder({ defaultTech: '4G' }, new IssueList(), shared);
      features.forEach((f, i) => builder.add(0, 'm', i, f, JSON_COORDINATES));
      return builder.finish();
    };
    const inShared = pack(true), inPrivate = pack(false);
    expect(inShared).toEqual(inPrivate);
    expect(inShared.coords.length).toBeGreaterThan(4096 * 10);
    for (const a of [inShared.ringOffsets, inShared.vertexOffsets, inShared.coords, inShared.mask]) {
      expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(shared(a)).toBe(a);
    }
    expect(inPrivate.coords.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    const copy = shared(inPrivate.coords);
    expect(copy.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(copy).toEqual(inPrivate.coords);
  });

  it('a shared set whose buffer cannot grow falls back to private arrays, equal, and the crew copies them', () => {
    const rand = mulberry32(2020);
    const features = Array.from({ length: 500 }, () => {
      const ring = Array.from({ length: 30 }, () => [114 + rand(), 25 + rand()]);
      ring.push(ring[0]);
      return { type: 'Feature', properties: { operator: 'CT' }, geometry: { type: 'Polygon', coordinates: [ring] } };
    });
    const pack = (shared: boolean) => {
      const builder = new PolygonSetBuilder({ defaultTech: '4G' }, new IssueList(), shared);
      features.forEach((f, i) => builder.add(0, 'm', i, f, JSON_COORDINATES));
      return builder.finish();
    };
    const proto = SharedArrayBuffer.prototype as unknown as { grow(n: number): void };
    const grow = proto.grow;
    proto.grow = () => {
      throw new RangeError('out of memory (test)');
    };
    let fallback;
    try {
      fallback = pack(true);
    } finally {
      proto.grow = grow;
    }
    expect(fallback).toEqual(pack(false));
    expect(fallback.coords.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(shared(fallback.coords).buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('any JSON value in properties decodes exactly as JSON.parse does (strings, escapes, exponents, -0)', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), fc.string({ unit: 'binary' }), fc.integer(), chunking, (value, s, seed, sizes) => {
      const props = { value, s, n: -0 };
      const json = awkward({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: props, geometry: null }] }, mulberry32(seed));
      const got: unknown[] = [];
      expect(scanFeatures(json, sizes, (f) => got.push(f))).toBeNull();
      expect((got[0] as { properties: unknown }).properties).toEqual(JSON.parse(json).features[0].properties);
    }), { numRuns: 300 });
  });
});

describe('GeoJsonScanner: bytes', () => {
  const one = (props: string, sizes: number[] = [1]) => {
    const got: { properties: Record<string, unknown> }[] = [];
    const problem = scanFeatures(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":${props}}]}`, sizes, (f) => got.push(f as never));
    expect(problem).toBeNull();
    return got[0].properties;
  };

  it('reads member names tried first as the ones that followed last time: shorter, longer, escaped, cut by the chunk', () => {
    const features = ['{"a":1,"bb":2,"c":3}', '{"a":1,"b":2,"c":3}', '{"a":1,"bbb":2,"c":3}', '{"a":1,"b\\u0062":2,"c":3}', '{"a":1,"bb":2,"c":3}', '{"c":3,"a":1,"bb":2}']
      .map((props) => `{"type":"Feature","geometry":null,"properties":${props}}`);
    const json = `{"type":"FeatureCollection","features":[${features.join(',')}]}`;
    const expected = (JSON.parse(json) as { features: { properties: unknown }[] }).features.map((f) => f.properties);
    for (const sizes of [[json.length], [1], [3, 5], [17]]) {
      const got: { properties: unknown }[] = [];
      expect(scanFeatures(json, sizes, (f) => got.push(f as never))).toBeNull();
      expect(got.map((f) => f.properties), String(sizes)).toEqual(expected);
    }
  });

  it('decodes multi-byte UTF-8 split across chunks of one byte, escapes and surrogate pairs', () => {
    const props = '{"name":"潮溪村 😀 𠮷","e":"\\u6f6e\\u6eAA\\ud83d\\ude00\\n\\t\\"\\\\\\/\\b\\f\\r","lone":"\\ud800x\\udc00"}';
    expect(one(props)).toEqual(JSON.parse(props));
    expect(one(props, [2, 3, 5, 7])).toEqual(JSON.parse(props));
  });

  it('numbers: exponents, negative zero and long mantissas round exactly like JSON.parse', () => {
    const nums = ['0', '-0', '-0.0', '1e2', '1E+2', '-1.5e-3', '114.123456789012345678', '0.1', '0.30000000000000004', '123456789012345678901234567890',
      '1e-400', '1e400', '2.2250738585072014e-308', '4.9e-324', '9007199254740993', '0.000001', '25.86355', '1.7976931348623157e308'];
    const props = `{${nums.map((n, i) => `"n${i}":${n}`).join(',')}}`;
    const got = one(props, [3]);
    const want = JSON.parse(props);
    for (const k of Object.keys(want)) expect(Object.is(got[k], want[k]), `${k}: ${got[k]} vs ${want[k]}`).toBe(true);
  });

  it('replaces invalid UTF-8 as readFileSync(…, "utf8") does', () => {
    const bytes = new Uint8Array([...encoder.encode('{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"s":"a'), 0xe6, 0xbd, 0x41, 0xff, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, ...encoder.encode('b"}}]}')]);
    const got: { properties: { s: string } }[] = [];
    expect(feed(new GeoJsonScanner('f', (f) => got.push(f as never), undefined, 0), bytes, [1])).toBeNull();
    expect(got[0].properties.s).toBe(JSON.parse(Buffer.from(bytes).toString('utf8')).features[0].properties.s);
  });

  it('skips a UTF-8 byte order mark, even one byte at a time', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('{"type":"FeatureCollection","features":[]}')]);
    expect(feed(new GeoJsonScanner('f', () => {}, undefined, 0), bytes, [1])).toBeNull();
  });
});

describe('GeoJsonScanner: whole-file problems', () => {
  const problem = (json: string | Uint8Array, sizes = [1 << 16]) =>
    feed(new GeoJsonScanner('x.geojson', () => {}, undefined, 0), typeof json === 'string' ? encoder.encode(json) : json, sizes);
  const dir = mkdtempSync(join(tmpdir(), 'atlas-scan-'));
  /** The object path's issue for the same text (data/read-geojson.ts over a file). */
  const objectProblem = (json: string): InputIssue | null => {
    const path = join(dir, 'x.geojson');
    writeFileSync(path, json);
    try {
      readGeoJsonFile(path);
      return null;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return { ...e.issues[0], source: 'x.geojson' };
    }
  };

  it.each([
    ['[1, 2]'],
    ['"FeatureCollection"'],
    ['{"type":"Topology","features":[]}'],
    ['{"features":[]}'],
    ['{"type":"FeatureCollection"}'],
    ['{"type":"FeatureCollection","features":{}}'],
    ['null'],
  ])('%s: the same sentence as the JSON.parse path', (json) => {
    expect(problem(json)).toEqual(objectProblem(json));
    expect(problem(json, [1])).toEqual(objectProblem(json));
  });

  it('a single Feature is read as a collection of one, as by the JSON.parse path', () => {
    const got: unknown[] = [];
    const json = '{"geometry":{"type":"Point","coordinates":[114,25]},"type":"Feature","properties":{"id":"a"}}';
    expect(feed(new GeoJsonScanner('f', (f) => got.push(f), undefined, 0), encoder.encode(json), [1])).toBeNull();
    expect(got).toEqual([JSON.parse(json)]);
  });

  it('invalid JSON: line, column and the text there, like the JSON.parse path, whatever the chunking', () => {
    const csv = '名称,户数\n刘屋,30\n';
    expect(problem(csv)?.message).toBe('not valid JSON (line 1, column 1, near "名称,户数 刘屋,30 "); expected a GeoJSON FeatureCollection (byte 0)');
    const broken = '{"type":"FeatureCollection",\n"features":[\n{"type":"Feature","properties":{"名":"潮溪"},"geometry":null},\n{"type":"Feature" "x":1}]}';
    for (const sizes of [[1], [7], [1 << 16]]) {
      expect(problem(broken, sizes)).toEqual({ source: 'x.geojson', feature: -1, field: 'file',
        message: 'not valid JSON (line 4, column 19, near ""x":1}]}"); expected a GeoJSON FeatureCollection (byte 126)' });
    }
    expect(objectProblem(broken)?.message).toContain('not valid JSON (line 4, column 19, near ""x":1}]}")');
  });

  it.each([
    ['{"type":"FeatureCollection","features":[', 'not valid JSON (line 1, column 41, near ""); expected a GeoJSON FeatureCollection (byte 40)'],
    ['{"type":"FeatureCollection","features":[],}', 'not valid JSON (line 1, column 43, near "}"); expected a GeoJSON FeatureCollection (byte 42)'],
    ['{"type":"FeatureCollection","features":[]} x', 'not valid JSON (line 1, column 44, near "x"); expected a GeoJSON FeatureCollection (byte 43)'],
    ["{'type':'FeatureCollection'}", `not valid JSON (line 1, column 2, near "'type':'FeatureColle"); expected a GeoJSON FeatureCollection (byte 1)`],
    ['{"a":"tab\there"}', 'not valid JSON (line 1, column 10, near "\there"}"); expected a GeoJSON FeatureCollection (byte 9)'.replace('\t', ' ')],
    ['{"a":01}', 'not valid JSON (line 1, column 7, near "1}"); expected a GeoJSON FeatureCollection (byte 6)'],
    ['{"a":"\\x"}', 'not valid JSON (line 1, column 8, near "x"}"); expected a GeoJSON FeatureCollection (byte 7)'],
    ['', 'not valid JSON (line 1, column 1, near ""); expected a GeoJSON FeatureCollection (byte 0)'],
  ])('rejects %j', (json, message) => {
    expect(problem(json)?.message).toBe(message);
    expect(problem(json, [1])?.message).toBe(message);
    expect(objectProblem(json)?.message).toMatch(/^not valid JSON/);
  });

  it('properties the analysis does not read are skipped, but still checked as JSON', () => {
    const fcWith = (v: string) => `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a","note":${v}},"geometry":null}]}`;
    const keep = new Set(['id']);
    const scanKept = (json: string, sizes: number[]) => {
      const got: unknown[] = [];
      return { problem: feed(new GeoJsonScanner('x.geojson', (f) => got.push(f), keep, 0), encoder.encode(json), sizes), got };
    };
    const ok = scanKept(fcWith('{"a":[1,-2.5e3,"\\u6f6e\\"",true,null,{}],"b":[]}'), [1]);
    expect(ok.problem).toBeNull();
    expect(ok.got).toEqual([{ type: 'Feature', properties: { id: 'a' }, geometry: null }]);
    for (const bad of ['"\\x"', '"\\u12G4"', '[1,]', '{"a" 1}', '01', 'tru', '"a\tb"', '[1 2]']) {
      expect(scanKept(fcWith(bad), [1]).problem?.message, bad).toMatch(/^not valid JSON \(line 1, column \d+, near /);
      expect(scanKept(fcWith(bad), [1 << 16]).problem, bad).toEqual(problem(fcWith(bad)));
    }
    expect(scanKept(fcWith('NaN'), [1]).problem?.message).toMatch(/^NaN is not valid JSON/);
  });

  it('NaN and Infinity literals are named', () => {
    const fcWith = (v: string) => `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[${v},25]}}]}`;
    expect(problem(fcWith('NaN'))?.message).toBe('NaN is not valid JSON (line 1, column 101, byte 100); expected a finite number or null');
    expect(problem(fcWith('-Infinity'), [1])?.message).toBe('-Infinity is not valid JSON (line 1, column 101, byte 100); expected a finite number or null');
    expect(problem('{"x":Infinity}')?.message).toBe('Infinity is not valid JSON (line 1, column 6, byte 5); expected a finite number or null');
  });

  it(`nesting is capped at ${MAX_DEPTH} levels, in properties and in coordinates`, () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const props = (v: string) => `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":${v}}}]}`;
    expect(problem(props(deep(MAX_DEPTH - 10)))).toBeNull();
    expect(problem(props(deep(100_000)))?.message).toMatch(new RegExp(`^nested deeper than ${MAX_DEPTH} levels \\(line 1, column \\d+, byte \\d+\\); expected a GeoJSON FeatureCollection$`));
    const coords = `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":${deep(100_000)}}}]}`;
    expect(problem(coords)?.message).toMatch(/^nested deeper than/);
  });
});

describe('scanGeoJsonFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-fast-read-'));

  it('streams a file in chunks; file-system problems as the JSON.parse path words them', () => {
    const path = join(dir, 'big.geojson');
    const features = Array.from({ length: 3000 }, (_, i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [114 + i / 1e4, 25.5] }, properties: { id: `S${i}`, households: i % 90, county: '于都县', name: '刘屋'.repeat(i % 50) } }));
    writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', features }, null, i18nIndent()));
    const issues = new IssueList();
    const builder = new SettlementTableBuilder(path, issues);
    expect(scanGeoJsonFile(path, new GeoJsonScanner(path, (f, _i, reader) => builder.add(f, reader)))).toBeNull();
    expect(issues.count).toBe(0);
    expect(builder.finish()).toEqual(buildSettlementTable(path, features as never, new IssueList()));

    for (const p of [join(dir, 'nope.geojson'), dir]) {
      let want: InputIssue | undefined;
      try {
        readGeoJsonFile(p);
      } catch (e) {
        want = (e as InputError).issues[0];
      }
      expect(scanGeoJsonFile(p, new GeoJsonScanner(p, () => {}))).toEqual(want);
    }
  });

  it('holds back LOOKAHEAD bytes, not more: features are handed over while the file is read', () => {
    const features = Array.from({ length: 2000 }, (_, i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [114 + i / 1e4, 25.5] }, properties: { id: `S${i}`, name: '刘屋'.repeat(i % 30) } }));
    const bytes = encoder.encode(JSON.stringify({ type: 'FeatureCollection', features }));
    expect(bytes.length).toBeGreaterThan(3 * LOOKAHEAD);
    // The sink's feature has its coordinates packed (a node id): the properties tell the features apart.
    const got: unknown[] = [];
    const scanner = new GeoJsonScanner('f', (f) => got.push((f as { properties: unknown }).properties));
    scanner.push(bytes.subarray(0, LOOKAHEAD));
    expect(got).toHaveLength(0);
    scanner.push(bytes.subarray(LOOKAHEAD, 3 * LOOKAHEAD));
    // Everything but the last LOOKAHEAD bytes (and the feature running into them) is through.
    const end = encoder.encode('{"type":"FeatureCollection","features":' + JSON.stringify(features.slice(0, got.length))).length - 1;
    expect(end).toBeGreaterThan(2 * LOOKAHEAD - 400);
    expect(end).toBeLessThanOrEqual(2 * LOOKAHEAD + 400);
    scanner.push(bytes.subarray(3 * LOOKAHEAD));
    expect(scanner.end()).toBeNull();
    expect(got).toEqual(features.map((f) => f.properties));
  });
});

function i18nIndent(): string {
  return '\t';
}

describe('writeReportJson', () => {
  it('writes exactly JSON.stringify(report) + newline, in batches, over a longer or shorter earlier file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'atlas-report-')), 'r.json');
    for (const n of [0, 1, 10_000, 25_001, 3]) {
      const settlements = Array.from({ length: n }, (_, i) => ({ id: `S${i}`, name: '刘屋', households: i, lon: -0, lat: 25.5, mobileOperators: ['CMCC'], ...(i % 2 ? { code: '360731212211' } : {}) }));
      const report = { options: { minHouseholds: 25 }, settlements, rates: { city: { settlements: n } }, committeeSeats: { seats: [] }, inputs: { settlements: n } } as unknown as AnalysisReport;
      await writeReportJson(path, report);
      expect(readFileSync(path, 'utf8')).toBe(JSON.stringify(report) + '\n');
    }
  });

  it('writes a pending report as its complete one, its list built batch by batch', async () => {
    const campaign = loadCampaign();
    const listed = campaign.listedVillages.filter((v) => v.code);
    const path = join(mkdtempSync(join(tmpdir(), 'atlas-report-')), 'r.json');
    for (const n of [0, 1, 2, 3, 10_000, 10_001, 25_001, 40_000]) {
      // Settlements of listed villages (some committee seats) and of others, in focus counties and not, some without a code.
      const features = Array.from({ length: n }, (_, i) => {
        const v = listed[i % listed.length];
        const own = i % 3 !== 0;
        return {
          type: 'Feature', geometry: { type: 'Point', coordinates: [114 + (i % 997) / 1000, 25 + (i % 991) / 1000] },
          properties: {
            id: `S${i}`, name: i % 5 ? '刘屋' : `"引号"\\${i}`, households: i % 60, county: own ? v.county : '章贡区',
            township: own ? v.township : '南外街道', village: own ? v.officialName ?? v.listedName : '红旗村委会',
            ...(i % 4 ? { code: own ? v.code : '360702003200' } : {}), committee: i % 7 === 0,
          },
        };
      });
      const table = buildSettlementTable('s', features as never, new IssueList());
      const mobile = Uint8Array.from({ length: n }, (_, i) => (i * 5) % 8);
      const broadband = Uint8Array.from({ length: n }, (_, i) => (i * 3) % 8);
      const options = { minHouseholds: 25, targetMobile: 0.95, targetBroadband: 0.75, mobileTechs: ['4G'] };
      const inputs = { settlements: n, mobilePolygons: 1, broadbandPolygons: 1 };
      const pending = summarizeRates(table, mobile, broadband, campaign, options, inputs);
      const report = summarize(table, mobile, broadband, campaign, options, inputs);
      expect(completeReport(pending)).toEqual(report);
      if (n > 3) {
        expect(report.settlements.some((r) => r.listed) && report.settlements.some((r) => !r.listed)).toBe(true);
        expect(report.settlements.some((r) => r.focusCounty) && report.settlements.some((r) => !r.focusCounty)).toBe(true);
        expect(report.committeeSeats.total).toBeGreaterThan(0);
      }
      await writeReportJson(path, pending);
      expect(readFileSync(path, 'utf8')).toBe(JSON.stringify(report) + '\n');
    }
  });

  it('writes rates that come as JSON in their place; when they fail to come, no file is left', async () => {
    const table = buildSettlementTable('s', [0, 1, 2].map((i) => ({
      type: 'Feature', geometry: { type: 'Point', coordinates: [114, 25] }, properties: { id: `S${i}`, households: 30 + i, county: '于都县' },
    })) as never, new IssueList());
    const options = { minHouseholds: 25, targetMobile: 0.95, targetBroadband: 0.75, mobileTechs: ['4G'] };
    const masks = [Uint8Array.of(1, 0, 7), Uint8Array.of(0, 2, 2)] as const;
    const inputs = { settlements: 3, mobilePolygons: 2, broadbandPolygons: 1 };
    const groups = groupSettlements(table, loadCampaign());
    const seats = summarizeSeats(table, ...masks, options, inputs, groups);
    const path = join(mkdtempSync(join(tmpdir(), 'atlas-report-')), 'r.json');
    await writeReportJson(path, seats, async () => groupRatesJson(groups, table.households, ...masks, options));
    expect(readFileSync(path, 'utf8')).toBe(JSON.stringify(completeReport(summarizeRates(table, ...masks, loadCampaign(), options, inputs))) + '\n');
    await expect(writeReportJson(path, seats, () => Promise.reject(new Error('an analysis worker failed')))).rejects.toThrow(/worker failed/);
    expect(existsSync(path)).toBe(false);
  });

  it('a report that cannot be written fails with the system error', async () => {
    const report = { settlements: [] } as unknown as AnalysisReport;
    const missing = join(tmpdir(), 'no-such-folder-atlas', 'r.json');
    await expect(writeReportJson(missing, report)).rejects.toThrow(/ENOENT/);
    const table = buildSettlementTable('s', [0, 1, 2].map((i) => ({
      type: 'Feature', geometry: { type: 'Point', coordinates: [114, 25] }, properties: { id: `S${i}`, households: 30, county: '于都县' },
    })) as never, new IssueList());
    const pending = summarizeRates(table, new Uint8Array(3), new Uint8Array(3), loadCampaign(), { minHouseholds: 25, targetMobile: 0.95, targetBroadband: 0.75, mobileTechs: ['4G'] }, { settlements: 3, mobilePolygons: 0, broadbandPolygons: 0 });
    await expect(writeReportJson(missing, pending)).rejects.toThrow(/ENOENT/);
  });
});
