// Writes one feature layer into a GeoPackage in ONE transaction: table, rows, rtree, contents, geometry
// columns, atlas_layers — committed together, or rolled back together on any error, abort or finish() throw.
import type Database from 'better-sqlite3';
import { LAYER_ROLES, type LayerRole } from '../../api/contract';
import { type Feature, type Geometry, InputError } from '../../gis/types';
import { clearCache, hasCache, staleTriggerNames, staleTriggersSql } from './cache';
import { type ColumnKind, columnName, encodeValue, joinKinds, kindOf, SQL_TYPES, tableSlug } from './columns';
import { encodeGpkgGeometry, GeometryFormatError } from './gpkg-geometry';
import { bulkLoadRtree, RtreeEntries } from './rtree-bulk';
import { nowIso, quoteIdent } from './sql';

export type LayerGeometryType = 'POINT' | 'POLYGON' | 'MULTIPOLYGON' | 'GEOMETRY';
const GEOMETRY_TYPES: readonly LayerGeometryType[] = ['POINT', 'POLYGON', 'MULTIPOLYGON', 'GEOMETRY'];
const EXPECTED: Record<LayerGeometryType, Geometry['type'] | null> = {
  POINT: 'Point', POLYGON: 'Polygon', MULTIPOLYGON: 'MultiPolygon', GEOMETRY: null,
};

export interface LayerMeta {
  name: string;
  role: LayerRole;
  geometryType: LayerGeometryType;
  /** Display field list (LayerInfo.fields); also guarantees these property columns exist. Default: every property key. */
  fields?: string[];
  source?: string;
  synthetic?: boolean;
}

export interface WriteLayerOptions {
  signal?: AbortSignal;
  /** Rows written so far, after each batch. */
  onProgress?: (rows: number) => void;
  /** Called after the last batch, before COMMIT; throwing rolls everything back. */
  finish?: () => void;
}

export interface StoredColumn { key: string; column: string; kind: ColumnKind }

/** How a layer's properties map onto columns; saved as JSON in atlas_layers.columns. */
export interface StoredColumns {
  /** Column holding the top-level Feature.id, when any feature had one. */
  featureId: { column: string; kind: ColumnKind } | null;
  properties: StoredColumn[];
}

/** A column while the import runs: kind null until a non-null value is seen (the column is added then). */
interface Pending { key: string; column: string; kind: ColumnKind | null; created: boolean }

export const SRS_ID = 4326;
/** A 2D point as encodeGpkgGeometry writes it: 8-byte header (no envelope) + 21-byte little-endian WKB. */
const POINT_BYTES = 29;

/** The bytes encodeGpkgGeometry gives a finite 2D Point, written in place (the bulk of a settlements import). */
function writePoint(v: DataView, at: number, x: number, y: number): void {
  v.setUint32(at, 0x47500001); // "GP", version 0, flags: little-endian, no envelope
  v.setInt32(at + 4, SRS_ID, true);
  v.setUint8(at + 8, 1);
  v.setUint32(at + 9, 1, true);
  v.setFloat64(at + 13, x, true);
  v.setFloat64(at + 21, y, true);
}
/** Rows per INSERT statement, within SQLite's limit on bound values. */
const GROUP_ROWS = 200;
const MAX_VARIABLES = 30000;

/** Thrown when the caller's signal fires; the workspace maps it to its 'aborted' error. */
export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortedError';
  }
}

function nameTaken(db: Database.Database, name: string): boolean {
  return db.prepare('SELECT 1 FROM sqlite_schema WHERE name = ? COLLATE NOCASE').get(name) !== undefined;
}

/** `<slug>_<n>` with the first n not taken by any table, index or trigger. */
export function uniqueTableName(db: Database.Database, name: string, role: LayerRole): string {
  const slug = tableSlug(name, role) || role;
  for (let n = 1; ; n++) {
    const candidate = `${slug}_${n}`;
    const derived = [`rtree_${candidate}_geom`, ...staleTriggerNames(candidate)];
    if (!nameTaken(db, candidate) && !derived.some((d) => nameTaken(db, d))) return candidate;
  }
}

