// A layer's rows a page at a time, each page read by one aggregate query: SQLite concatenates the page's geometry
// blobs into one and lists each column's values as a JSON array. Row by row, better-sqlite3 made a row array, a
// Buffer and a string per value for every row, which was most of the time an analysis spent reading a
// 500,000-settlement layer.
//
// Exact: every value is the one a row-by-row read returns, decoded by kind as decodeValue does. JSON would not carry
// everything exactly (SQLite writes REAL values with 15 digits; its JSON functions take a BLOB for JSONB; a geometry
// that is not a BLOB would be concatenated as text), so a page holding any of those is read row by row instead. The blobs are
// concatenated as text, which keeps their bytes only in a UTF-8 database: other files are read row by row. So is a
// page whose aggregate cannot be made (a value past SQLite's or V8's size limit: huge polygons).
import type Database from 'better-sqlite3';
import { type ColumnKind, decodeValue } from './columns';
import { quoteIdent } from './sql';

/**
 * Fids per page, so at most that many rows. On the L demo's first analysis 2,048 to 4,096 were fastest; 16,384 took
 * ~0.1 s and ~130 MB more (pages outlived the young generation), 1,024 a little more time.
 */
export const PAGE_ROWS = 2048;

export interface PageColumn {
  column: string;
  kind: ColumnKind;
  /** Read only in the rows where this other column is NULL (null in the others): a fallback never needed otherwise. */
  whereNull?: string;
}

export interface RowPage {
  count: number;
  /** The page's geometry blobs back to back: row i's is bytes[starts[i], starts[i] + lengths[i]). */
  bytes: Uint8Array;
  view: DataView;
  starts: Float64Array;
  /** -1 for a NULL geometry. */
  lengths: Float64Array;
  /** values[c][i]: row i's value of column c, as decodeValue(kind, stored value) gives it. */
  values: unknown[][];
}

/** How many pages were read in bulk and how many row by row. */
export interface PageStats { bulk: number; rows: number }

/** The rows of `table` in fid order, with the "geom" column and `columns`; a page holds at most `pageRows` of them. */
export function* layerPages(
  db: Database.Database, table: string, columns: readonly PageColumn[], pageRows = PAGE_ROWS, stats?: PageStats,
): Generator<RowPage> {
  if (!Number.isInteger(pageRows) || pageRows < 1) throw new RangeError(`pageRows must be a positive integer, got ${pageRows}`);
  const values = columns.map((c) => (c.whereNull ? `CASE WHEN ${quoteIdent(c.whereNull)} IS NULL THEN ${quoteIdent(c.column)} END` : quoteIdent(c.column)));
  const t = quoteIdent(table);
  // A page is the fids from the first after the last page's to `pageRows` past it: a range of the rowid, scanned in
  // order by SQLite without a subquery (a LIMIT would need one: ~20 % more time).
  const where = `WHERE "fid" > @after AND "fid" < (SELECT min("fid") FROM ${t} WHERE "fid" > @after) + @rows`;
  const rows = db.prepare(`SELECT "fid", "geom"${values.map((v) => `, ${v}`).join('')} FROM ${t} ${where} ORDER BY "fid"`).raw(true);
  const bulk = isUtf8(db) ? db.prepare(bulkSql(db, table, columns, values, `FROM ${t} ${where}`)).raw(true) : null;
  // Each page is a statement of its own: one read transaction keeps them to one snapshot of the layer, as a single
  // statement's rows are, whatever another connection commits meanwhile.
  const own = !db.inTransaction;
  if (own) db.exec('BEGIN');
  try {
    for (let after = -Infinity; ;) {
      const row = bulk && aggregate(bulk, { after, rows: pageRows });
      let page = row && bulkPage(row, columns);
      if (page) {
        if (stats) stats.bulk++;
      } else {
        page = rowPage(rows.all({ after, rows: pageRows }) as unknown[][], columns);
        if (stats) stats.rows++;
      }
      if (page.count === 0) return;
      after = page.lastFid;
      yield page.page;
    }
  } finally {
    if (own && db.inTransaction) db.exec('COMMIT');
  }
}

/**
 * The page's aggregate row, or null when it cannot be made: a page of big geometries or values may pass SQLite's
 * 1 GB limit on one value, or V8's on one string. Any other error comes again from the row-by-row read.
 */
function aggregate(bulk: Database.Statement, params: { after: number; rows: number }): unknown[] | null {
  try {
    return bulk.get(params) as unknown[];
  } catch {
    return null;
  }
}

