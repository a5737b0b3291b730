// GeoPackage binary geometry: the 'GP' header (with envelope) followed by little-endian ISO WKB.
// Pure functions over DataView: one sizing pass (which also validates and computes the envelope),
// one writing pass into an exact-size buffer. Runs over hundreds of thousands of polygons per import.
import type { Geometry, PointGeometry, PolygonGeometry, Position } from '../../gis/types';

/** Envelope in GeoPackage order: [minX, maxX, minY, maxY]. */
export type Envelope = [minX: number, maxX: number, minY: number, maxY: number];

/** Thrown for a geometry that cannot be encoded or a blob that cannot be decoded; `path` names the member. */
export class GeometryFormatError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'GeometryFormatError';
    this.path = path;
  }
}

const WKB_CODES: Record<Geometry['type'], number> = {
  Point: 1, LineString: 2, Polygon: 3, MultiPoint: 4, MultiLineString: 5, MultiPolygon: 6, GeometryCollection: 7,
};
const WKB_TYPES: Geometry['type'][] = ['Point', 'Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString',
  'MultiPolygon', 'GeometryCollection'];

/** Envelope byte sizes by the header's envelope-contents indicator (0..4); 5..7 are invalid. */
const ENVELOPE_BYTES = [0, 32, 48, 48, 64];

const FLAG_LITTLE_ENDIAN = 0x01;
const FLAG_ENVELOPE_XY = 0x02; // indicator 1 in bits 1-3
const FLAG_EMPTY = 0x10;
const FLAG_EXTENDED = 0x20;

/** Sizing-pass state: byte count, position count, Z presence, envelope, and the member path (for errors). */
interface Measure {
  bytes: number;
  positions: number;
  allZ: boolean;
  minX: number; maxX: number; minY: number; maxY: number;
  /** Member path as a stack of keys and indices; formatted only when an error is thrown. */
  path: (string | number)[];
}

function newMeasure(): Measure {
  return { bytes: 0, positions: 0, allZ: true, minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity, path: ['geometry'] };
}

function fail(m: Measure, message: string): never {
  const path = m.path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
  throw new GeometryFormatError(path, message);
}

function measurePosition(p: unknown, m: Measure): void {
  if (!Array.isArray(p) || p.length < 2) fail(m, 'expected a position [x, y] or [x, y, z]');
  const x = p[0], y = p[1];
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
    fail(m, `expected finite numbers, got [${String(x)}, ${String(y)}]`);
  }
  if (p.length < 3 || typeof p[2] !== 'number' || !Number.isFinite(p[2])) m.allZ = false;
  m.positions++;
  if (x < m.minX) m.minX = x;
  if (x > m.maxX) m.maxX = x;
  if (y < m.minY) m.minY = y;
  if (y > m.maxY) m.maxY = y;
}

function measureList(list: unknown, m: Measure): void {
  if (!Array.isArray(list)) fail(m, 'expected an array of positions');
  m.bytes += 4;
  const depth = m.path.length;
  for (let i = 0; i < list.length; i++) {
    m.path[depth] = i;
    measurePosition(list[i], m);
  }
  m.path.length = depth;
}

function measureRings(rings: unknown, m: Measure): void {
  if (!Array.isArray(rings)) fail(m, 'expected an array of linear rings');
  m.bytes += 4;
  const depth = m.path.length;
  for (let i = 0; i < rings.length; i++) {
    m.path[depth] = i;
    measureList(rings[i], m);
  }
  m.path.length = depth;
}

function measureGeometry(g: unknown, m: Measure): void {
  if (g === null || typeof g !== 'object') fail(m, 'expected a geometry object');
  const geom = g as { type?: unknown; coordinates?: unknown; geometries?: unknown };
  m.bytes += 5; // byte order + type
  const c = geom.coordinates;
  const depth = m.path.length;
  m.path.push('coordinates');
  switch (geom.type) {
    case 'Point':
      if (Array.isArray(c) && c.length === 0) { m.allZ = false; m.bytes += 16; break; } // empty: POINT(NaN NaN)
      measurePosition(c, m);
      break;
    case 'LineString':
      measureList(c, m);
      break;
    case 'Polygon':
      measureRings(c, m);
      break;
    case 'MultiPoint':
    case 'MultiLineString':
    case 'MultiPolygon': {
      if (!Array.isArray(c)) fail(m, 'expected an array');
      m.bytes += 4;
      for (let i = 0; i < c.length; i++) {
        m.path[depth + 1] = i;
        m.bytes += 5;
        if (geom.type === 'MultiPoint') measurePosition(c[i], m);
        else if (geom.type === 'MultiLineString') measureList(c[i], m);
        else measureRings(c[i], m);
      }
      break;
    }
    case 'GeometryCollection': {
      const gs = geom.geometries;
      m.path[depth] = 'geometries';
      if (!Array.isArray(gs)) fail(m, 'expected an array of geometries');
      m.bytes += 4;
      for (let i = 0; i < gs.length; i++) {
        m.path[depth + 1] = i;
        measureGeometry(gs[i], m);
      }
      break;
    }
    default:
      m.path[depth] = 'type';
      fail(m, 'expected Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon or GeometryCollection, ' +
        `got ${JSON.stringify(geom.type)}`);
  }
  m.path.length = depth;
}