function uniqueIdentifier(db: Database.Database, name: string): string {
  const taken = db.prepare('SELECT 1 FROM gpkg_contents WHERE identifier = ?');
  let id = name;
  for (let n = 2; taken.get(id) !== undefined; n++) id = `${name} (${n})`;
  return id;
}

function validateMeta(meta: LayerMeta): void {
  const bad = (field: string, expected: string, got: unknown): never => {
    throw new TypeError(`writeLayer: meta.${field}: expected ${expected}, got ${JSON.stringify(got)}`);
  };
  if (typeof meta?.name !== 'string' || meta.name.trim() === '') bad('name', 'a non-empty string', meta?.name);
  if (!LAYER_ROLES.includes(meta.role)) bad('role', LAYER_ROLES.join('|'), meta.role);
  if (!GEOMETRY_TYPES.includes(meta.geometryType)) bad('geometryType', GEOMETRY_TYPES.join('|'), meta.geometryType);
  if (meta.fields !== undefined && !(Array.isArray(meta.fields) && meta.fields.every((f) => typeof f === 'string'))) {
    bad('fields', 'an array of strings', meta.fields);
  }
}

const rtreeName = (table: string) => `rtree_${table}_geom`;

/** The GeoPackage 1.3 rtree triggers (as GDAL 3.6 writes them); their ST_* functions come from registerFunctions. */
function rtreeTriggers(table: string): string {
  const t = quoteIdent(table);
  const r = quoteIdent(rtreeName(table));
  const tr = (suffix: string) => quoteIdent(`${rtreeName(table)}_${suffix}`);
  const bounds = 'NEW."fid", ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"), ST_MinY(NEW."geom"), ST_MaxY(NEW."geom")';
  return `
CREATE TRIGGER ${tr('insert')} AFTER INSERT ON ${t} WHEN (new."geom" NOT NULL AND NOT ST_IsEmpty(NEW."geom"))
BEGIN INSERT OR REPLACE INTO ${r} VALUES (${bounds}); END;
CREATE TRIGGER ${tr('update1')} AFTER UPDATE OF "geom" ON ${t} WHEN OLD."fid" = NEW."fid" AND (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom"))
BEGIN INSERT OR REPLACE INTO ${r} VALUES (${bounds}); END;
CREATE TRIGGER ${tr('update2')} AFTER UPDATE OF "geom" ON ${t} WHEN OLD."fid" = NEW."fid" AND (NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom"))
BEGIN DELETE FROM ${r} WHERE id = OLD."fid"; END;
CREATE TRIGGER ${tr('update3')} AFTER UPDATE ON ${t} WHEN OLD."fid" != NEW."fid" AND (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom"))
BEGIN DELETE FROM ${r} WHERE id = OLD."fid"; INSERT OR REPLACE INTO ${r} VALUES (${bounds}); END;
CREATE TRIGGER ${tr('update4')} AFTER UPDATE ON ${t} WHEN OLD."fid" != NEW."fid" AND (NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom"))
BEGIN DELETE FROM ${r} WHERE id IN (OLD."fid", NEW."fid"); END;
CREATE TRIGGER ${tr('delete')} AFTER DELETE ON ${t} WHEN old."geom" NOT NULL
BEGIN DELETE FROM ${r} WHERE id = OLD."fid"; END;
`;
}

/**
 * The blob encodeGpkgGeometry gives a MultiPolygon whose positions are all finite [x, y] pairs (what imports write),
 * from one checking pass and one writing pass; its envelope goes to envelopes[at, at + 4). Null for anything else
 * (empty, 3D, malformed): the generic encoder then encodes it or names the problem.
 */
