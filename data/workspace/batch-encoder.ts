// Features → the values one INSERT binds: GeoPackage geometry blobs, envelopes and per-column property values.
// Pure JS (no database), so that an import can run it on a worker thread beside the thread that writes; the layer
// writer runs the same code on its own thread for every other batch. Every field is structured-clone friendly, and
// the typed arrays are fresh per batch so that they can be transferred.
import { type Feature, type Geometry } from '../../gis/types';
import { type ColumnKind, encodeValue, joinKinds, kindOf } from './columns';
import { encodeGpkgGeometry, GeometryFormatError } from './gpkg-geometry';

export type LayerGeometryType = 'POINT' | 'POLYGON' | 'MULTIPOLYGON' | 'GEOMETRY';
const EXPECTED: Record<LayerGeometryType, Geometry['type'] | null> = {
  POINT: 'Point', POLYGON: 'Polygon', MULTIPOLYGON: 'MultiPolygon', GEOMETRY: null,
};

export const SRS_ID = 4326;
/** A 2D point as encodeGpkgGeometry writes it: 8-byte header (no envelope) + 21-byte little-endian WKB. */
const POINT_BYTES = 29;

export interface EncodedBatch {
  readonly encoded: true;
  geometryType: LayerGeometryType;
  count: number;
  /** The first feature that cannot be stored (the writer throws it as an InputError); nothing else is set then. */
  problem: { feature: number; field: string; message: string } | null;
  /** Property keys in the order first met in this batch, with the kinds of this batch's values (null: only nulls). */
  keys: string[];
  kinds: (ColumnKind | null)[];
  /** values[k][i]: feature i's value of keys[k], encoded for the column's kind after this batch. */
  values: (string | number | bigint | null)[][];
  /** Feature.id of each feature, encoded likewise, when any feature of the batch has one. */
  ids: (string | number | bigint | null)[] | null;
  idKind: ColumnKind | null;
  /** Geometry blobs back to back: feature i's is geometry[ends[i - 1], ends[i]); empty for a null geometry. */
  geometry: Uint8Array;
  ends: Uint32Array;
  /** minX, maxX, minY, maxY per feature; has[i] = 0 when the geometry is null or empty. */
  envelopes: Float64Array;
  has: Uint8Array;
  hasZ: boolean;
}

export function isEncodedBatch(b: unknown): b is EncodedBatch {
  return typeof b === 'object' && b !== null && (b as { encoded?: unknown }).encoded === true;
}

/** Bytes of a batch's blobs, grown by doubling. */
class Bytes {
  buf = new Uint8Array(1 << 16);
  view = new DataView(this.buf.buffer);
  length = 0;

  reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < at + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, at));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.length = at + n;
    return at;
  }
}

/** The bytes encodeGpkgGeometry gives a finite 2D Point, written in place (the bulk of a settlements import). */
function writePoint(v: DataView, at: number, x: number, y: number): void {
  v.setUint32(at, 0x47500001); // "GP", version 0, flags: little-endian, no envelope
  v.setInt32(at + 4, SRS_ID, true);
  v.setUint8(at + 8, 1);
  v.setUint32(at + 9, 1, true);
  v.setFloat64(at + 13, x, true);
  v.setFloat64(at + 21, y, true);
}

/**
 * The blob encodeGpkgGeometry gives a MultiPolygon whose positions are all finite [x, y] pairs (what imports write),
 * from one checking pass and one writing pass, appended to `out`; its envelope goes to envelopes[at, at + 4).
 * False for anything else (empty, 3D, malformed): the generic encoder then encodes it or names the problem.
 */
