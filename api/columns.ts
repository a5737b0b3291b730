// The per-settlement analysis result as columns: what the map and the legend need for every settlement of a
// province-scale workspace (coordinates, households, status flags, county), a few bytes each instead of one JSON
// object each. Names and the rest are fetched for the settlements a user opens (AtlasApi.settlementDetails).
// Over HTTP the columns travel as one binary body (encodeColumns/decodeColumns); IPC and worker threads pass the
// typed arrays as they are.
import type { SettlementResult } from '../gis/report';
import type { Operator } from '../gis/types';
import { StringDictionary } from '../gis/dictionary';

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
  const header = new TextEncoder().encode(JSON.stringify({ version: c.version, count: c.count, counties: c.counties, names: c.names }));
  const start = Math.ceil((8 + header.length) / 8) * 8;
  const n = c.count;
  const size = start + n * (8 + 8 + 4 + 4 + 2 + 2);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, header.length, true);
  out.set(header, 8);
  let at = start;
  for (const a of [c.lon, c.lat, c.households, c.name, c.flags, c.county]) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}

/** Decodes encodeColumns' bytes; throws on anything else (a truncated body, an error page). */
export function decodeColumns(buf: ArrayBuffer): SettlementColumns {
  const fail = (what: string) => new Error(`settlement columns: ${what} (${buf.byteLength} bytes received)`);
  if (buf.byteLength < 8) throw fail('body too short for a header');
  const view = new DataView(buf);
  if (view.getUint32(0, true) !== MAGIC) throw fail('not an ATC1 body');
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > buf.byteLength) throw fail(`header of ${headerLength} bytes runs past the end`);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, headerLength))) as
    { version: string; count: number; counties: string[]; names: string[] };
  const n = header.count;
  const start = Math.ceil((8 + headerLength) / 8) * 8;
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
