// The per-settlement analysis result as columns: what the map and the legend need for every settlement of a
// province-scale workspace (coordinates, households, status flags, county), a few bytes each instead of one JSON
// object each. Names and the rest are fetched for the settlements a user opens (AtlasApi.settlementDetails).
// Over HTTP the columns travel as one binary body (encodeColumns/decodeColumns); IPC and worker threads pass the
// typed arrays as they are.
import type { SettlementResult } from '../gis/report';
import { OPERATORS, type Operator } from '../gis/types';
import { StringDictionary } from '../gis/dictionary';
import { JSON_COORDINATES, type CoordinateReader } from '../gis/polygon-set';
import { simplifyRings } from '../gis/simplify-rings';

/** Bits of SettlementColumns.flags. */
export const FLAG = {
  eligible: 1 << 0,
  listed: 1 << 1,
  committee: 1 << 2,
  focus: 1 << 3,
  mobile: 1 << 4,
  broadband: 1 << 5,
  mobileCMCC: 1 << 6,
  mobileCT: 1 << 7,
  mobileCU: 1 << 8,
  broadbandCMCC: 1 << 9,
  broadbandCT: 1 << 10,
  broadbandCU: 1 << 11,
} as const;

export const MOBILE_FLAG: Record<Operator, number> = { CMCC: FLAG.mobileCMCC, CT: FLAG.mobileCT, CU: FLAG.mobileCU };
export const BROADBAND_FLAG: Record<Operator, number> = { CMCC: FLAG.broadbandCMCC, CT: FLAG.broadbandCT, CU: FLAG.broadbandCU };

export interface SettlementColumns {
  /** The analysis these rows come from; settlementDetails by index refuses another one. */
  version: string;
  count: number;
  lon: Float64Array;
  lat: Float64Array;
  households: Uint32Array;
  /** FLAG bits. */
  flags: Uint16Array;
  /** Index into `counties`. */
  county: Uint16Array;
  counties: string[];
  /** Index into `names` (settlement names repeat a lot: 上屋, 新屋…). */
  name: Uint32Array;
  names: string[];
}

/** A settlement's full result with its row in SettlementColumns. */
export interface SettlementDetail extends SettlementResult {
  index: number;
}

export interface SettlementDetailsQuery {
  /** Rows of the columns of this `version` (map clicks). */
  version?: string;
  indices?: number[];
  /** Settlement ids (lists, search, the ledger). */
  ids?: string[];
}

function dictionary(values: readonly string[]): { index: Uint32Array; dict: string[] } {
  const d = new StringDictionary();
  return { index: d.column(values), dict: d.strings };
}

export function settlementFlags(s: SettlementResult): number {
  let f = 0;
  if (s.eligible) f |= FLAG.eligible;
  if (s.listed) f |= FLAG.listed;
  if (s.committee) f |= FLAG.committee;
  if (s.focusCounty) f |= FLAG.focus;
  if (s.mobile) f |= FLAG.mobile;
  if (s.broadband) f |= FLAG.broadband;
  for (const op of s.mobileOperators) f |= MOBILE_FLAG[op] ?? 0;
  for (const op of s.broadbandOperators) f |= BROADBAND_FLAG[op] ?? 0;
  return f;
}

/** Columns of an analysis's settlements, in the report's order. */
export function toColumns(settlements: readonly SettlementResult[], version: string): SettlementColumns {
  const n = settlements.length;
  const lon = new Float64Array(n), lat = new Float64Array(n), households = new Uint32Array(n), flags = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const s = settlements[i];
    lon[i] = s.lon;
    lat[i] = s.lat;
    households[i] = Math.max(0, Math.round(s.households));
    flags[i] = settlementFlags(s);
  }
  const counties = dictionary(settlements.map((s) => s.county));
  if (counties.dict.length > 0xffff) throw new RangeError(`more than 65,535 distinct counties (${counties.dict.length}) in the analysis`);
  const names = dictionary(settlements.map((s) => s.name));
  return {
    version, count: n, lon, lat, households, flags, county: Uint16Array.from(counties.index), counties: counties.dict,
    name: names.index, names: names.dict,
  };
}

// Binary layout: "ATC1", u32 header length, UTF-8 JSON header { version, count, counties, names }, zero padding to
// a multiple of 8, then lon (f64), lat (f64), households (u32), name (u32), flags (u16), county (u16), little-endian.
const MAGIC = 0x31435441; // "ATC1" read as a little-endian u32

export function encodeColumns(c: SettlementColumns): Uint8Array {
  const header = { version: c.version, count: c.count, counties: c.counties, names: c.names };
  return encodeBody(MAGIC, header, [c.lon, c.lat, c.households, c.name, c.flags, c.county]);
}