/** Writing-pass state. */
interface Writer { view: DataView; offset: number; z: boolean }

function writeHead(w: Writer, type: Geometry['type']): void {
  w.view.setUint8(w.offset, 1);
  w.view.setUint32(w.offset + 1, WKB_CODES[type] + (w.z ? 1000 : 0), true);
  w.offset += 5;
}

function writePosition(w: Writer, p: Position): void {
  const v = w.view;
  v.setFloat64(w.offset, p[0], true);
  v.setFloat64(w.offset + 8, p[1], true);
  if (w.z) {
    v.setFloat64(w.offset + 16, p[2], true);
    w.offset += 24;
  } else {
    w.offset += 16;
  }
}

function writeList(w: Writer, list: Position[]): void {
  w.view.setUint32(w.offset, list.length, true);
  w.offset += 4;
  for (let i = 0; i < list.length; i++) writePosition(w, list[i]);
}

function writeRings(w: Writer, rings: Position[][]): void {
  w.view.setUint32(w.offset, rings.length, true);
  w.offset += 4;
  for (let i = 0; i < rings.length; i++) writeList(w, rings[i]);
}

function writeGeometry(w: Writer, g: Geometry): void {
  writeHead(w, g.type);
  switch (g.type) {
    case 'Point':
      if (g.coordinates.length === 0) writePosition(w, [NaN, NaN, NaN]);
      else writePosition(w, g.coordinates);
      return;
    case 'LineString':
      writeList(w, g.coordinates);
      return;
    case 'Polygon':
      writeRings(w, g.coordinates);
      return;
    case 'MultiPoint':
      w.view.setUint32(w.offset, g.coordinates.length, true);
      w.offset += 4;
      for (const p of g.coordinates) { writeHead(w, 'Point'); writePosition(w, p); }
      return;
    case 'MultiLineString':
      w.view.setUint32(w.offset, g.coordinates.length, true);
      w.offset += 4;
      for (const l of g.coordinates) { writeHead(w, 'LineString'); writeList(w, l); }
      return;
    case 'MultiPolygon':
      w.view.setUint32(w.offset, g.coordinates.length, true);
      w.offset += 4;
      for (const r of g.coordinates) { writeHead(w, 'Polygon'); writeRings(w, r); }
      return;
    case 'GeometryCollection':
      w.view.setUint32(w.offset, g.geometries.length, true);
      w.offset += 4;
      for (const sub of g.geometries) writeGeometry(w, sub);
      return;
  }
}

/** Result of encoding: the blob plus what the writer needs for the rtree and layer extent. */
export interface EncodedGeometry {
  bytes: Uint8Array;
  /** Null for an empty geometry. */
  envelope: Envelope | null;
  hasZ: boolean;
}

function encode(geom: Geometry, header: boolean, srsId: number): EncodedGeometry {
  const m = newMeasure();
  measureGeometry(geom, m);
  const empty = m.positions === 0;
  const z = !empty && m.allZ;
  const wkbBytes = m.bytes + m.positions * (z ? 24 : 16);
  // Points carry no envelope (it would only repeat the coordinates); empty geometries carry none either.
  const withEnvelope = header && !empty && geom.type !== 'Point';
  const headerBytes = header ? 8 + (withEnvelope ? 32 : 0) : 0;
  const buffer = new ArrayBuffer(headerBytes + wkbBytes);
  const view = new DataView(buffer);
  if (header) {
    view.setUint8(0, 0x47);
    view.setUint8(1, 0x50);
    view.setUint8(2, 0);
    view.setUint8(3, FLAG_LITTLE_ENDIAN | (withEnvelope ? FLAG_ENVELOPE_XY : 0) | (empty ? FLAG_EMPTY : 0));
    view.setInt32(4, srsId, true);
    if (withEnvelope) {
      view.setFloat64(8, m.minX, true);
      view.setFloat64(16, m.maxX, true);
      view.setFloat64(24, m.minY, true);
      view.setFloat64(32, m.maxY, true);
    }
  }
  const w: Writer = { view, offset: headerBytes, z };
  writeGeometry(w, geom);
  const bytes = new Uint8Array(buffer, 0, w.offset);
  return { bytes, envelope: empty ? null : [m.minX, m.maxX, m.minY, m.maxY], hasZ: z };
}

