// The workspace: one GeoPackage 1.3 file holding the imported layers plus the app's own atlas_ tables.
// Writes are single transactions; another process writing the same file is kept out by a lock file.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, copyFileSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statfsSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import type { CoverageColumns } from '../../api/columns';
import type { Bbox, LayerInfo, LayerRole, WorkspaceInfo } from '../../api/contract';
import type { Feature } from '../../gis/types';
import {
  aborted, alreadyExists, busyWriting, closedWorkspace, invalidArgument, mapSqliteError, notAtlasWorkspace,
  notFound, notGeoPackage, readOnlyWrite, reasons, unknownLayer, WorkspaceError,
} from './errors';
import { type CacheEntry, clearCache, hasCache, readCache, writeCache } from './cache';
import { readCoverageColumns } from './coverage-columns';
import { readLayerFeatures } from './layer-reader';
import { AbortedError, type LayerBatch, type LayerMeta, type LayerWrite, type StoredColumns, type WriteLayerOptions, writeLayersTransaction } from './layer-writer';
import { WriteLock } from './lock';
import { createSchemaV1, GPKG_APPLICATION_ID, migrate, readSchemaVersion, SCHEMA_VERSION } from './migrations';
import { quoteIdent, registerFunctions } from './sql';

export { SCHEMA_VERSION, MIGRATIONS } from './migrations';
export { WorkspaceError, type WorkspaceErrorCode } from './errors';
export type { LayerMeta, LayerWrite, WriteLayerOptions, LayerGeometryType } from './layer-writer';

export const APP_VERSION: string = pkg.version;
const BUSY_TIMEOUT_MS = 5000;

interface LayerRow {
  id: number; table_name: string; role: LayerRole; name: string; source: string | null; synthetic: number;
  created_at: string; geometry_type: LayerInfo['geometryType']; feature_count: number; fields: string; columns: string;
  min_x: number | null; min_y: number | null; max_x: number | null; max_y: number | null;
}

export interface AnalysisRun { id: number; createdAt: string; options: unknown; summary: unknown }

function toLayerInfo(r: LayerRow): LayerInfo {
  const bbox: Bbox | null = r.min_x === null || r.min_y === null || r.max_x === null || r.max_y === null
    ? null : [r.min_x, r.min_y, r.max_x, r.max_y];
  return {
    id: r.id, table: r.table_name, name: r.name, role: r.role, geometryType: r.geometry_type,
    featureCount: r.feature_count, bbox, fields: JSON.parse(r.fields) as string[], source: r.source,
    synthetic: r.synthetic === 1, createdAt: r.created_at,
  };
}

const LAYER_SELECT = `SELECT l.*, c.min_x, c.min_y, c.max_x, c.max_y
  FROM atlas_layers l JOIN gpkg_contents c ON c.table_name = l.table_name`;

function isSqliteFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(16);
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK); // the -wal, -shm and lock files live beside it
    return true;
  } catch {
    return false;
  }
}

/**
 * Bytes per page of new workspaces. An import is one transaction that ends in a checkpoint copying every page it
 * wrote from the WAL into the file: with 32 KiB pages that copy of a 315 MB import took 0.36–0.41 s, against
 * 0.65–0.68 s with SQLite's default 4 KiB (bench/RESULTS.md, "Seventh session").
 */
export const WORKSPACE_PAGE_SIZE = 32768;

function configure(db: Database.Database, readOnly: boolean): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  if (!readOnly) {
    db.pragma('journal_mode = WAL');
    // One fsync per commit: an import is one commit, so full durability costs little.
    db.pragma('synchronous = FULL');
    // A 64 MiB page cache halves the time of 500k-row imports (fewer spills of uncommitted pages to the WAL).
    db.pragma('cache_size = -65536');
  }
  registerFunctions(db);
}

/** `<file>.bak-v<N>`, or with a time suffix when that backup already exists (never overwrite a backup). */
function backupPath(path: string, version: number): string {
  const base = `${path}.bak-v${version}`;
  return existsSync(base) ? `${base}-${new Date().toISOString().replace(/[:.]/g, '-')}` : base;
}

/**
 * Creates a workspace file at `schemaVersion` (default: current) through the version-1 code path plus
 * migrations, so old versions can be produced for migration tests. The connection is returned open.
 */