/** Decodes encodeColumns' bytes; throws on anything else (a truncated body, an error page). */
export function decodeColumns(buf: ArrayBuffer): SettlementColumns {
  const fail = (what: string) => new Error(`settlement columns: ${what} (${buf.byteLength} bytes received)`);
  const { header, start } = decodeHeader<{ version: string; count: number; counties: string[]; names: string[] }>(buf, MAGIC, 'ATC1', fail);
  const n = header.count;
  if (start + n * 28 !== buf.byteLength) throw fail(`expected ${start + n * 28} bytes for ${n} settlements`);
  // The typed arrays view the received buffer directly (every column starts on its own alignment).
  let at = start;
  const take = <T>(make: (b: ArrayBuffer, o: number, len: number) => T, bytes: number): T => {
    const a = make(buf, at, n);
    at += n * bytes;
    return a;
  };
  const lon = take((b, o, l) => new Float64Array(b, o, l), 8);
  const lat = take((b, o, l) => new Float64Array(b, o, l), 8);
  const households = take((b, o, l) => new Uint32Array(b, o, l), 4);
  const name = take((b, o, l) => new Uint32Array(b, o, l), 4);
  const flags = take((b, o, l) => new Uint16Array(b, o, l), 2);
  const county = take((b, o, l) => new Uint16Array(b, o, l), 2);
  return { version: header.version, count: n, lon, lat, households, flags, county, counties: header.counties, name, names: header.names };
}

/**
 * A coverage layer's polygons as flat arrays, what the map paints coverage from (binary over HTTP, typed arrays
 * over IPC): polygon p has rings polyRing[p] .. polyRing[p + 1] - 1, ring r has vertices ringVertex[r] ..
 * ringVertex[r + 1] - 1 in `coords` (lon, lat pairs). A MultiPolygon feature gives one polygon per part.
 */
export interface CoverageColumns {
  /** Index into OPERATORS of the feature's `operator` as stored, or 255 for any other value (no map layer draws it). */
  operator: Uint8Array;
  /** Index into `techs`: the feature's tech as maplibre's ['upcase', ['to-string', ['get', 'tech']]] reads it. */
  tech: Uint16Array;
  techs: string[];
  polyRing: Uint32Array;
  ringVertex: Uint32Array;
  coords: Float64Array;
}

export interface CoverageColumnsQuery {
  layerId: number;
  /** Only features whose bounding box meets this one (large layers, zoomed in). */
  bbox?: [minLon: number, minLat: number, maxLon: number, maxLat: number];
  /**
   * Detail for a map at some zoom: rings simplified to within this many degrees of longitude as a Web Mercator map
   * measures them (displayTolerance(z) is a quarter pixel of a 512-px tile at zoom z). Omitted or 0: exact geometry.
   */
  tolerance?: number;
}

/** A quarter of a pixel at zoom z (512-px tiles), in degrees of longitude: detail no map at that zoom can show. */
export function displayTolerance(zoom: number): number {
  return 360 / (512 * 2 ** zoom) / 4;
}

/** The same polygons with their rings simplified (gis/simplify-rings.ts); a new object, the input untouched. */
export function simplifyCoverageColumns(c: CoverageColumns, tolerance: number): CoverageColumns {
  return { ...c, ...simplifyRings(c, tolerance) };
}

function upcaseTech(v: unknown): string {
  // ['to-string', null] is '' in maplibre's expressions; booleans and numbers print as JSON does.
  return (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)).toUpperCase();
}

/** Packs coverage features (Polygon and MultiPolygon; other geometries are not drawn by fills either). */
export function toCoverageColumns(features: Iterable<{ geometry: unknown; properties?: unknown }>): CoverageColumns {
  const builder = new CoverageColumnsBuilder();
  for (const f of features) builder.addFeature(f);
  return builder.finish();
}

/**
 * CoverageColumns polygon by polygon: features as GeoJSON (addFeature), or polygonal coordinates through any
 * CoordinateReader (addPolygonal: the analysis's packed coordinates of a decoded blob), with the same result.
 */
export class CoverageColumnsBuilder {
  private readonly operators: number[] = [];
  private readonly techIdx: number[] = [];
  private readonly polyRing: number[] = [0];
  private readonly ringVertex: number[] = [0];
  private readonly techs: string[] = [];
  private readonly techOf = new Map<string, number>();
  private coords = new Float64Array(4096);
  private numbers = 0;