function isUtf8(db: Database.Database): boolean {
  return (db.pragma('encoding', { simple: true }) as string).toUpperCase() === 'UTF-8';
}

/**
 * The aggregate query, whose fourth value counts what JSON would not carry exactly: a geometry that is not a BLOB
 * (any BLOB compares greater than every other value), a BLOB among the values (json_group_array would take it for
 * JSONB) and a REAL, which only a column without TEXT affinity can hold (SQLite's rule: a declared type naming INT
 * has INTEGER affinity, else one naming CHAR, CLOB or TEXT has TEXT affinity).
 */
function bulkSql(db: Database.Database, table: string, columns: readonly PageColumn[], values: readonly string[], from: string): string {
  const declared = new Map((db.pragma(`table_info(${quoteIdent(table)})`) as { name: string; type: string }[]).map((c) => [c.name, c.type.toUpperCase()]));
  const textAffinity = (type = '') => !type.includes('INT') && /CHAR|CLOB|TEXT/.test(type);
  const inexact = [`"geom" < x''`, ...columns.map((c, k) => (textAffinity(declared.get(c.column)) ? `${values[k]} >= x''` : `(${values[k]} >= x'' OR typeof(${values[k]}) = 'real')`))];
  return `SELECT json_group_array("fid"), CAST(group_concat("geom", '') AS BLOB), json_group_array(octet_length("geom")),
    total(${inexact.join(' OR ')})${values.map((v) => `, json_group_array(${v})`).join('')} ${from}`;
}

interface ReadPage { count: number; lastFid: number; page: RowPage }

/** The page from the aggregate row, or null when it must be read row by row. */
function bulkPage(row: unknown[], columns: readonly PageColumn[]): ReadPage | null {
  if ((row[3] as number) > 0) return null;
  const fids = JSON.parse(row[0] as string) as number[];
  const n = fids.length;
  // The aggregates see the rows in the order of the rowid range scan: checked, not assumed.
  for (let i = 1; i < n; i++) if (!(fids[i] > fids[i - 1])) return null;
  const bytes = (row[1] as Uint8Array | null) ?? new Uint8Array(0);
  const lengths = Float64Array.from(JSON.parse(row[2] as string) as (number | null)[], (l) => l ?? -1);
  const starts = new Float64Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    starts[i] = at;
    if (lengths[i] > 0) at += lengths[i];
  }
  if (at !== bytes.length) return null;
  const values = columns.map((c, k) => decodeAll(c.kind, JSON.parse(row[4 + k] as string) as unknown[]));
  return { count: n, lastFid: n ? fids[n - 1] : 0, page: { count: n, bytes, view: viewOf(bytes), starts, lengths, values } };
}

/**
 * A geometry value that is not a BLOB, as the decoders take it: readers treat a falsy value as no geometry and any
 * other as bytes whose header is not 'GP' (decodeGpkgGeometry's "not a GeoPackage geometry"), as this byte is.
 */
const NOT_A_BLOB = Uint8Array.of(0);

function rowPage(rows: unknown[][], columns: readonly PageColumn[]): ReadPage {
  const n = rows.length;
  const blobs = rows.map((r) => (r[1] instanceof Uint8Array ? r[1] : r[1] ? NOT_A_BLOB : null));
  const starts = new Float64Array(n);
  const lengths = new Float64Array(n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const g = blobs[i];
    starts[i] = size;
    lengths[i] = g === null ? -1 : g.length;
    if (g !== null) size += g.length;
  }
  const bytes = new Uint8Array(size);
  for (let i = 0; i < n; i++) if (blobs[i]) bytes.set(blobs[i]!, starts[i]);
  const values = columns.map((c, k) => rows.map((r) => decodeValue(c.kind, r[2 + k])));
  return { count: n, lastFid: n ? (rows[n - 1][0] as number) : 0, page: { count: n, bytes, view: viewOf(bytes), starts, lengths, values } };
}

function decodeAll(kind: ColumnKind, values: unknown[]): unknown[] {
  for (let i = 0; i < values.length; i++) values[i] = decodeValue(kind, values[i]);
  return values;
}

export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Row i's geometry blob as an array of its own (none for a NULL geometry: check lengths[i] first). */
export function blobOf(page: RowPage, i: number): Uint8Array {
  return page.bytes.subarray(page.starts[i], page.starts[i] + page.lengths[i]);
}