function initFile(path: string, opts: { name?: string; synthetic?: boolean }, schemaVersion: number): Database.Database {
  const db = new Database(path);
  try {
    // Only a new file takes a page size, before its first write (WAL mode writes one). See WORKSPACE_PAGE_SIZE.
    db.pragma(`page_size = ${WORKSPACE_PAGE_SIZE}`);
    configure(db, false);
    db.transaction(() => createSchemaV1(db, {
      // Unnamed, a workspace is called after its file: the name is shown in the app's title, in either language.
      name: opts.name ?? (basename(path, extname(path)) || basename(path)), synthetic: opts.synthetic ?? false, appVersion: APP_VERSION,
    })).immediate();
    migrate(db, 1, APP_VERSION, schemaVersion);
    return db;
  } catch (err) {
    db.close();
    for (const f of [path, `${path}-wal`, `${path}-shm`]) {
      try { unlinkSync(f); } catch { /* not created */ }
    }
    throw mapSqliteError(err, path);
  }
}

/** Creates a workspace file at an older schema version and closes it (for migration tests and tools). */
export function createWorkspaceFile(path: string, opts: { name?: string; synthetic?: boolean; schemaVersion: number }): void {
  if (!Number.isInteger(opts.schemaVersion) || opts.schemaVersion < 1 || opts.schemaVersion > SCHEMA_VERSION) {
    throw new RangeError(`schemaVersion: expected 1..${SCHEMA_VERSION}, got ${opts.schemaVersion}`);
  }
  if (existsSync(path)) throw alreadyExists(path);
  initFile(path, opts, opts.schemaVersion).close();
}

export class Workspace {
  readonly path: string;
  readonly readOnly: boolean;
  readonly readOnlyReason: string | null;
  #db: Database.Database | null;
  #lock: WriteLock | null;
  #writing = false;

  /** A private copy opened instead of the file itself (read-only media): removed on close. */
  #copyDir: string | null = null;

  private constructor(path: string, db: Database.Database, lock: WriteLock | null, readOnlyReason: string | null) {
    this.path = path;
    this.#db = db;
    this.#lock = lock;
    this.readOnly = readOnlyReason !== null;
    this.readOnlyReason = readOnlyReason;
  }

  /** Creates a new, empty workspace; throws if the file exists. */
  static create(path: string, opts: { name?: string; synthetic?: boolean } = {}): Workspace {
    if (existsSync(path)) throw alreadyExists(path);
    if (!existsSync(dirname(path))) {
      throw new WorkspaceError('not-found', '目标文件夹不存在', 'The target folder does not exist', dirname(path));
    }
    const taken = WriteLock.acquire(path);
    if (!taken.ok) {
      const o = taken.owner;
      throw new WorkspaceError('locked', reasons.locked(o.pid, o.host, o.since), 'The path is locked by another process', path);
    }
    try {
      return new Workspace(path, initFile(path, opts, SCHEMA_VERSION), taken.lock, null);
    } catch (err) {
      taken.lock.release();
      throw err;
    }
  }

