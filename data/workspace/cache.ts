// atlas_cache: derived data that makes re-analysis cheap (packed settlement columns, per-settlement coverage
// masks). Never stale: every layer table carries triggers that empty the cache inside the writing transaction,
// whoever writes (this app, GDAL, QGIS), and imports and deletions empty it in their own transaction too.
import type Database from 'better-sqlite3';
import { quoteIdent, tableExists } from './sql';

export const CACHE_TABLE_SQL = `
CREATE TABLE atlas_cache (
  key TEXT PRIMARY KEY,
  inputs TEXT NOT NULL,   -- JSON: what the data was derived from (format version, layer ids, options)
  created_at TEXT NOT NULL,
  data BLOB NOT NULL
);
`;

/** Names of the triggers that empty the cache when `table` changes (checked when naming a new layer table). */
export function staleTriggerNames(table: string): string[] {
  return ['insert', 'update', 'delete'].map((op) => `atlas_stale_${table}_${op}`);
}

/** Triggers emptying atlas_cache on any row change of a layer table. */
export function staleTriggersSql(table: string): string {
  const [ins, upd, del] = staleTriggerNames(table).map(quoteIdent);
  const t = quoteIdent(table);
  return `
CREATE TRIGGER ${ins} AFTER INSERT ON ${t} BEGIN DELETE FROM atlas_cache; END;
CREATE TRIGGER ${upd} AFTER UPDATE ON ${t} BEGIN DELETE FROM atlas_cache; END;
CREATE TRIGGER ${del} AFTER DELETE ON ${t} BEGIN DELETE FROM atlas_cache; END;
`;
}

/** Whether this file has the cache (schema version 3 and later; older files opened read-only do not). */
export function hasCache(db: Database.Database): boolean {
  return tableExists(db, 'atlas_cache');
}

/** Empties the cache, when the file has one; call inside the transaction that changes layers. */
export function clearCache(db: Database.Database): void {
  if (hasCache(db)) db.exec('DELETE FROM atlas_cache');
}

export interface CacheEntry { inputs: string; data: Buffer }

export function readCache(db: Database.Database, key: string): CacheEntry | undefined {
  if (!hasCache(db)) return undefined;
  return db.prepare('SELECT inputs, data FROM atlas_cache WHERE key = ?').get(key) as CacheEntry | undefined;
}

export function writeCache(db: Database.Database, key: string, inputs: string, data: Uint8Array): void {
  db.prepare('INSERT OR REPLACE INTO atlas_cache (key, inputs, created_at, data) VALUES (?, ?, ?, ?)')
    .run(key, inputs, new Date().toISOString(), data);
}
