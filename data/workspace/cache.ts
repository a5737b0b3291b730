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

/**
 * An entry: a JSON header, and the parts (typed columns, as bytes) stored one row each, under
 * `key#0000`, `key#0001`… beside the header's row `key`. A part a row: one entry of hundreds of megabytes (a
 * province's settlement columns) was copied whole twice on the way in, into one blob and then by the binding, and
 * the copies were most of a first analysis's peak memory.
 */
export interface CacheEntry { inputs: string; header: unknown; parts: Uint8Array[] }

const partKey = (key: string, k: number) => `${key}#${String(k).padStart(4, '0')}`;

/** The entry under `key`, or undefined when there is none whole (parts missing or from another write). */
export function readCache(db: Database.Database, key: string): CacheEntry | undefined {
  if (!hasCache(db)) return undefined;
  // Keys between "key#" and "key$" ('$' follows '#'): the entry's parts, without LIKE or GLOB patterns in a key.
  const rows = db.prepare('SELECT key, inputs, data FROM atlas_cache WHERE key = ? OR (key > ? AND key < ?) ORDER BY key')
    .all(key, `${key}#`, `${key}$`) as { key: string; inputs: string; data: Buffer }[];
  const [head, ...rest] = rows;
  if (!head || head.key !== key) return undefined;
  let stored: { header?: unknown; parts?: unknown };
  try {
    stored = JSON.parse(head.data.toString('utf8')) as typeof stored;
  } catch {
    return undefined;
  }
  if (stored.parts !== rest.length || rest.some((r, k) => r.key !== partKey(key, k) || r.inputs !== head.inputs)) return undefined;
  return { inputs: head.inputs, header: stored.header ?? null, parts: rest.map((r) => r.data) };
}

/** Replaces the entry under `key` (call inside a transaction: the rows go together). */
export function writeCache(db: Database.Database, key: string, inputs: string, header: unknown, parts: readonly ArrayBufferView[]): void {
  db.prepare('DELETE FROM atlas_cache WHERE key = ? OR (key > ? AND key < ?)').run(key, `${key}#`, `${key}$`);
  const insert = db.prepare('INSERT INTO atlas_cache (key, inputs, created_at, data) VALUES (?, ?, ?, ?)');
  const now = new Date().toISOString();
  insert.run(key, inputs, now, Buffer.from(JSON.stringify({ header, parts: parts.length }), 'utf8'));
  parts.forEach((p, k) => insert.run(partKey(key, k), inputs, now, new Uint8Array(p.buffer, p.byteOffset, p.byteLength)));
}
