// layerPages gives exactly what a row-by-row read gives (values decoded by kind, geometry bytes), for values JSON
// would carry inexactly (REAL digits, BLOBs that parse as JSONB, non-BLOB geometry), in a UTF-16 file, and with
// sparse fids across page boundaries; clean pages are read in bulk.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeValue, type ColumnKind } from '../../data/workspace/columns';
import { layerPages, type PageColumn, type RowPage } from '../../data/workspace/layer-pages';
import { rng, tempDir } from './helpers';

const COLUMNS: (PageColumn & { type: string })[] = [
  { column: 'name', kind: 'text', type: 'TEXT' },
  { column: 'households', kind: 'integer', type: 'INTEGER' },
  { column: 'ratio', kind: 'real', type: 'REAL' },
  { column: 'committee', kind: 'boolean', type: 'BOOLEAN' },
  { column: 'extra', kind: 'json', type: 'TEXT' },
  { column: 'code "quoted"', kind: 'text', type: 'VARCHAR(12)' },
];

interface Row { fid: number; geom: unknown; values: unknown[] }

/** What a row-by-row read gives, in the page's terms. */
function reference(db: Database.Database, table: string, columns: readonly PageColumn[]) {
  const names = columns.map((c) => `"${c.column.replace(/"/g, '""')}"`);
  const rows = db.prepare(`SELECT "geom"${names.map((n) => `, ${n}`).join('')} FROM "${table}" ORDER BY "fid"`).raw(true).all() as unknown[][];
  return rows.map((r) => ({
    // A falsy non-BLOB reads as no geometry, any other non-BLOB as bytes that are not a GeoPackage header.
    geometry: r[0] instanceof Uint8Array ? [...r[0]] : r[0] ? 'not a blob' : null,
    values: columns.map((c, k) => decodeValue(c.kind as ColumnKind, r[1 + k])),
  }));
}

function flatten(pages: RowPage[], columns: readonly PageColumn[]) {
  const out: { geometry: unknown; values: unknown[] }[] = [];
  for (const p of pages) {
    for (let i = 0; i < p.count; i++) {
      const bytes = p.lengths[i] < 0 ? null : [...p.bytes.subarray(p.starts[i], p.starts[i] + p.lengths[i])];
      out.push({
        geometry: bytes && bytes.length === 1 && bytes[0] === 0 ? 'not a blob' : bytes,
        values: columns.map((_, k) => p.values[k][i]),
      });
    }
  }
  return out;
}

function makeTable(file: string, rows: Row[], encoding?: string): Database.Database {
  const db = new Database(file);
  if (encoding) db.pragma(`encoding = '${encoding}'`);
  db.exec(`CREATE TABLE t ("fid" INTEGER PRIMARY KEY, "geom" POINT${COLUMNS.map((c) => `, "${c.column.replace(/"/g, '""')}" ${c.type}`).join('')})`);
  const insert = db.prepare(`INSERT INTO t VALUES (${['?', '?', ...COLUMNS.map(() => '?')].join(', ')})`);
  db.transaction(() => { for (const r of rows) insert.run(r.fid, r.geom, ...r.values); })();
  return db;
}

function cleanRows(n: number, seed: number): Row[] {
  const r = rng(seed);
  let fid = 0;
  return Array.from({ length: n }, (_, i) => {
    fid += 1 + Math.floor(r() * 3); // sparse fids
    const blob = Buffer.alloc(29);
    blob.write('GP', 0, 'latin1');
    blob.writeUInt8(1, 3);
    blob.writeDoubleLE(114 + r(), 13);
    blob.writeDoubleLE(25 + r(), 21);
    return {
      fid,
      geom: i % 11 === 0 ? null : blob,
      values: [
        i % 13 === 0 ? null : `聚居区${i} "引号" \\ \u0000\u0001 𠀀`, 10 + Math.floor(r() * 200), null,
        i % 2, i % 9 ? null : JSON.stringify({ year: 2020 + (i % 4), tag: ['a', i] }), i % 3 ? String(360702003200 + i) : null,
      ],
    };
  });
}