  /**
   * Opens a workspace. Older schemas are migrated (after a `<file>.bak-v<N>` copy) when writable.
   * Opens read-only, with `readOnlyReason`, when asked to, when the file is not writable, when another
   * process holds the write lock, or when a newer app wrote it. A plain GeoPackage without the atlas_
   * tables is refused with a 'not-atlas' error naming its layers: import those layers instead.
   */
  static open(path: string, opts: { readOnly?: boolean } = {}): Workspace {
    if (!existsSync(path)) throw notFound(path);
    if (!isSqliteFile(path)) throw notGeoPackage(path, 'not an SQLite database');
    let reason: string | null = opts.readOnly ? reasons.requested() : null;
    if (!reason && !writable(path)) reason = reasons.notWritable();
    let lock: WriteLock | null = null;
    if (!reason) {
      try {
        const taken = WriteLock.acquire(path);
        if (taken.ok) lock = taken.lock;
        else reason = reasons.locked(taken.owner.pid, taken.owner.host, taken.owner.since);
      } catch {
        reason = reasons.notWritable();
      }
    }
    let db: Database.Database | null = null;
    let copyDir: string | null = null;
    try {
      db = new Database(path, { readonly: reason !== null, fileMustExist: true });
      configure(db, reason !== null);
      if (reason !== null && !canRead(db)) {
        // A WAL database needs its -shm beside it even to be read; on read-only media or in a folder we may not
        // write, it cannot be made. Read a private copy instead (better-sqlite3 has no URI for immutable=1).
        db.close();
        copyDir = mkdtempSync(join(tmpdir(), 'atlas-readonly-'));
        const copy = join(copyDir, basename(path));
        copyFileSync(path, copy);
        if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
        db = new Database(copy, { readonly: true, fileMustExist: true });
        configure(db, true);
      }
      const appId = db.pragma('application_id', { simple: true }) as number;
      if (appId !== GPKG_APPLICATION_ID) throw notGeoPackage(path, `application_id 0x${(appId >>> 0).toString(16)}, expected 0x47504b47`);
      const version = readSchemaVersion(db);
      if (version === null) {
        const layers = (db.prepare('SELECT table_name FROM gpkg_contents ORDER BY table_name').pluck().all() as string[]);
        throw notAtlasWorkspace(path, layers);
      }
      if (version > SCHEMA_VERSION) {
        reason = reasons.newer(version, SCHEMA_VERSION);
        if (!db.readonly) {
          db.close();
          lock?.release();
          lock = null;
          db = new Database(path, { readonly: true, fileMustExist: true });
          configure(db, true);
        }
      } else if (version < SCHEMA_VERSION) {
        if (reason === null) {
          backUp(db, path, backupPath(path, version));
          migrate(db, version, APP_VERSION);
        } else {
          reason = `${reason}; ${reasons.olderReadOnly(version, SCHEMA_VERSION)}`;
        }
      }
      const ws = new Workspace(path, db, lock, reason);
      ws.#copyDir = copyDir;
      return ws;
    } catch (err) {
      db?.close();
      lock?.release();
      if (copyDir) rmSync(copyDir, { recursive: true, force: true });
      throw mapSqliteError(err, path);
    }
  }

  #conn(): Database.Database {
    if (!this.#db) throw closedWorkspace(this.path);
    return this.#db;
  }

  #writable(): Database.Database {
    const db = this.#conn();
    if (this.readOnly) throw readOnlyWrite(this.path, this.readOnlyReason);
    if (this.#writing) throw busyWriting(this.path);
    return db;
  }

