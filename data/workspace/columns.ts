// Attribute columns: the SQL type chosen from the values seen, value encoding both ways, safe names.

/**
 * Column kinds, widening along boolean < integer < real < text, and anything mixed with an object or
 * array becomes json (every value stored as JSON text, so strings, numbers and objects all survive).
 * Stored types: boolean → BOOLEAN 0/1, integer → INTEGER, real → REAL, text → TEXT, json → TEXT
 * declared as application/json in gpkg_data_columns (GDAL reads it as a JSON string subtype).
 */
export type ColumnKind = 'boolean' | 'integer' | 'real' | 'text' | 'json';

export const SQL_TYPES: Record<ColumnKind, string> = {
  boolean: 'BOOLEAN', integer: 'INTEGER', real: 'REAL', text: 'TEXT', json: 'TEXT',
};

const RANK: Record<ColumnKind, number> = { boolean: 0, integer: 1, real: 2, text: 3, json: 4 };

/** Kind of one value; null for null/undefined (which fit any column). */
export function kindOf(v: unknown): ColumnKind | null {
  switch (typeof v) {
    case 'undefined': return null;
    case 'boolean': return 'boolean';
    case 'number': return Number.isSafeInteger(v) ? 'integer' : 'real';
    case 'bigint': return 'integer';
    case 'string': return 'text';
    case 'object': return v === null ? null : 'json';
    default: return 'text';
  }
}

/** The narrowest kind that holds values of both kinds. */
export function joinKinds(a: ColumnKind | null, b: ColumnKind | null): ColumnKind | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  return RANK[a] > RANK[b] ? a : b;
}

/** JS value → the value bound for a column of `kind` (the kind already holds the value's own kind). */
export function encodeValue(kind: ColumnKind, v: unknown): string | number | bigint | null {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'boolean':
      return v ? 1 : 0;
    case 'integer':
      return typeof v === 'boolean' ? (v ? 1 : 0) : (v as number | bigint);
    case 'real':
      return typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
    case 'text':
      return typeof v === 'string' ? v : String(v);
    case 'json':
      return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)) ?? null;
  }
}

/** Stored value → JS value. */
export function decodeValue(kind: ColumnKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'boolean': return v !== 0 && v !== 0n;
    case 'integer':
    case 'real': return typeof v === 'bigint' ? Number(v) : v;
    case 'text': return typeof v === 'string' ? v : String(v);
    case 'json': return JSON.parse(v as string);
  }
}

/** Re-encodes a value stored under `from` for a column widened to `to` (used inside SQL during a rebuild). */
export function convertStored(v: unknown, from: ColumnKind, to: ColumnKind): string | number | bigint | null {
  return encodeValue(to, decodeValue(from, v));
}

/** Names the GeoPackage tables reserve in every feature table. */
export const RESERVED_COLUMNS = ['fid', 'geom'];

/**
 * A column name for a property key: the key itself when free (SQLite compares names case-blind),
 * else the key with a numeric suffix. `used` holds lower-cased names and is updated.
 */
export function columnName(key: string, used: Set<string>): string {
  const base = key.replace(/\0/g, '').trim() || 'field';
  let name = base;
  for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}_${n}`;
  used.add(name.toLowerCase());
  return name;
}

const RESERVED_PREFIXES = /^(gpkg_|gpkgext_|rtree_|sqlite_|atlas_)/;

/**
 * ASCII slug for a table name: lower-case letters, digits and '_', at most 40 chars; `prefix_` is put in
 * front when the slug starts with a digit or a reserved prefix. Empty when the name has no ASCII letters or digits.
 */
export function tableSlug(name: string, prefix = 'l'): string {
  let s = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/\.[a-z0-9]{1,8}$/, '') // drop a file extension: 'villages.geojson' → 'villages'
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  if (s && (/^[0-9]/.test(s) || RESERVED_PREFIXES.test(s))) s = `${prefix}_${s}`;
  return s;
}