/**
 * Encodes a GeoJSON geometry as a GeoPackage binary blob (little-endian, XY envelope except for points).
 * All positions 3D → ISO WKB Z types; otherwise 2D (z values dropped when only some positions have them).
 */
export function encodeGpkgGeometry(geom: Geometry, srsId = 4326): EncodedGeometry {
  return encode(geom, true, srsId);
}

/** Encodes a GeoJSON geometry as little-endian ISO WKB. */
export function encodeWkb(geom: Geometry): Uint8Array {
  return encode(geom, false, 0).bytes;
}

/** Reading-pass state; `le`, `z` and `dims` belong to the geometry being read. */
interface Reader { view: DataView; offset: number; end: number; le: boolean; z: boolean; dims: number }

function need(r: Reader, n: number): void {
  if (r.offset + n > r.end) throw new GeometryFormatError(`byte ${r.offset}`, `WKB truncated: needs ${n} more bytes, ${r.end - r.offset} left`);
}

function readPosition(r: Reader): Position {
  need(r, r.dims * 8);
  const o = r.offset;
  r.offset += r.dims * 8;
  const v = r.view, le = r.le;
  return r.z ? [v.getFloat64(o, le), v.getFloat64(o + 8, le), v.getFloat64(o + 16, le)] : [v.getFloat64(o, le), v.getFloat64(o + 8, le)];
}

function readCount(r: Reader): number {
  need(r, 4);
  const n = r.view.getUint32(r.offset, r.le);
  r.offset += 4;
  // Each element needs at least 4 bytes: reject counts that cannot fit before allocating.
  if (n * 4 > r.end - r.offset) throw new GeometryFormatError(`byte ${r.offset - 4}`, `count ${n} exceeds the remaining bytes`);
  return n;
}

function readList(r: Reader): Position[] {
  const n = readCount(r);
  const out = new Array<Position>(n);
  for (let i = 0; i < n; i++) out[i] = readPosition(r);
  return out;
}

function readRings(r: Reader): Position[][] {
  const n = readCount(r);
  const out = new Array<Position[]>(n);
  for (let i = 0; i < n; i++) out[i] = readList(r);
  return out;
}

/** Reads a member of a multi-geometry, which must be of the given type. */
function readMember(r: Reader, expected: 'Point' | 'LineString' | 'Polygon', depth: number): Geometry {
  const g = readGeometry(r, depth + 1);
  if (g.type !== expected) throw new GeometryFormatError(`byte ${r.offset}`, `expected a ${expected} member, got ${g.type}`);
  return g;
}

