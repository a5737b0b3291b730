// SQL helpers shared by the workspace modules: identifier quoting and the SQL functions the
// GeoPackage rtree triggers (and our column conversions) call.
import type Database from 'better-sqlite3';
import { gpkgEnvelope, gpkgIsEmpty } from './gpkg-geometry';
import { type ColumnKind, convertStored } from './columns';

/** Quotes an SQL identifier; user text only ever reaches SQL through this or bound parameters. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error(`identifier contains a NUL character: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

function envelopeOf(blob: unknown): [number, number, number, number] | null {
  if (!(blob instanceof Uint8Array)) return null;
  return gpkgEnvelope(blob);
}

/**
 * Registers on a connection the ST_* functions GDAL registers for the gpkg_rtree_index triggers,
 * so inserts and updates from better-sqlite3 keep the rtree right, plus `atlas_convert`
 * (re-encodes a stored value when a column's type widens during an import).
 */
export function registerFunctions(db: Database.Database): void {
  const det = { deterministic: true };
  db.function('ST_IsEmpty', det, (g: unknown) => (g instanceof Uint8Array ? (gpkgIsEmpty(g) ? 1 : 0) : null));
  db.function('ST_MinX', det, (g: unknown) => envelopeOf(g)?.[0] ?? null);
  db.function('ST_MaxX', det, (g: unknown) => envelopeOf(g)?.[1] ?? null);
  db.function('ST_MinY', det, (g: unknown) => envelopeOf(g)?.[2] ?? null);
  db.function('ST_MaxY', det, (g: unknown) => envelopeOf(g)?.[3] ?? null);
  db.function('atlas_convert', det, (value: unknown, from: unknown, to: unknown) =>
    convertStored(value, from as ColumnKind, to as ColumnKind));
}

export function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE").get(name) !== undefined;
}

export function nowIso(): string {
  return new Date().toISOString();
}