  /** Runs a synchronous edit as one IMMEDIATE transaction, mapping disk-full/read-only errors. */
  #edit<T>(fn: (db: Database.Database) => T): T {
    const db = this.#writable();
    try {
      return db.transaction(() => fn(db)).immediate();
    } catch (err) {
      throw mapSqliteError(err, this.path);
    }
  }

  info(): WorkspaceInfo {
    return {
      path: this.path,
      name: this.meta('name') ?? '',
      readOnly: this.readOnly,
      readOnlyReason: this.readOnlyReason,
      synthetic: this.meta('synthetic') === '1',
      schemaVersion: Number(this.meta('schema_version')),
      layers: this.layers(),
    };
  }

  layers(role?: LayerRole): LayerInfo[] {
    const db = this.#conn();
    const rows = role === undefined
      ? db.prepare(`${LAYER_SELECT} ORDER BY l.id`).all()
      : db.prepare(`${LAYER_SELECT} WHERE l.role = ? ORDER BY l.id`).all(role);
    return (rows as LayerRow[]).map(toLayerInfo);
  }

  #row(id: number): LayerRow {
    const row = this.#conn().prepare(`${LAYER_SELECT} WHERE l.id = ?`).get(id) as LayerRow | undefined;
    if (!row) throw unknownLayer(this.path, id);
    return row;
  }

  layer(id: number): LayerInfo {
    return toLayerInfo(this.#row(id));
  }

  /**
   * Imports a layer in one transaction (see layer-writer.ts). Rolls back on any error, on abort
   * (WorkspaceError 'aborted') and when `finish` throws; the workspace is then unchanged.
   */
  async writeLayer(
    meta: LayerMeta,
    batches: AsyncIterable<LayerBatch> | Iterable<LayerBatch>,
    opts: WriteLayerOptions = {},
  ): Promise<LayerInfo> {
    return (await this.writeLayers([{ meta, batches }], opts))[0];
  }

  /** Several layers in one transaction: all are written or none (onProgress counts rows across all of them). */
  async writeLayers(layers: readonly LayerWrite[], opts: WriteLayerOptions = {}): Promise<LayerInfo[]> {
    const db = this.#writable();
    this.#writing = true;
    try {
      return (await writeLayersTransaction(db, layers, opts)).map((id) => this.layer(id));
    } catch (err) {
      if (err instanceof AbortedError) throw aborted(this.path);
      throw mapSqliteError(err, this.path);
    } finally {
      this.#writing = false;
    }
  }

  /** Streams a layer's features in fid order; pass bbox to go through the rtree. */
  readFeatures(layerId: number, opts: { bbox?: Bbox; limit?: number } = {}): IterableIterator<Feature> {
    const row = this.#row(layerId);
    return readLayerFeatures(this.#conn(), row.table_name, JSON.parse(row.columns) as StoredColumns, opts);
  }

  /** A coverage layer's polygons as the map draws them (toCoverageColumns of its features), read from the blobs directly. */
  coverageColumns(layerId: number, bbox?: Bbox): CoverageColumns {
    const row = this.#row(layerId);
    return readCoverageColumns(this.#conn(), row.table_name, JSON.parse(row.columns) as StoredColumns, bbox);
  }

  /** The table and column mapping of a layer, for readers that bypass GeoJSON features (data/workspace/analysis.ts). */
  layerStorage(layerId: number): { table: string; columns: StoredColumns } {
    const row = this.#row(layerId);
    return { table: row.table_name, columns: JSON.parse(row.columns) as StoredColumns };
  }

  /** A derived-data entry of atlas_cache (valid for the layers as they are now: writes empty the cache). */
  cacheEntry(key: string): CacheEntry | undefined {
    return readCache(this.#conn(), key);
  }

  /**
   * Stores a derived-data entry. Skipped (false) when the workspace is read-only, an import is under way on this
   * handle, the file predates the cache, or SQLite refuses (disk full, locked): the cache only saves time.
   */
  storeCacheEntry(key: string, inputs: string, header: unknown = null, parts: readonly ArrayBufferView[] = []): boolean {
    const db = this.#conn();
    if (this.readOnly || this.#writing || !hasCache(db)) return false;
    try {
      db.transaction(() => writeCache(db, key, inputs, header, parts)).immediate();
      return true;
    } catch (err) {
      if ((err as { code?: unknown }).code === undefined || !String((err as { code: unknown }).code).startsWith('SQLITE_')) throw err;
      return false;
    }
  }

  deleteLayer(layerId: number): void {
    const table = this.#row(layerId).table_name;
    this.#edit((db) => {
      clearCache(db);
      db.prepare('DELETE FROM atlas_layers WHERE id = ?').run(layerId);
      db.prepare('DELETE FROM gpkg_data_columns WHERE table_name = ?').run(table);
      db.prepare('DELETE FROM gpkg_extensions WHERE table_name = ?').run(table);
      db.prepare('DELETE FROM gpkg_geometry_columns WHERE table_name = ?').run(table);
      db.prepare('DELETE FROM gpkg_contents WHERE table_name = ?').run(table);
      db.exec(`DROP TABLE IF EXISTS ${quoteIdent(`rtree_${table}_geom`)}`);
      db.exec(`DROP TABLE ${quoteIdent(table)}`); // drops its rtree triggers too
    });
  }

  getSetting<T>(key: string): T | undefined {
    const row = this.#conn().prepare('SELECT value FROM atlas_settings WHERE key = ?').pluck().get(key) as string | undefined;
    return row === undefined ? undefined : (JSON.parse(row) as T);
  }

  /** Stores a JSON-serialisable value; undefined removes the key. */
  setSetting(key: string, value: unknown): void {
    if (typeof key !== 'string' || key === '') throw invalidArgument(this.path, '设置项名称不能为空', 'Setting key must be a non-empty string');
    const json = value === undefined ? undefined : JSON.stringify(value);
    this.#edit((db) => {
      if (json === undefined) db.prepare('DELETE FROM atlas_settings WHERE key = ?').run(key);
      else db.prepare('INSERT INTO atlas_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, json);
    });
  }

  meta(key: string): string | undefined {
    return this.#conn().prepare('SELECT value FROM atlas_meta WHERE key = ?').pluck().get(key) as string | undefined;
  }

  /** Records an analysis run; returns its id. */
  addRun(options: unknown, summary: unknown): number {
    return this.#edit((db) => Number(db.prepare('INSERT INTO atlas_runs (created_at, options, summary) VALUES (?, ?, ?)')
      .run(new Date().toISOString(), JSON.stringify(options), JSON.stringify(summary)).lastInsertRowid));
  }

  /** Analysis runs, newest first. */
  runs(limit = 50): AnalysisRun[] {
    const rows = this.#conn().prepare('SELECT * FROM atlas_runs ORDER BY id DESC LIMIT ?').all(limit) as
      { id: number; created_at: string; options: string; summary: string }[];
    return rows.map((r) => ({ id: r.id, createdAt: r.created_at, options: JSON.parse(r.options), summary: JSON.parse(r.summary) }));
  }

  /**
   * SHA-256 over the schema and every table's rows (all tables, rtree shadow tables included), each
   * table sorted by all its columns: equal hashes mean equal content regardless of page layout.
   */
  contentHash(): string {
    const db = this.#conn();
    const h = createHash('sha256');
    const schema = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name").raw(true).all() as unknown[][];
    for (const r of schema) h.update(`${r.join('\u0001')}\n`);
    const tables = schema.filter((r) => r[0] === 'table').map((r) => r[1] as string);
    for (const t of tables) {
      const n = (db.prepare(`SELECT count(*) FROM pragma_table_info(?)`).pluck().get(t) as number);
      const order = Array.from({ length: n }, (_, i) => i + 1).join(', ');
      h.update(`table ${t}\n`);
      const stmt = db.prepare(`SELECT * FROM ${quoteIdent(t)}${n ? ` ORDER BY ${order}` : ''}`).raw(true).safeIntegers(true);
      for (const row of stmt.iterate() as IterableIterator<unknown[]>) {
        for (const v of row) {
          if (v === null) h.update('N');
          else if (typeof v === 'bigint') h.update(`I${v}`);
          else if (typeof v === 'number') h.update(`R${Object.is(v, -0) ? '-0' : v}`);
          else if (typeof v === 'string') h.update(`S${Buffer.byteLength(v)}:${v}`);
          else { const b = v as Buffer; h.update(`B${b.length}:`); h.update(b); }
          h.update('\u0001');
        }
        h.update('\n');
      }
    }
    return h.digest('hex');
  }

  /** The underlying connection, for modules built on the workspace (ledger) and tests; respect readOnly. */
  sqlite(): Database.Database {
    return this.#conn();
  }

  close(): void {
    if (!this.#db) return;
    const db = this.#db;
    this.#db = null;
    try {
      db.close();
    } finally {
      this.#lock?.release();
      this.#lock = null;
      if (this.#copyDir) rmSync(this.#copyDir, { recursive: true, force: true });
      this.#copyDir = null;
    }
  }
}

/**
 * The copy taken before a migration. A failed copy leaves no partial file behind (a later open would take it for a
 * backup); when the disk has no room for it the error says so, and the workspace stays as it was.
 */
function backUp(db: Database.Database, path: string, backup: string): void {
  try {
    db.prepare('VACUUM INTO ?').run(backup);
  } catch (err) {
    rmSync(backup, { force: true });
    const code = (err as { code?: string }).code ?? '';
    let free = Infinity;
    try {
      const fs = statfsSync(dirname(backup));
      free = fs.bavail * fs.bsize;
    } catch {
      // statfs is not available everywhere: keep SQLite's own error then.
    }
    if (code === 'SQLITE_FULL' || (code.startsWith('SQLITE_IOERR') && free < statSync(path).size)) {
      throw new WorkspaceError('disk-full', '磁盘已满，无法在升级前备份工作空间，工作空间未改变',
        'Disk full: no room for the backup taken before the upgrade; the workspace is unchanged', path, err);
    }
    throw err;
  }
}

/** Whether a read-only connection can actually read (it cannot when SQLite may not create the -shm file). */
function canRead(db: Database.Database): boolean {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return true;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) return false;
    throw err;
  }
}
