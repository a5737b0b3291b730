// Writes one feature layer into a GeoPackage in ONE transaction: table, rows, rtree, contents, geometry
// columns, atlas_layers — committed together, or rolled back together on any error, abort or finish() throw.
import type Database from 'better-sqlite3';
import { LAYER_ROLES, type LayerRole } from '../../api/contract';
import { type Feature, InputError } from '../../gis/types';
import { BatchEncoder, type EncodedBatch, isEncodedBatch, type LayerGeometryType, SRS_ID } from './batch-encoder';
import { clearCache, hasCache, staleTriggerNames, staleTriggersSql } from './cache';
import { type ColumnKind, columnName, joinKinds, SQL_TYPES, tableSlug } from './columns';
import { bulkLoadRtree, RtreeEntries } from './rtree-bulk';
import { nowIso, quoteIdent } from './sql';

export { SRS_ID, type EncodedBatch, type LayerGeometryType } from './batch-encoder';
const GEOMETRY_TYPES: readonly LayerGeometryType[] = ['POINT', 'POLYGON', 'MULTIPOLYGON', 'GEOMETRY'];

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

class LayerBuilder {
  readonly columns: Pending[] = [];
  private readonly byKey = new Map<string, Pending>();
  featureId: Pending | null = null;
  private readonly used = new Set(['fid', 'geom']);
  /** Insert statements for the current columns, by rows per statement. */
  private inserts = new Map<number, Database.Statement>();
  private readonly rtree = new RtreeEntries();
  private readonly encoder: BatchEncoder;
  rows = 0;
  hasZ = false;
  minX = Infinity; minY = Infinity; maxX = -Infinity; maxY = -Infinity;

  constructor(
    private readonly db: Database.Database,
    readonly table: string,
    private readonly meta: LayerMeta,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.encoder = new BatchEncoder(meta.geometryType);
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

  /** Widens/creates columns for the kinds this batch brings. */
  private plan(b: EncodedBatch): void {
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
    if (b.ids) {
      // Property keys seen so far keep their names; the id column takes the next free name.
      for (const key of b.keys) this.pending(key);
      if (!this.featureId) this.featureId = { key: '', column: columnName('feature_id', this.used), kind: null, created: false };
      apply(this.featureId, b.idKind);
    }
    for (let k = 0; k < b.keys.length; k++) apply(this.pending(b.keys[k]), b.kinds[k]);
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

  /** Writes a batch of features, or of rows already encoded (by an import's worker thread) with a BatchEncoder. */
  addBatch(batch: unknown): void {
    const b = isEncodedBatch(batch) ? batch : this.encoder.encode(batch);
    if (b.problem) throw this.issue(b.problem.feature, b.problem.field, b.problem.message);
    if (b.geometryType !== this.meta.geometryType) {
      throw new Error(`layer-writer: a batch encoded for ${b.geometryType} geometries in a ${this.meta.geometryType} layer`);
    }
    this.plan(b);
    if (b.hasZ) this.hasZ = true;
    const cols = this.created();
    const width = cols.length + 1;
    const sources = cols.map((p) => (p === this.featureId ? b.ids : b.values[b.keys.indexOf(p.key)] ?? null));
    // Many rows per INSERT: the per-statement call, not SQLite, is most of the cost of a small row. The rows of one
    // statement get consecutive fids (AUTOINCREMENT inside this transaction), so the last one gives them all.
    const n = b.count;
    const group = Math.max(1, Math.min(GROUP_ROWS, Math.floor(MAX_VARIABLES / width), n));
    const values: unknown[] = new Array(group * width);
    const bytes = Buffer.from(b.geometry.buffer, b.geometry.byteOffset, b.geometry.byteLength);
    const { ends, envelopes, has } = b;
    for (let start = 0; start < n; start += group) {
      if (this.signal?.aborted) throw new AbortedError();
      const rows = Math.min(group, n - start);
      if (rows < group) values.length = rows * width;
      for (let k = 0; k < rows; k++) {
        const i = start + k;
        const from = i === 0 ? 0 : ends[i - 1];
        const o = k * width;
        // Blobs are views into the batch's bytes: SQLite copies them at run().
        values[o] = ends[i] > from ? bytes.subarray(from, ends[i]) : null;
        for (let c = 0; c < cols.length; c++) {
          const src = sources[c];
          values[o + c + 1] = src ? src[i] : null;
        }
      }
      const last = Number(this.statement(rows, width).run(values).lastInsertRowid);
      for (let k = 0; k < rows; k++) {
        const i = start + k;
        if (!has[i]) continue;
        const x0 = envelopes[4 * i], x1 = envelopes[4 * i + 1], y0 = envelopes[4 * i + 2], y1 = envelopes[4 * i + 3];
        this.rtree.add(last - rows + 1 + k, x0, x1, y0, y1);
        if (x0 < this.minX) this.minX = x0;
        if (x1 > this.maxX) this.maxX = x1;
        if (y0 < this.minY) this.minY = y0;
        if (y1 > this.maxY) this.maxY = y1;
      }
    }
    this.rows += n;
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
export type LayerBatch = Feature[] | EncodedBatch;

export interface LayerWrite {
  meta: LayerMeta;
  batches: AsyncIterable<LayerBatch> | Iterable<LayerBatch> | (() => AsyncIterable<LayerBatch> | Iterable<LayerBatch>);
}

/**
 * Imports `batches` as a new layer inside BEGIN IMMEDIATE … COMMIT and returns the atlas_layers id.
 * Any throw (from the source, a bad feature, the signal, finish() or SQLite) rolls the whole import back.
 * The connection must have registerFunctions() applied and no open transaction.
 */
export async function writeLayerTransaction(
  db: Database.Database,
  meta: LayerMeta,
  batches: AsyncIterable<LayerBatch> | Iterable<LayerBatch>,
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