function encodeMultiPolygonXY(polygons: unknown, out: Bytes, envelopes: Float64Array, at: number): boolean {
  if (!Array.isArray(polygons)) return false;
  let bytes = 8 + 32 + 9;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < polygons.length; i++) {
    const rings: unknown = polygons[i];
    if (!Array.isArray(rings)) return false;
    bytes += 9;
    for (let r = 0; r < rings.length; r++) {
      const ring: unknown = rings[r];
      if (!Array.isArray(ring)) return false;
      bytes += 4 + 16 * ring.length;
      for (let k = 0; k < ring.length; k++) {
        const p: unknown = ring[k];
        if (!Array.isArray(p) || p.length !== 2) return false;
        const x: unknown = p[0], y: unknown = p[1];
        if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return false;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  if (minX > maxX) return false;
  let o = out.reserve(bytes);
  const v = out.view;
  v.setUint32(o, 0x47500003); // "GP", version 0, flags: little-endian, XY envelope
  v.setInt32(o + 4, SRS_ID, true);
  v.setFloat64(o + 8, minX, true);
  v.setFloat64(o + 16, maxX, true);
  v.setFloat64(o + 24, minY, true);
  v.setFloat64(o + 32, maxY, true);
  v.setUint8(o + 40, 1);
  v.setUint32(o + 41, 6, true);
  v.setUint32(o + 45, polygons.length, true);
  o += 49;
  for (let i = 0; i < polygons.length; i++) {
    const rings = polygons[i] as number[][][];
    v.setUint8(o, 1);
    v.setUint32(o + 1, 3, true);
    v.setUint32(o + 5, rings.length, true);
    o += 9;
    for (let r = 0; r < rings.length; r++) {
      const ring = rings[r];
      v.setUint32(o, ring.length, true);
      o += 4;
      for (let k = 0; k < ring.length; k++) {
        v.setFloat64(o, ring[k][0], true);
        v.setFloat64(o + 8, ring[k][1], true);
        o += 16;
      }
    }
  }
  envelopes[at] = minX;
  envelopes[at + 1] = maxX;
  envelopes[at + 2] = minY;
  envelopes[at + 3] = maxY;
  return true;
}

type Problem = { feature: number; field: string; message: string };

/** A value as a column of `kind` stores it: null for a missing value or a column that has only held nulls. */
function stored(kind: ColumnKind | null, v: unknown): string | number | bigint | null {
  return v === null || v === undefined || kind === null ? null : encodeValue(kind, v);
}

/** The batch BatchEncoder is gathering: its features' properties and ids, and their geometry already encoded. */
class PendingBatch {
  count = 0;
  readonly properties: (Record<string, unknown> | null | undefined)[] = [];
  readonly ids: unknown[] = [];
  readonly kinds = new Map<string, ColumnKind | null>();
  idKind: ColumnKind | null = null;
  anyId = false;
  /** The key and kind the previous feature had at each place (see add). */
  readonly lastKeys: string[] = [];
  readonly lastKinds: (ColumnKind | null)[] = [];
  /** The first feature of the wrong shape; then the first geometry that cannot be stored. Shape problems win. */
  shapeProblem: Problem | null = null;
  geometryProblem: Problem | null = null;
  readonly out = new Bytes();
  ends = new Uint32Array(1024);
  envelopes = new Float64Array(4 * 1024);
  has = new Uint8Array(1024);
  hasZ = false;

  /** Room for row i in the per-row arrays (doubled as needed; transferred whole with the batch). */
  room(i: number): void {
    if (i < this.ends.length) return;
    const size = 2 * this.ends.length;
    const ends = new Uint32Array(size), envelopes = new Float64Array(4 * size), has = new Uint8Array(size);
    ends.set(this.ends);
    envelopes.set(this.envelopes);
    has.set(this.has);
    this.ends = ends;
    this.envelopes = envelopes;
    this.has = has;
  }
}

/**
 * Encodes the batches of one layer, in order, a feature at a time: add() encodes each geometry as it arrives, so
 * that a caller handing features over one by one need not keep their geometries until the batch ends (garbage
 * collection while reading and encoding the 200 MB polygon file on one thread: 1.08 s when a batch of 1000 features
 * was gathered first, 0.36 s so); take() ends the batch. Column kinds widen along the layer (see columns.ts): each
 * value is encoded for its column's kind after the batch that brings it, exactly as the writer declares the column
 * then.
 */
export class BatchEncoder {
  private readonly kinds = new Map<string, ColumnKind | null>();
  private idKind: ColumnKind | null = null;
  /** Features encoded so far: the index of the next batch's first feature. */
  rows = 0;
  private batch = new PendingBatch();

  constructor(readonly geometryType: LayerGeometryType) {}

  /** Features added since the last take(). */
  get pending(): number {
    return this.batch.count;
  }

  private failed(problem: Problem): EncodedBatch {
    return {
      encoded: true, geometryType: this.geometryType, count: 0, problem, keys: [], kinds: [], values: [],
      ids: null, idKind: null, geometry: new Uint8Array(0), ends: new Uint32Array(0), envelopes: new Float64Array(0), has: new Uint8Array(0), hasZ: false,
    };
  }

  /** The batch from these features: add() each, then take(). */
  encode(batch: unknown): EncodedBatch {
    if (!Array.isArray(batch)) return this.failed({ feature: this.rows, field: 'batch', message: 'expected an array of features' });
    for (let i = 0; i < batch.length; i++) this.add(batch[i]);
    return this.take();
  }

  /**
   * Adds a feature to the batch: its shape and property kinds are checked and its geometry encoded now. A feature of
   * the wrong shape anywhere in the batch fails it, whatever geometry came before (take() reports it).
   */
  add(feature: unknown): void {
    const b = this.batch;
    const i = b.count++;
    if (b.shapeProblem) return;
    const row = this.rows + i;
    const f = feature as Feature;
    if (f === null || typeof f !== 'object' || Array.isArray(f)) {
      b.shapeProblem = { feature: row, field: 'feature', message: 'expected a GeoJSON Feature object' };
      return;
    }
    const props = f.properties;
    if (props !== null && props !== undefined && (typeof props !== 'object' || Array.isArray(props))) {
      b.shapeProblem = { feature: row, field: 'properties', message: 'expected an object or null' };
      return;
    }
    if (f.id !== undefined && f.id !== null) {
      if (typeof f.id !== 'string' && typeof f.id !== 'number') {
        b.shapeProblem = { feature: row, field: 'id', message: 'expected a string or a number' };
        return;
      }
      b.anyId = true;
      b.idKind = joinKinds(b.idKind, kindOf(f.id));
    }
    if (props) {
      const { lastKeys, lastKinds } = b;
      let j = 0;
      for (const key in props) {
        const k = kindOf(props[key]);
        // The key and kind the previous feature had at this place are in the batch's kinds already (joins are
        // idempotent): features mostly repeat both, and this skips the map.
        if (j < lastKeys.length && lastKeys[j] === key && lastKinds[j] === k) {
          j++;
          continue;
        }
        lastKeys[j] = key;
        lastKinds[j] = k;
        j++;
        const before = b.kinds.get(key);
        if (before === undefined) b.kinds.set(key, k);
        else if (k !== null && k !== before) b.kinds.set(key, joinKinds(before, k));
      }
    }
    b.properties[i] = props;
    b.ids[i] = f.id;
    b.room(i);
    if (!b.geometryProblem) b.geometryProblem = this.addGeometry(b, i, row, f.geometry);
    b.ends[i] = b.out.length;
  }

  /** Encodes row i's geometry into the batch; the problem when it cannot be stored. */
  private addGeometry(b: PendingBatch, i: number, row: number, g: Geometry | null | undefined): Problem | null {
    if (g === null || g === undefined) return null;
    const expected = EXPECTED[this.geometryType];
    if (expected && g.type !== expected) {
      return { feature: row, field: 'geometry', message: `expected a ${expected} for a ${this.geometryType} layer, got ${String(g.type)}` };
    }
    const { out, envelopes } = b;
    const xy = g.type === 'Point' ? g.coordinates : null;
    if (xy && xy.length === 2 && Number.isFinite(xy[0]) && Number.isFinite(xy[1])) {
      const x = xy[0], y = xy[1];
      const at = out.reserve(POINT_BYTES); // before reading out.view: reserve may replace it
      writePoint(out.view, at, x, y);
      envelopes[4 * i] = x;
      envelopes[4 * i + 1] = x;
      envelopes[4 * i + 2] = y;
      envelopes[4 * i + 3] = y;
      b.has[i] = 1;
      return null;
    }
    if (g.type === 'MultiPolygon' && encodeMultiPolygonXY(g.coordinates, out, envelopes, 4 * i)) {
      b.has[i] = 1;
      return null;
    }
    try {
      const enc = encodeGpkgGeometry(g, SRS_ID);
      const at = out.reserve(enc.bytes.byteLength);
      out.buf.set(enc.bytes, at);
      if (enc.envelope) {
        envelopes.set(enc.envelope, 4 * i);
        b.has[i] = 1;
      }
      if (enc.hasZ) b.hasZ = true;
      return null;
    } catch (err) {
      if (err instanceof GeometryFormatError) return { feature: row, field: err.path, message: err.message.slice(err.path.length + 2) };
      throw err;
    }
  }

  /**
   * The batch add() and take() would make of `count` features given as columns: feature i a Point [lon[i], lat[i]]
   * (finite), with id ids[i] and properties keys[k] → values[k][i] (undefined: the feature has no such key), keys in
   * the order the batch's features first have them. Only between batches (no features added since the last take()).
   */
  encodePoints(count: number, lon: Float64Array, lat: Float64Array, ids: readonly (string | number)[], keys: readonly string[], values: readonly (readonly unknown[])[]): EncodedBatch {
    if (this.batch.count !== 0) throw new Error('BatchEncoder: encodePoints() while a batch of features is being added');
    if (this.geometryType !== 'POINT') throw new Error(`BatchEncoder: encodePoints() for a ${this.geometryType} layer`);
    const n = count;
    const geometry = new Uint8Array(POINT_BYTES * n);
    const view = new DataView(geometry.buffer);
    const ends = new Uint32Array(n), envelopes = new Float64Array(4 * n), has = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const x = lon[i], y = lat[i];
      writePoint(view, POINT_BYTES * i, x, y);
      ends[i] = POINT_BYTES * (i + 1);
      envelopes[4 * i] = x;
      envelopes[4 * i + 1] = x;
      envelopes[4 * i + 2] = y;
      envelopes[4 * i + 3] = y;
      has[i] = 1;
    }
    let idKind: ColumnKind | null = null;
    for (let i = 0; i < n; i++) idKind = joinKinds(idKind, kindOf(ids[i]));
    const anyId = n > 0;
    if (anyId) this.idKind = joinKinds(this.idKind, idKind);
    const kinds: (ColumnKind | null)[] = [];
    const columns = keys.map((key, k) => {
      const column = values[k];
      let batchKind: ColumnKind | null = null;
      for (let i = 0; i < n; i++) batchKind = joinKinds(batchKind, kindOf(column[i]));
      kinds.push(batchKind);
      const kind = this.widen(key, batchKind);
      const out: (string | number | bigint | null)[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = column[i];
        out[i] = stored(kind, v);
      }
      return out;
    });
    let encodedIds: (string | number | bigint | null)[] | null = null;
    if (anyId) {
      const kind = this.idKind;
      encodedIds = new Array(n);
      for (let i = 0; i < n; i++) encodedIds[i] = stored(kind, ids[i]);
    }
    this.rows += n;
    return {
      encoded: true, geometryType: this.geometryType, count: n, problem: null, keys: [...keys], kinds, values: columns, ids: encodedIds,
      idKind: anyId ? idKind : null, geometry, ends, envelopes, has, hasZ: false,
    };
  }

  /** The layer's kind for `key` after a batch whose values of it are `batchKind`, recorded: what its column is declared. */
  private widen(key: string, batchKind: ColumnKind | null): ColumnKind | null {
    const kind = joinKinds(this.kinds.get(key) ?? null, batchKind);
    this.kinds.set(key, kind);
    return kind;
  }

  /** The batch of the features added since the last take(), or its first problem (nothing else is set then). */
  take(): EncodedBatch {
    const b = this.batch;
    this.batch = new PendingBatch();
    const problem = b.shapeProblem ?? b.geometryProblem;
    if (problem) return this.failed(problem);
    const n = b.count;
    // The layer's kinds after this batch: what the writer's columns will be declared as.
    if (b.anyId) this.idKind = joinKinds(this.idKind, b.idKind);
    const keys = [...b.kinds.keys()];
    const kinds = keys.map((key) => b.kinds.get(key) ?? null);
    const values = keys.map((key, k) => {
      const kind = this.widen(key, kinds[k]);
      const column: (string | number | bigint | null)[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const props = b.properties[i];
        const v = props ? props[key] : null;
        column[i] = stored(kind, v);
      }
      return column;
    });
    let ids: (string | number | bigint | null)[] | null = null;
    if (b.anyId) {
      const kind = this.idKind;
      ids = new Array(n);
      for (let i = 0; i < n; i++) {
        const id = b.ids[i];
        ids[i] = stored(kind, id);
      }
    }
    this.rows += n;
    return {
      encoded: true, geometryType: this.geometryType, count: n, problem: null, keys, kinds, values, ids, idKind: b.anyId ? b.idKind : null,
      geometry: b.out.buf.subarray(0, b.out.length), ends: b.ends.subarray(0, n), envelopes: b.envelopes.subarray(0, 4 * n), has: b.has.subarray(0, n),
      hasZ: b.hasZ,
    };
  }
}