  addFeature(f: { geometry: unknown; properties?: unknown }): void {
    const g = f.geometry as { type?: string; coordinates?: unknown } | null;
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) return;
    const props = (f.properties ?? {}) as { operator?: unknown; tech?: unknown };
    this.addPolygonal(props.operator, props.tech, g.coordinates, g.type === 'Polygon', JSON_COORDINATES);
  }

  /**
   * A Polygon's (`polygon`) or a MultiPolygon's coordinates, read through `reader`, with the feature's operator and
   * tech as stored. Empty parts and rings-less polygons add no polygon; a MultiPolygon without parts adds nothing.
   */
  addPolygonal<N>(operator: unknown, tech: unknown, coordinates: N, polygon: boolean, reader: CoordinateReader<N>): void {
    const parts = polygon ? 1 : reader.length(coordinates);
    if (parts === 0) return;
    // A feature with parts has its tech listed even when every part is empty.
    const op = OPERATORS.indexOf(operator as Operator);
    const t = this.techIndex(tech);
    for (let p = 0; p < parts; p++) {
      const rings = polygon ? coordinates : reader.item(coordinates, p);
      if (rings === null || rings === undefined) continue;
      const ringCount = reader.length(rings);
      if (ringCount === 0) continue;
      this.operators.push(op < 0 ? 255 : op);
      this.techIdx.push(t);
      for (let r = 0; r < ringCount; r++) {
        const ring = reader.item(rings, r);
        for (let k = 0, n = reader.length(ring); k < n; k++) {
          const position = reader.item(ring, k);
          this.vertex(reader.number(reader.item(position, 0)), reader.number(reader.item(position, 1)));
        }
        this.ringVertex.push(this.numbers / 2);
      }
      this.polyRing.push(this.ringVertex.length - 1);
    }
  }

  /** The index of `tech` (as maplibre's filters read it) in `techs`, listed when first met. */
  private techIndex(tech: unknown): number {
    const name = upcaseTech(tech);
    let t = this.techOf.get(name);
    if (t === undefined) {
      t = this.techs.length;
      if (t > 0xffff) throw new RangeError(`coverage columns: more than 65,536 distinct values of the tech field in one layer`);
      this.techs.push(name);
      this.techOf.set(name, t);
    }
    return t;
  }

  private vertex(x: number, y: number): void {
    if (this.numbers + 2 > this.coords.length) {
      const grown = new Float64Array(2 * this.coords.length);
      grown.set(this.coords);
      this.coords = grown;
    }
    this.coords[this.numbers++] = x;
    this.coords[this.numbers++] = y;
  }

  finish(): CoverageColumns {
    return {
      operator: Uint8Array.from(this.operators), tech: Uint16Array.from(this.techIdx), techs: this.techs,
      polyRing: Uint32Array.from(this.polyRing), ringVertex: Uint32Array.from(this.ringVertex), coords: this.coords.slice(0, this.numbers),
    };
  }
}

// Binary layout: "ACV1", u32 header length, UTF-8 JSON header { polygons, rings, vertices, techs }, zero padding to
// a multiple of 8, then coords (f64 × 2 × vertices), polyRing (u32 × polygons + 1), ringVertex (u32 × rings + 1),
// tech (u16 × polygons), operator (u8 × polygons), little-endian.
const COVERAGE_MAGIC = 0x31564341; // "ACV1" read as a little-endian u32

function coverageBytes(polygons: number, rings: number, vertices: number): number {
  return vertices * 16 + (polygons + 1) * 4 + (rings + 1) * 4 + polygons * 2 + polygons;
}

export function encodeCoverageColumns(c: CoverageColumns): Uint8Array {
  const polygons = c.operator.length, rings = c.ringVertex.length - 1, vertices = c.coords.length / 2;
  return encodeBody(COVERAGE_MAGIC, { polygons, rings, vertices, techs: c.techs }, [c.coords, c.polyRing, c.ringVertex, c.tech, c.operator]);
}

/** Decodes encodeCoverageColumns' bytes (the arrays view `buf`); throws on anything else. */
export function decodeCoverageColumns(buf: ArrayBuffer): CoverageColumns {
  const fail = (what: string) => new Error(`coverage columns: ${what} (${buf.byteLength} bytes received)`);
  const { header, start } = decodeHeader<{ polygons: number; rings: number; vertices: number; techs: string[] }>(buf, COVERAGE_MAGIC, 'ACV1', fail);
  const { polygons, rings, vertices, techs } = header;
  const size = start + coverageBytes(polygons, rings, vertices);
  if (size !== buf.byteLength) throw fail(`expected ${size} bytes for ${polygons} polygons, ${rings} rings and ${vertices} vertices`);
  let at = start;
  const coords = new Float64Array(buf, at, vertices * 2);
  at += vertices * 16;
  const polyRing = new Uint32Array(buf, at, polygons + 1);
  at += (polygons + 1) * 4;
  const ringVertex = new Uint32Array(buf, at, rings + 1);
  at += (rings + 1) * 4;
  const tech = new Uint16Array(buf, at, polygons);
  at += polygons * 2;
  const operator = new Uint8Array(buf, at, polygons);
  return { operator, tech, techs, polyRing, ringVertex, coords };
}

/** A binary body: `magic`, u32 header length, the UTF-8 JSON header, zero padding to a multiple of 8, the arrays. */
function encodeBody(magic: number, header: unknown, arrays: ArrayBufferView[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((8 + json.length) / 8) * 8;
  const out = new Uint8Array(start + arrays.reduce((sum, a) => sum + a.byteLength, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, true);
  view.setUint32(4, json.length, true);
  out.set(json, 8);
  let at = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}

/** encodeBody's header, and where its arrays start; throws fail(...) for a body that is not one. */
function decodeHeader<H>(buf: ArrayBuffer, magic: number, name: string, fail: (what: string) => Error): { header: H; start: number } {
  if (buf.byteLength < 8) throw fail('body too short for a header');
  const view = new DataView(buf);
  if (view.getUint32(0, true) !== magic) throw fail(`not an ${name} body`);
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > buf.byteLength) throw fail(`header of ${headerLength} bytes runs past the end`);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, headerLength))) as H;
  return { header, start: Math.ceil((8 + headerLength) / 8) * 8 };
}