function encodeMultiPolygonXY(polygons: unknown, envelopes: Float64Array, at: number): Buffer | null {
  if (!Array.isArray(polygons)) return null;
  let bytes = 8 + 32 + 9;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < polygons.length; i++) {
    const rings: unknown = polygons[i];
    if (!Array.isArray(rings)) return null;
    bytes += 9;
    for (let r = 0; r < rings.length; r++) {
      const ring: unknown = rings[r];
      if (!Array.isArray(ring)) return null;
      bytes += 4 + 16 * ring.length;
      for (let k = 0; k < ring.length; k++) {
        const p: unknown = ring[k];
        if (!Array.isArray(p) || p.length !== 2) return null;
        const x: unknown = p[0], y: unknown = p[1];
        if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return null;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  if (minX > maxX) return null;
  // Small blobs come from Buffer's shared pool: no ArrayBuffer per feature. SQLite copies the bytes at run().
  const blob = Buffer.allocUnsafe(bytes);
  const v = new DataView(blob.buffer, blob.byteOffset, bytes);
  v.setUint32(0, 0x47500003); // "GP", version 0, flags: little-endian, XY envelope
  v.setInt32(4, SRS_ID, true);
  v.setFloat64(8, minX, true);
  v.setFloat64(16, maxX, true);
  v.setFloat64(24, minY, true);
  v.setFloat64(32, maxY, true);
  v.setUint8(40, 1);
  v.setUint32(41, 6, true);
  v.setUint32(45, polygons.length, true);
  let o = 49;
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
  return blob;
}

class LayerBuilder {
  readonly columns: Pending[] = [];
  private readonly byKey = new Map<string, Pending>();
  featureId: Pending | null = null;
  private readonly used = new Set(['fid', 'geom']);
  /** Insert statements for the current columns, by rows per statement. */
  private inserts = new Map<number, Database.Statement>();
  private readonly rtree = new RtreeEntries();
  rows = 0;
  hasZ = false;
  minX = Infinity; minY = Infinity; maxX = -Infinity; maxY = -Infinity;

  constructor(
    private readonly db: Database.Database,
    readonly table: string,
    private readonly meta: LayerMeta,
    private readonly signal: AbortSignal | undefined,
  ) {
    db.exec(`CREATE TABLE ${quoteIdent(table)} ("fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "geom" ${meta.geometryType})`);
    db.exec(`CREATE VIRTUAL TABLE ${quoteIdent(rtreeName(table))} USING rtree(id, minx, maxx, miny, maxy)`);
  }

  private source(): string {
    return this.meta.source ?? this.meta.name;
  }

  private issue(index: number, field: string, message: string): InputError {
    return new InputError([{ source: this.source(), feature: index, field, message }]);
  }

  private pending(key: string): Pending {
    let p = this.byKey.get(key);
    if (!p) {
      p = { key, column: columnName(key, this.used), kind: null, created: false };
      this.byKey.set(key, p);
      this.columns.push(p);
    }
    return p;
  }

  /** Checks each feature's shape and widens/creates columns for the kinds this batch brings. */
  private plan(batch: unknown[], first: number): void {
    const kinds = new Map<string, ColumnKind | null>();
    let idKind: ColumnKind | null = null;
    let anyId = false;
    for (let i = 0; i < batch.length; i++) {
      const f = batch[i] as Feature;
      if (f === null || typeof f !== 'object' || Array.isArray(f)) throw this.issue(first + i, 'feature', 'expected a GeoJSON Feature object');
      const props = f.properties;
      if (props !== null && props !== undefined && (typeof props !== 'object' || Array.isArray(props))) {
        throw this.issue(first + i, 'properties', 'expected an object or null');
      }
      if (f.id !== undefined && f.id !== null) {
        if (typeof f.id !== 'string' && typeof f.id !== 'number') throw this.issue(first + i, 'id', 'expected a string or a number');
        anyId = true;
        idKind = joinKinds(idKind, kindOf(f.id));
      }
      if (props) {
        for (const key in props) {
          const k = kindOf(props[key]);
          if (kinds.has(key)) kinds.set(key, joinKinds(kinds.get(key) ?? null, k));
          else kinds.set(key, k);
        }
      }
    }
    const widen: { p: Pending; from: ColumnKind }[] = [];
    let changed = false;
    const apply = (p: Pending, k: ColumnKind | null) => {
      const next = joinKinds(p.kind, k);
      if (next === p.kind || next === null) return;
      if (p.created) widen.push({ p, from: p.kind as ColumnKind });
      else {
        this.db.exec(`ALTER TABLE ${quoteIdent(this.table)} ADD COLUMN ${quoteIdent(p.column)} ${SQL_TYPES[next]}`);
        p.created = true;
        changed = true;
      }
      p.kind = next;
    };
    if (anyId) {
      // Property keys seen so far keep their names; the id column takes the next free name.
      for (const key of kinds.keys()) this.pending(key);
      if (!this.featureId) this.featureId = { key: '', column: columnName('feature_id', this.used), kind: null, created: false };
      apply(this.featureId, idKind);
    }
    for (const [key, k] of kinds) apply(this.pending(key), k);
    if (widen.length) this.rebuild(widen);
    if (changed || widen.length) this.inserts.clear();
  }

  /** Re-creates the table with wider column types; values are re-encoded by the same JS code as new rows. */
  private rebuild(widen: { p: Pending; from: ColumnKind }[]): void {
    const tmp = `${this.table}__rebuild`;
    const created = this.created();
    const defs = created.map((p) => `${quoteIdent(p.column)} ${SQL_TYPES[p.kind as ColumnKind]}`);
    this.db.exec(`CREATE TABLE ${quoteIdent(tmp)} ("fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, ` +
      `"geom" ${this.meta.geometryType}${defs.map((d) => `, ${d}`).join('')})`);
    const from = new Map(widen.map((w) => [w.p, w.from]));
    const exprs = created.map((p) => {
      const old = from.get(p);
      return old ? `atlas_convert(${quoteIdent(p.column)}, '${old}', '${p.kind}')` : quoteIdent(p.column);
    });
    const cols = created.map((p) => quoteIdent(p.column));
    this.db.exec(`INSERT INTO ${quoteIdent(tmp)} ("fid", "geom"${cols.map((c) => `, ${c}`).join('')}) ` +
      `SELECT "fid", "geom"${exprs.map((e) => `, ${e}`).join('')} FROM ${quoteIdent(this.table)}`);
    this.db.exec(`DROP TABLE ${quoteIdent(this.table)}`);
    this.db.exec(`ALTER TABLE ${quoteIdent(tmp)} RENAME TO ${quoteIdent(this.table)}`);
  }

  /** Created columns in table order (the id column first among those added with it). */
  private created(): Pending[] {
    const all = this.featureId ? [this.featureId, ...this.columns] : this.columns;
    return all.filter((p) => p.created);
  }

  /** The INSERT for `rows` rows of the current columns (`cols` values each). */
  private statement(rows: number, cols: number): Database.Statement {
    let stmt = this.inserts.get(rows);
    if (!stmt) {
      const names = ['"geom"', ...this.created().map((p) => quoteIdent(p.column))];
      const row = `(${names.map(() => '?').join(', ')})`;
      stmt = this.db.prepare(`INSERT INTO ${quoteIdent(this.table)} (${names.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')}`);
      if (names.length !== cols) throw new Error(`layer-writer: ${names.length} columns, ${cols} values per row`);
      this.inserts.set(rows, stmt);
    }
    return stmt;
  }

  addBatch(batch: unknown): void {
    if (!Array.isArray(batch)) throw this.issue(this.rows, 'batch', 'expected an array of features');
    const first = this.rows;
    this.plan(batch, first);
    const cols = this.created();
    const width = cols.length + 1;
    // Many rows per INSERT: the per-statement call, not SQLite, is most of the cost of a small row. The rows of one
    // statement get consecutive fids (AUTOINCREMENT inside this transaction), so the last one gives them all.
    const group = Math.max(1, Math.min(GROUP_ROWS, Math.floor(MAX_VARIABLES / width), batch.length));
    const values: unknown[] = new Array(group * width);
    // Point blobs of this group are views into one buffer, not an ArrayBuffer each (SQLite copies them at run()).
    const points = Buffer.allocUnsafeSlow(group * POINT_BYTES);
    const pointView = new DataView(points.buffer, points.byteOffset, points.byteLength);
    const envelopes = new Float64Array(4 * group);
    const has = new Uint8Array(group);
    const expected = EXPECTED[this.meta.geometryType];
    let pending = 0;
    const flush = (rows: number) => {
      if (rows === 0) return;
      if (rows < group) values.length = rows * width;
      const last = Number(this.statement(rows, width).run(values).lastInsertRowid);
      for (let k = 0; k < rows; k++) {
        if (!has[k]) continue;
        const x0 = envelopes[4 * k], x1 = envelopes[4 * k + 1], y0 = envelopes[4 * k + 2], y1 = envelopes[4 * k + 3];
        this.rtree.add(last - rows + 1 + k, x0, x1, y0, y1);
        if (x0 < this.minX) this.minX = x0;
        if (x1 > this.maxX) this.maxX = x1;
        if (y0 < this.minY) this.minY = y0;
        if (y1 > this.maxY) this.maxY = y1;
      }
    };
    for (let i = 0; i < batch.length; i++) {
      if (this.signal?.aborted) throw new AbortedError();
      const f = batch[i] as Feature;
      const g = f.geometry;
      let blob: Buffer | null = null;
      has[pending] = 0;
      if (g !== null && g !== undefined) {
        if (expected && g.type !== expected) {
          throw this.issue(first + i, 'geometry', `expected a ${expected} for a ${this.meta.geometryType} layer, got ${String(g.type)}`);
        }
        const xy = g.type === 'Point' ? g.coordinates : null;
        if (xy && xy.length === 2 && Number.isFinite(xy[0]) && Number.isFinite(xy[1])) {
          const x = xy[0], y = xy[1];
          const at = pending * POINT_BYTES;
          writePoint(pointView, at, x, y);
          blob = points.subarray(at, at + POINT_BYTES);
          envelopes[4 * pending] = x;
          envelopes[4 * pending + 1] = x;
          envelopes[4 * pending + 2] = y;
          envelopes[4 * pending + 3] = y;
          has[pending] = 1;
        } else if (g.type === 'MultiPolygon' && (blob = encodeMultiPolygonXY(g.coordinates, envelopes, 4 * pending)) !== null) {
          has[pending] = 1;
        } else {
          try {
            const enc = encodeGpkgGeometry(g, SRS_ID);
            blob = Buffer.from(enc.bytes.buffer, enc.bytes.byteOffset, enc.bytes.byteLength);
            if (enc.envelope) {
              envelopes.set(enc.envelope, 4 * pending);
              has[pending] = 1;
            }
            if (enc.hasZ) this.hasZ = true;
          } catch (err) {
            if (err instanceof GeometryFormatError) throw this.issue(first + i, err.path, err.message.slice(err.path.length + 2));
            throw err;
          }
        }
      }
      const o = pending * width;
      values[o] = blob;
      const props = f.properties;
      for (let c = 0; c < cols.length; c++) {
        const p = cols[c];
        const v = p === this.featureId ? f.id : props ? props[p.key] : null;
        values[o + c + 1] = encodeValue(p.kind as ColumnKind, v);
      }
      if (++pending === group) {
        flush(group);
        pending = 0;
      }
    }
    flush(pending);
    this.rows += batch.length;
  }

  /** Adds columns that only ever held null (and requested fields never seen) as TEXT, then registers everything. */
  register(): number {
    for (const key of this.meta.fields ?? []) this.pending(key);
    for (const p of this.columns) {
      if (p.created) continue;
      p.kind = 'text';
      this.db.exec(`ALTER TABLE ${quoteIdent(this.table)} ADD COLUMN ${quoteIdent(p.column)} TEXT`);
      p.created = true;
    }
    const db = this.db;
    const empty = this.minX > this.maxX;
    db.prepare(`INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change,
        min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?, ?, ?, ?, ?)`)
      .run(this.table, uniqueIdentifier(db, this.meta.name), this.meta.name,
        empty ? null : this.minX, empty ? null : this.minY, empty ? null : this.maxX, empty ? null : this.maxY, SRS_ID);
    db.prepare("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, ?, 0)")
      .run(this.table, this.meta.geometryType, SRS_ID, this.hasZ ? 2 : 0);
    const dataColumn = db.prepare("INSERT INTO gpkg_data_columns (table_name, column_name, mime_type) VALUES (?, ?, 'application/json')");
    for (const p of this.created()) if (p.kind === 'json') dataColumn.run(this.table, p.column);
    db.prepare("INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')")
      .run(this.table);
    bulkLoadRtree(db, rtreeName(this.table), this.rtree);
    db.exec(rtreeTriggers(this.table));
    if (hasCache(db)) db.exec(staleTriggersSql(this.table));
    const stored: StoredColumns = {
      featureId: this.featureId?.created ? { column: this.featureId.column, kind: this.featureId.kind as ColumnKind } : null,
      properties: this.columns.map((p) => ({ key: p.key, column: p.column, kind: p.kind as ColumnKind })),
    };
    const fields = this.meta.fields ?? this.columns.map((p) => p.key);
    const info = db.prepare(`INSERT INTO atlas_layers (table_name, role, name, source, synthetic, created_at, geometry_type,
        feature_count, fields, columns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(this.table, this.meta.role, this.meta.name, this.meta.source ?? null, this.meta.synthetic ? 1 : 0, nowIso(),
        this.meta.geometryType, this.rows, JSON.stringify(fields), JSON.stringify(stored));
    return Number(info.lastInsertRowid);
  }
}

/**
 * Iterates `batches`, throwing AbortedError as soon as the signal fires, even while the source is
 * still awaiting its next batch (a stalled reader must not hold the write transaction open).
 */
async function* abortable<T>(batches: AsyncIterable<T> | Iterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  if (!signal) {
    yield* batches;
    return;
  }
  const it = Symbol.asyncIterator in batches
    ? (batches as AsyncIterable<T>)[Symbol.asyncIterator]()
    : (batches as Iterable<T>)[Symbol.iterator]();
  try {
    while (true) {
      if (signal.aborted) throw new AbortedError();
      const r = await nextOrAbort(it, signal);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    // Let the source close its files. Not awaited: a source stalled inside next() would never settle it.
    const closing = it.return?.() as unknown;
    if (closing instanceof Promise) closing.catch(() => {});
  }
}

/**
 * The source's next batch, or AbortedError when the signal fires first. A fresh listener per call: racing every
 * next() against one long-lived abort promise would keep each race's result (every batch) reachable until the end.
 */
function nextOrAbort<T>(it: AsyncIterator<T> | Iterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new AbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(it.next()).then(
      (r) => { signal.removeEventListener('abort', onAbort); resolve(r); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

/** One layer of a multi-layer write. A function as `batches` is called only once the layers before it are written. */
export interface LayerWrite {
  meta: LayerMeta;
  batches: AsyncIterable<Feature[]> | Iterable<Feature[]> | (() => AsyncIterable<Feature[]> | Iterable<Feature[]>);
}

/**
 * Imports `batches` as a new layer inside BEGIN IMMEDIATE … COMMIT and returns the atlas_layers id.
 * Any throw (from the source, a bad feature, the signal, finish() or SQLite) rolls the whole import back.
 * The connection must have registerFunctions() applied and no open transaction.
 */
export async function writeLayerTransaction(
  db: Database.Database,
  meta: LayerMeta,
  batches: AsyncIterable<Feature[]> | Iterable<Feature[]>,
  opts: WriteLayerOptions = {},
): Promise<number> {
  return (await writeLayersTransaction(db, [{ meta, batches }], opts))[0];
}

/** Several layers in ONE transaction: all of them are written, or none (e.g. sites and the sectors derived from them). */
export async function writeLayersTransaction(
  db: Database.Database,
  layers: readonly LayerWrite[],
  opts: WriteLayerOptions = {},
): Promise<number[]> {
  for (const l of layers) validateMeta(l.meta);
  const { signal, onProgress, finish } = opts;
  if (signal?.aborted) throw new AbortedError();
  db.exec('BEGIN IMMEDIATE');
  try {
    // A new layer changes what an analysis reads: derived data goes in the same transaction.
    clearCache(db);
    const ids: number[] = [];
    let before = 0;
    for (const { meta, batches } of layers) {
      const builder = new LayerBuilder(db, uniqueTableName(db, meta.name, meta.role), meta, signal);
      const source = typeof batches === 'function' ? batches() : batches;
      for await (const batch of abortable(source, signal)) {
        builder.addBatch(batch);
        onProgress?.(before + builder.rows);
      }
      ids.push(builder.register());
      before += builder.rows;
    }
    finish?.();
    if (signal?.aborted) throw new AbortedError();
    db.exec('COMMIT');
    return ids;
  } catch (err) {
    // SQLite may already have rolled back by itself (SQLITE_FULL, SQLITE_IOERR).
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
