// Bulk load of a GeoPackage rtree: a packed R-tree (leaves in Hilbert order, nodes filled evenly) written straight
// into the SQLite rtree's shadow tables, as GDAL does for large layers. One R*-tree insertion per row costs ~6 µs
// (most of a point import); this costs a sort and one row per node and per entry. The result is an ordinary rtree:
// SQLite reads, updates and checks it (rtreecheck) like one it built itself, and every entry holds exactly the
// float32 box SQLite would have stored for it.
import type Database from 'better-sqlite3';
import { hilbert, sortByKey } from '../../gis/hilbert';
import { quoteIdent } from './sql';

// rtree.c rounds a min down and a max up when a double is stored as float32, with these factors.
const RNDTOWARDS = 1 - 1 / 8388608;
const RNDAWAY = 1 + 1 / 8388608;

function down(d: number): number {
  const f = Math.fround(d);
  return f > d ? Math.fround(d * (d < 0 ? RNDAWAY : RNDTOWARDS)) : f;
}

function up(d: number): number {
  const f = Math.fround(d);
  return f < d ? Math.fround(d * (d < 0 ? RNDTOWARDS : RNDAWAY)) : f;
}

/**
 * Entries collected for a bulk load: `count` ids, with boxes as minX, maxX, minY, maxY (the rtree's column order),
 * rounded to float32 as SQLite would store them as they come (an import adds them while its rows are written, so
 * that this work is not left for after the last row).
 */
export class RtreeEntries {
  count = 0;
  ids = new Float64Array(1024);
  boxes = new Float32Array(4096);

  add(id: number, minX: number, maxX: number, minY: number, maxY: number): void {
    const k = this.count++;
    if (k === this.ids.length) {
      const ids = new Float64Array(2 * k);
      ids.set(this.ids);
      this.ids = ids;
      const boxes = new Float32Array(8 * k);
      boxes.set(this.boxes);
      this.boxes = boxes;
    }
    this.ids[k] = id;
    const b = this.boxes;
    b[4 * k] = down(minX);
    b[4 * k + 1] = up(maxX);
    b[4 * k + 2] = down(minY);
    b[4 * k + 3] = up(maxY);
  }
}

/** Loads `entries` into the rtree virtual table `name`, which must be empty (just created). */
export function bulkLoadRtree(db: Database.Database, name: string, entries: RtreeEntries): void {
  if (entries.count === 0) return;
  // SQLite's defensive mode (better-sqlite3's default) forbids writing shadow tables: lifted for this load only.
  db.unsafeMode(true);
  try {
    load(db, name, entries);
  } finally {
    db.unsafeMode(false);
  }
}