function readGeometry(r: Reader, depth: number): Geometry {
  need(r, 5);
  const le = r.view.getUint8(r.offset) === 1;
  let code = r.view.getUint32(r.offset + 1, le);
  r.offset += 5;
  // Accept ISO (1000/2000/3000) and EWKB-style high-bit flags; M values are dropped (GeoJSON has no M).
  let z = (code & 0x80000000) !== 0;
  let m = (code & 0x40000000) !== 0;
  if (code & 0x20000000) { need(r, 4); r.offset += 4; } // EWKB SRID
  code &= 0x0fffffff;
  const thousands = Math.floor(code / 1000);
  code %= 1000;
  if (thousands === 1 || thousands === 3) z = true;
  if (thousands === 2 || thousands === 3) m = true;
  const type = WKB_TYPES[code];
  if (code < 1 || code > 7 || !type) throw new GeometryFormatError(`byte ${r.offset - 4}`, `unsupported WKB geometry type ${code}`);
  r.le = le;
  r.z = z;
  r.dims = 2 + (z ? 1 : 0) + (m ? 1 : 0);

  switch (type) {
    case 'Point': {
      const p = readPosition(r);
      return { type: 'Point', coordinates: Number.isNaN(p[0]) && Number.isNaN(p[1]) ? [] : p };
    }
    case 'LineString':
      return { type: 'LineString', coordinates: readList(r) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: readRings(r) };
    case 'MultiPoint': {
      const n = readCount(r);
      const out = new Array<Position>(n);
      for (let i = 0; i < n; i++) out[i] = (readMember(r, 'Point', depth) as PointGeometry).coordinates;
      return { type: 'MultiPoint', coordinates: out };
    }
    case 'MultiLineString': {
      const n = readCount(r);
      const out = new Array<Position[]>(n);
      for (let i = 0; i < n; i++) out[i] = (readMember(r, 'LineString', depth) as { coordinates: Position[] }).coordinates;
      return { type: 'MultiLineString', coordinates: out };
    }
    case 'MultiPolygon': {
      const n = readCount(r);
      const out = new Array<Position[][]>(n);
      for (let i = 0; i < n; i++) out[i] = (readMember(r, 'Polygon', depth) as PolygonGeometry).coordinates;
      return { type: 'MultiPolygon', coordinates: out };
    }
    case 'GeometryCollection': {
      if (depth > 32) throw new GeometryFormatError(`byte ${r.offset}`, 'geometry collections nested too deeply');
      const n = readCount(r);
      const out = new Array<Geometry>(n);
      for (let i = 0; i < n; i++) out[i] = readGeometry(r, depth + 1);
      return { type: 'GeometryCollection', geometries: out };
    }
  }
}

/** Decodes WKB (either byte order, ISO or EWKB type codes) starting at `offset`. */
export function decodeWkb(bytes: Uint8Array, offset = 0): Geometry {
  const r: Reader = {
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset, end: bytes.byteLength, le: true, z: false, dims: 2,
  };
  return readGeometry(r, 0);
}

interface Header { le: boolean; srsId: number; empty: boolean; envelope: Envelope | null; wkbOffset: number }

function readHeader(bytes: Uint8Array): Header {
  if (bytes.byteLength < 8 || bytes[0] !== 0x47 || bytes[1] !== 0x50) {
    throw new GeometryFormatError('header', "not a GeoPackage geometry: expected the magic bytes 'GP'");
  }
  if (bytes[2] !== 0) throw new GeometryFormatError('header', `unsupported GeoPackage binary version ${bytes[2]}, expected 0`);
  const flags = bytes[3];
  if (flags & FLAG_EXTENDED) throw new GeometryFormatError('header', 'extended GeoPackage geometry types are not supported');
  const indicator = (flags >> 1) & 0x07;
  const envBytes = ENVELOPE_BYTES[indicator];
  if (envBytes === undefined) throw new GeometryFormatError('header', `invalid envelope indicator ${indicator}, expected 0-4`);
  if (bytes.byteLength < 8 + envBytes) throw new GeometryFormatError('header', 'GeoPackage header truncated');
  const le = (flags & FLAG_LITTLE_ENDIAN) !== 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const envelope: Envelope | null = envBytes === 0 ? null
    : [view.getFloat64(8, le), view.getFloat64(16, le), view.getFloat64(24, le), view.getFloat64(32, le)];
  return { le, srsId: view.getInt32(4, le), empty: (flags & FLAG_EMPTY) !== 0, envelope, wkbOffset: 8 + envBytes };
}

/** Decodes a GeoPackage binary blob into a GeoJSON geometry. */
export function decodeGpkgGeometry(bytes: Uint8Array): Geometry {
  return decodeWkb(bytes, readHeader(bytes).wkbOffset);
}

/** The srs_id stored in a GeoPackage blob's header. */
export function gpkgSrsId(bytes: Uint8Array): number {
  return readHeader(bytes).srsId;
}

/** True when the blob's header flags it empty (the rtree triggers skip these). */
export function gpkgIsEmpty(bytes: Uint8Array): boolean {
  return readHeader(bytes).empty;
}

/** Envelope of a GeoPackage blob: from the header when present, else computed from the WKB; null if empty. */
export function gpkgEnvelope(bytes: Uint8Array): Envelope | null {
  const h = readHeader(bytes);
  if (h.empty) return null;
  if (h.envelope) return h.envelope;
  const m = newMeasure();
  measureGeometry(decodeWkb(bytes, h.wkbOffset), m);
  return m.positions === 0 ? null : [m.minX, m.maxX, m.minY, m.maxY];
}