/** The page of each row: a page holds the fids from its first to `size` past it (layerPages' rule). */
function pageOf(rows: readonly Row[], size: number): number[] {
  const out: number[] = [];
  let page = -1, first = -Infinity;
  for (const r of rows) {
    if (r.fid >= first + size) {
      page++;
      first = r.fid;
    }
    out.push(page);
  }
  return out;
}

describe('layerPages', () => {
  it('reads clean pages in bulk, exactly as rows, across sparse fids and every page size', () => {
    const rows = cleanRows(257, 1);
    const db = makeTable(join(tempDir(), 'clean.sqlite'), rows);
    const want = reference(db, 't', COLUMNS);
    for (const size of [1, 2, 7, 64, 256, 257, 1000]) {
      const stats = { bulk: 0, rows: 0 };
      const pages = [...layerPages(db, 't', COLUMNS, size, stats)];
      expect(flatten(pages, COLUMNS)).toEqual(want);
      const counts: number[] = [];
      for (const p of pageOf(rows, size)) counts[p] = (counts[p] ?? 0) + 1;
      expect(pages.map((p) => p.count)).toEqual(counts);
      // Every page in bulk, and the empty one that ends the reading.
      expect(stats).toEqual({ bulk: pages.length + 1, rows: 0 });
    }
    db.close();
  });

  it('reads a page row by row when JSON would not carry it exactly, and only that page', () => {
    const rows = cleanRows(42, 2);
    const awkward: [number, number, unknown][] = [
      [3, 2, 0.1 + 0.2], // REAL in a REAL column: JSON would write 0.3
      [12, 1, 12.300000000000001], // REAL kept by an INTEGER column
      [21, 0, Buffer.from([0x0c])], // a BLOB that is valid JSONB ({})
      [22, 5, Buffer.from([0x00])], // JSONB null
      [27, 5, 360702003200], // an INTEGER in a TEXT column is converted to text by affinity: still exact
    ];
    for (const [row, col, value] of awkward) rows[row].values[col] = value;
    rows[35].geom = 'GP as text';
    rows[36].geom = 0;
    rows[37].geom = Buffer.alloc(0);
    rows[41].values[1] = 2n ** 53n + 1n;
    const db = makeTable(join(tempDir(), 'awkward.sqlite'), rows);
    const want = reference(db, 't', COLUMNS);
    const stats = { bulk: 0, rows: 0 };
    const pages = [...layerPages(db, 't', COLUMNS, 5, stats)];
    expect(flatten(pages, COLUMNS)).toEqual(want);
    expect(want[3].values[2]).toBe(0.1 + 0.2);
    expect(want[22].values[5]).toBe('\u0000');
    // The pages of rows 3, 12, 21–22 and 35–37 row by row; the TEXT column's integer (row 27) and the big integer
    // (row 41) are exact in JSON, so their pages are read in bulk, as is the empty one that ends the reading.
    const page = pageOf(rows, 5);
    const byRows = new Set([3, 12, 21, 22, 35, 36, 37].map((r) => page[r]));
    expect(byRows.has(page[27]) || byRows.has(page[41])).toBe(false);
    expect(stats).toEqual({ bulk: pages.length - byRows.size + 1, rows: byRows.size });
    db.close();
  });

  it('reads text that is not valid UTF-8 as a row read does', () => {
    const rows = cleanRows(10, 3);
    const db = makeTable(join(tempDir(), 'utf8.sqlite'), rows);
    db.exec(`UPDATE t SET name = CAST(x'e4bd' || x'ff41' AS TEXT) WHERE fid = ${rows[4].fid}`);
    db.exec(`UPDATE t SET name = CAST(x'41e4bd' AS TEXT) WHERE fid = ${rows[5].fid}`);
    const want = reference(db, 't', COLUMNS);
    const stats = { bulk: 0, rows: 0 };
    expect(flatten([...layerPages(db, 't', COLUMNS, 4, stats)], COLUMNS)).toEqual(want);
    expect(stats.rows).toBe(0);
    db.close();
  });

  it('reads a UTF-16 file row by row (its blobs would be transcoded as text)', () => {
    const rows = cleanRows(30, 4);
    const db = makeTable(join(tempDir(), 'utf16.sqlite'), rows, 'UTF-16le');
    const stats = { bulk: 0, rows: 0 };
    const pages = [...layerPages(db, 't', COLUMNS, 8, stats)];
    expect(flatten(pages, COLUMNS)).toEqual(reference(db, 't', COLUMNS));
    expect(stats).toEqual({ bulk: 0, rows: pages.length + 1 });
    db.close();
  });

  it('reads a column with whereNull only where that other column is null, in bulk and row by row', () => {
    const columns: PageColumn[] = [{ column: 'name', kind: 'text' }, { column: 'code "quoted"', kind: 'text', whereNull: 'name' }];
    for (const encoding of ['UTF-8', 'UTF-16le']) {
      const db = makeTable(join(tempDir(), 'where-null.sqlite'), cleanRows(60, 5), encoding);
      const want = reference(db, 't', columns).map((r) => ({ ...r, values: [r.values[0], r.values[0] === null ? r.values[1] : null] }));
      expect(want.filter((r) => r.values[1] !== null).length).toBeGreaterThan(1);
      const stats = { bulk: 0, rows: 0 };
      expect(flatten([...layerPages(db, 't', columns, 16, stats)], columns)).toEqual(want);
      expect(encoding === 'UTF-8' ? stats.rows : stats.bulk).toBe(0);
      db.close();
    }
  });

  it('reads a page row by row when its aggregate cannot be made (a value past SQLite\'s or V8\'s size limit)', () => {
    const rows = cleanRows(40, 6);
    const db = makeTable(join(tempDir(), 'too-big.sqlite'), rows);
    // SQLite refuses a value over 1 GB ("string or blob too big"): here the aggregate of every third page.
    let calls = 0;
    const limited = {
      pragma: (...args: Parameters<Database.Database['pragma']>) => db.pragma(...args),
      exec: (sql: string) => db.exec(sql),
      get inTransaction() {
        return db.inTransaction;
      },
      prepare: (sql: string) => {
        if (!sql.includes('json_group_array')) return db.prepare(sql);
        const stmt = db.prepare(sql).raw(true);
        const get = (params: unknown) => {
          if (calls++ % 3 === 1) throw Object.assign(new Error('string or blob too big'), { code: 'SQLITE_TOOBIG' });
          return stmt.get(params);
        };
        return { raw: () => ({ get }) };
      },
    } as unknown as Database.Database;
    const stats = { bulk: 0, rows: 0 };
    const pages = [...layerPages(limited, 't', COLUMNS, 6, stats)];
    expect(flatten(pages, COLUMNS)).toEqual(reference(db, 't', COLUMNS));
    expect(stats.rows).toBe(Math.floor((pages.length + 1 + 1) / 3));
    expect(stats.bulk + stats.rows).toBe(pages.length + 1);
    db.close();
  });

  it('reads one snapshot of the layer while another connection writes to it between pages', () => {
    const file = join(tempDir(), 'snapshot.sqlite');
    const db = makeTable(file, cleanRows(50, 7));
    db.pragma('journal_mode = WAL');
    const want = reference(db, 't', COLUMNS);
    const writer = new Database(file);
    const pages: RowPage[] = [];
    for (const page of layerPages(db, 't', COLUMNS, 8)) {
      pages.push(page);
      if (pages.length === 2) {
        writer.exec("DELETE FROM t WHERE fid IN (SELECT fid FROM t ORDER BY fid DESC LIMIT 10); UPDATE t SET name = 'changed'");
      }
    }
    expect(flatten(pages, COLUMNS)).toEqual(want);
    expect(db.inTransaction).toBe(false);
    expect(reference(db, 't', COLUMNS)).toHaveLength(40);
    // A caller's own transaction is left to the caller.
    db.exec('BEGIN');
    expect(flatten([...layerPages(db, 't', COLUMNS, 8)], COLUMNS)).toHaveLength(40);
    expect(db.inTransaction).toBe(true);
    db.exec('COMMIT');
    writer.close();
    db.close();
  });

  it('gives no page for an empty table and refuses a bad page size', () => {
    const db = makeTable(join(tempDir(), 'empty.sqlite'), []);
    expect([...layerPages(db, 't', COLUMNS)]).toEqual([]);
    expect(() => [...layerPages(db, 't', COLUMNS, 0)]).toThrow(/pageRows must be a positive integer, got 0/);
    db.close();
  });
});