function load(db: Database.Database, name: string, entries: RtreeEntries): void {
  const n = entries.count;
  const nodeTable = quoteIdent(`${name}_node`);
  const nodeSize = db.prepare(`SELECT length(data) FROM ${nodeTable} WHERE nodeno = 1`).pluck().get() as number;
  const perNode = Math.floor((nodeSize - 4) / 24);

  // The float32 boxes SQLite would store, and the leaf order.
  const box = entries.boxes;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let k = 0; k < n; k++) {
    const x0 = box[4 * k], x1 = box[4 * k + 1], y0 = box[4 * k + 2], y1 = box[4 * k + 3];
    if (x0 < minX) minX = x0;
    if (x1 > maxX) maxX = x1;
    if (y0 < minY) minY = y0;
    if (y1 > maxY) maxY = y1;
  }
  const keys = new Uint32Array(n);
  const sx = maxX > minX ? 0xffff / (maxX - minX) : 0;
  const sy = maxY > minY ? 0xffff / (maxY - minY) : 0;
  for (let k = 0; k < n; k++) {
    keys[k] = hilbert(Math.floor(sx * ((box[4 * k] + box[4 * k + 1]) / 2 - minX)), Math.floor(sy * ((box[4 * k + 2] + box[4 * k + 3]) / 2 - minY)));
  }
  const order = sortByKey(keys);

  // Levels bottom-up: each level's nodes hold evenly split runs of the level below (never an underfull last node).
  interface Level { first: number; count: number; boxes: Float32Array; starts: Uint32Array }
  const levels: Level[] = [];
  let items = n;
  let itemBoxes: Float32Array = new Float32Array(4 * n);
  for (let k = 0; k < n; k++) {
    const from = 4 * order[k];
    itemBoxes[4 * k] = box[from];
    itemBoxes[4 * k + 1] = box[from + 1];
    itemBoxes[4 * k + 2] = box[from + 2];
    itemBoxes[4 * k + 3] = box[from + 3];
  }
  for (;;) {
    const count = Math.ceil(items / perNode);
    const starts = new Uint32Array(count + 1);
    const boxes = new Float32Array(4 * count);
    for (let j = 0; j <= count; j++) starts[j] = Math.floor((j * items) / count);
    for (let j = 0; j < count; j++) {
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (let i = starts[j]; i < starts[j + 1]; i++) {
        if (itemBoxes[4 * i] < x0) x0 = itemBoxes[4 * i];
        if (itemBoxes[4 * i + 1] > x1) x1 = itemBoxes[4 * i + 1];
        if (itemBoxes[4 * i + 2] < y0) y0 = itemBoxes[4 * i + 2];
        if (itemBoxes[4 * i + 3] > y1) y1 = itemBoxes[4 * i + 3];
      }
      boxes[4 * j] = x0;
      boxes[4 * j + 1] = x1;
      boxes[4 * j + 2] = y0;
      boxes[4 * j + 3] = y1;
    }
    levels.push({ first: 0, count, boxes, starts });
    if (count === 1) break;
    items = count;
    itemBoxes = boxes;
  }
  // Node numbers: the root is 1, then each level from the top down, left to right.
  let next = 2;
  for (let l = levels.length - 2; l >= 0; l--) {
    levels[l].first = next;
    next += levels[l].count;
  }
  levels[levels.length - 1].first = 1;

  // Node rows many per statement, from one buffer per level; parent rows likewise. Node numbers are bound as
  // integers (a JS number binds as a REAL, which a column without affinity such as parentnode or nodeno keeps).
  const depth = levels.length - 1;
  const nodeRows = new RowInserter(db, `INSERT OR REPLACE INTO ${nodeTable} (nodeno, data) VALUES `, '(?, ?)', 100);
  const parentRows = new RowInserter(db, `INSERT INTO ${quoteIdent(`${name}_parent`)} (nodeno, parentnode) VALUES `,
    '(?, CAST(? AS INTEGER))', 500);
  for (let l = 0; l < levels.length; l++) {
    const level = levels[l];
    const childBoxes = l === 0 ? null : levels[l - 1].boxes;
    // Zero-filled: unused entries of a node stay zero, as SQLite writes them.
    const blobs = Buffer.alloc(nodeSize * level.count);
    // DataView writes: Buffer#write*BE check their arguments on every call, and a leaf level has one entry per row.
    const view = new DataView(blobs.buffer, blobs.byteOffset, blobs.byteLength);
    for (let j = 0; j < level.count; j++) {
      const nodeno = level.first + j;
      const base = j * nodeSize;
      if (nodeno === 1) view.setUint16(base, depth);
      const from = level.starts[j], to = level.starts[j + 1];
      view.setUint16(base + 2, to - from);
      for (let i = from, o = base + 4; i < to; i++, o += 24) {
        let id: number;
        let b: Float32Array;
        let at: number;
        if (childBoxes) {
          id = levels[l - 1].first + i;
          b = childBoxes;
          at = 4 * i;
          parentRows.add(id, nodeno);
        } else {
          id = entries.ids[order[i]];
          b = box;
          at = 4 * order[i];
        }
        view.setUint32(o, Math.floor(id / 2 ** 32));
        view.setUint32(o + 4, id >>> 0);
        view.setFloat32(o + 8, b[at]);
        view.setFloat32(o + 12, b[at + 1]);
        view.setFloat32(o + 16, b[at + 2]);
        view.setFloat32(o + 20, b[at + 3]);
      }
      nodeRows.add(nodeno, blobs.subarray(base, base + nodeSize));
    }
    nodeRows.flush();
  }
  parentRows.flush();

  // Entry → leaf, in entry (fid) order so that the rowid table is appended to.
  const leaves = levels[0];
  const leafOf = new Uint32Array(n);
  for (let j = 0; j < leaves.count; j++) {
    for (let i = leaves.starts[j]; i < leaves.starts[j + 1]; i++) leafOf[order[i]] = leaves.first + j;
  }
  // Entries usually have consecutive ids (the fids of an import's rows, null geometries aside): a run that follows
  // the largest id written so far binds only its node numbers and lets SQLite assign max(rowid) + 1, the next id.
  // Half the values to bind, and the rows are integers, as the rtree module writes them.
  const rowidTable = quoteIdent(`${name}_rowid`);
  const ROWS = 500;
  const consecutive = db.prepare(`INSERT INTO ${rowidTable} (nodeno) VALUES ${Array(ROWS).fill('(CAST(? AS INTEGER))').join(', ')}`);
  const rows = new RowInserter(db, `INSERT INTO ${rowidTable} (rowid, nodeno) VALUES `, '(?, CAST(? AS INTEGER))', ROWS);
  const ids = entries.ids;
  const values: number[] = new Array(ROWS);
  let largest = -Infinity;
  let k = 0;
  while (k < n) {
    // The run of consecutive ids from k that follows the largest: a full one goes in one statement; a shorter one
    // (a gap ahead) row by row, so that every entry is looked at once whatever the gaps.
    let run = 0;
    if (ids[k] === largest + 1) {
      run = 1;
      while (run < ROWS && k + run < n && ids[k + run] === ids[k + run - 1] + 1) run++;
    }
    if (run === ROWS) {
      for (let i = 0; i < ROWS; i++) values[i] = leafOf[k + i];
      rows.flush();
      consecutive.run(values);
      largest = ids[k + ROWS - 1];
      k += ROWS;
      continue;
    }
    for (const to = k + Math.max(run, 1); k < to; k++) {
      rows.add(ids[k], leafOf[k]);
      if (ids[k] > largest) largest = ids[k];
    }
  }
  rows.flush();
}

/** Rows of two values, `perStatement` per INSERT (the per-call cost dominates rows this small), the rest one by one. */
class RowInserter {
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  private readonly values: unknown[];
  private count = 0;

  constructor(db: Database.Database, insert: string, row: string, private readonly perStatement: number) {
    this.many = db.prepare(insert + Array(perStatement).fill(row).join(', '));
    this.one = db.prepare(insert + row);
    this.values = new Array(2 * perStatement);
  }

  add(a: unknown, b: unknown): void {
    this.values[2 * this.count] = a;
    this.values[2 * this.count + 1] = b;
    if (++this.count === this.perStatement) {
      this.many.run(this.values);
      this.count = 0;
    }
  }

  flush(): void {
    for (let i = 0; i < this.count; i++) this.one.run(this.values[2 * i], this.values[2 * i + 1]);
    this.count = 0;
  }
}
