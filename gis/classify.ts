// Which operators' polygons cover each point: a uniform grid of polygon boxes (gis/cell-grid.ts) or, where a grid
// would not pay, a packed Hilbert R-tree narrows the candidates, the exact test decides. Points are visited in
// Hilbert order so that consecutive queries meet the same cells, nodes and polygons; queries allocate nothing.
import { boxExtent, buildCellGrid, cellAt, type CellGrid } from './cell-grid';
import { locateIn, OUTSIDE } from './point-in-polygon';
import type { PolygonSet } from './polygon-set';
import { hilbert, sortByKey } from './hilbert';

const NODE_SIZE = 16;
const HILBERT_MAX = (1 << 16) - 1;

/**
 * A static R-tree (flatbush's layout): boxes[4k..4k+3] of leaf k are polygon boxes in Hilbert order, then
 * node boxes level by level up to the root; ids[k] is the polygon of a leaf or the first box of a node.
 */
export interface PolygonIndex {
  count: number;
  boxes: Float64Array;
  ids: Uint32Array;
  /** End (in boxes) of each level, leaves first. */
  levelEnds: number[];
  /** The leaves by grid cell, which point queries use instead of the tree; null where a grid would not pay. */
  grid: CellGrid | null;
}

export function indexPolygons(set: PolygonSet): PolygonIndex | null {
  const n = set.polygonCount;
  if (n === 0) return null;
  // One loop per helper (see sortByKey): each is optimized once, not again at every loop of every file.
  const order = sortByKey(hilbertKeys(set.bboxes, n, boxExtent(set.bboxes, n)));
  let total = n;
  const levelEnds = [n];
  for (let m = n; m > 1;) {
    m = Math.ceil(m / NODE_SIZE);
    total += m;
    levelEnds.push(total);
  }
  const boxes = new Float64Array(4 * total);
  const ids = new Uint32Array(total);
  copyLeaves(set.bboxes, order, boxes, ids);
  for (let l = 0; l < levelEnds.length - 1; l++) buildLevel(boxes, ids, l === 0 ? 0 : levelEnds[l - 1], levelEnds[l]);
  return { count: n, boxes, ids, levelEnds, grid: buildCellGrid(boxes, n) };
}

/** Hilbert keys of the boxes' centres within the extent (minX, minY, maxX, maxY). */
function hilbertKeys(b: Float64Array, n: number, extent: Float64Array): Uint32Array {
  const [minX, minY, maxX, maxY] = extent;
  const keys = new Uint32Array(n);
  const sx = maxX > minX ? HILBERT_MAX / (maxX - minX) : 0;
  const sy = maxY > minY ? HILBERT_MAX / (maxY - minY) : 0;
  for (let p = 0; p < n; p++) {
    const cx = Math.floor(sx * ((b[4 * p] + b[4 * p + 2]) / 2 - minX));
    const cy = Math.floor(sy * ((b[4 * p + 1] + b[4 * p + 3]) / 2 - minY));
    keys[p] = hilbert(cx, cy);
  }
  return keys;
}

/** The leaves: boxes in `order`, each leaf's id its polygon. */
function copyLeaves(b: Float64Array, order: Uint32Array, boxes: Float64Array, ids: Uint32Array): void {
  for (let k = 0; k < order.length; k++) {
    const p = order[k];
    boxes[4 * k] = b[4 * p];
    boxes[4 * k + 1] = b[4 * p + 1];
    boxes[4 * k + 2] = b[4 * p + 2];
    boxes[4 * k + 3] = b[4 * p + 3];
    ids[k] = p;
  }
}

/** The level after boxes [start, end): one node per NODE_SIZE boxes, written from `end` on. */
function buildLevel(boxes: Float64Array, ids: Uint32Array, start: number, end: number): void {
  let out = end;
  for (let k = start; k < end; k += NODE_SIZE) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let j = k, jEnd = Math.min(k + NODE_SIZE, end); j < jEnd; j++) {
      if (boxes[4 * j] < x0) x0 = boxes[4 * j];
      if (boxes[4 * j + 1] < y0) y0 = boxes[4 * j + 1];
      if (boxes[4 * j + 2] > x1) x1 = boxes[4 * j + 2];
      if (boxes[4 * j + 3] > y1) y1 = boxes[4 * j + 3];
    }
    boxes[4 * out] = x0;
    boxes[4 * out + 1] = y0;
    boxes[4 * out + 2] = x1;
    boxes[4 * out + 3] = y1;
    ids[out++] = k;
  }
}

/** What classification reads of a polygon set: rings, vertices and operator bits (no boxes, no sources). */
export type ClassifiableSet = Pick<PolygonSet, 'polygonCount' | 'ringOffsets' | 'vertexOffsets' | 'coords' | 'mask'>;

/**
 * Coverage mask per point: the OR of the operator bits of every polygon containing it (boundary included).
 * `order` (from hilbertOrder) may be passed when the same points are classified against several sets.
 * Returns a new array; inputs are not modified.
 */
export function classifyPoints(
  xs: Float64Array,
  ys: Float64Array,
  set: PolygonSet,
  index: PolygonIndex | null = indexPolygons(set),
  order?: Uint32Array,
): Uint8Array {
  const n = xs.length;
  if (ys.length !== n) throw new RangeError(`classifyPoints: ${n} x values but ${ys.length} y values`);
  if (order && order.length !== n) throw new RangeError(`classifyPoints: ${n} points but an order of ${order.length}`);
  const out = new Uint8Array(n);
  if (index) classifyRange(xs, ys, set, index, order ?? hilbertOrder(xs, ys), 0, n, out);
  return out;
}

/**
 * classifyPoints for the points order[from..to) only, written into `out` (other entries untouched): ranges
 * of one Hilbert order are independent, so that several threads can share one set's points.
 */
export function classifyRange(
  xs: Float64Array,
  ys: Float64Array,
  set: ClassifiableSet,
  index: PolygonIndex,
  order: Uint32Array,
  from: number,
  to: number,
  out: Uint8Array,
): void {
  if (!(from >= 0 && from <= to && to <= order.length)) throw new RangeError(`classifyRange: range ${from}..${to} outside 0..${order.length}`);
  const { ringOffsets, vertexOffsets, coords, mask } = set;
  const all = unionOfBits(mask, set.polygonCount);
  const { boxes, ids, count, grid } = index;
  // The loop takes typed arrays and numbers only: the set and index objects (and plain arrays) differ in shape from
  // one file to the next (made on this thread or received from another), and optimized code reading them was
  // thrown away and compiled again at each new shape.
  const levelEnds = Uint32Array.from(index.levelEnds);
  if (grid) {
    classifyOrdered(xs, ys, order, from, to, out, ringOffsets, vertexOffsets, coords, mask, all, boxes, ids, levelEnds, count,
      grid.starts, grid.items, grid.minX, grid.minY, grid.scale, grid.nx, grid.ny);
  } else {
    classifyOrdered(xs, ys, order, from, to, out, ringOffsets, vertexOffsets, coords, mask, all, boxes, ids, levelEnds, count,
      NO_CELLS, NO_CELLS, 0, 0, 0, 0, 0);
  }
}

const NO_CELLS = new Uint32Array(0);

/** The OR of mask[0..n). A loop of its own: in classifyRange, V8 compiled the loop and discarded it at every call. */
function unionOfBits(mask: Uint8Array, n: number): number {
  let all = 0;
  for (let p = 0; p < n; p++) all |= mask[p];
  return all;
}

/** classifyRange's loop; without a grid, `nx` is 0. */
function classifyOrdered(
  xs: Float64Array, ys: Float64Array, order: Uint32Array, from: number, to: number, out: Uint8Array,
  ringOffsets: Uint32Array, vertexOffsets: Uint32Array, coords: Float64Array, mask: Uint8Array, all: number,
  boxes: Float64Array, ids: Uint32Array, levelEnds: Uint32Array, count: number,
  starts: Uint32Array, items: Uint32Array, minX: number, minY: number, scale: number, nx: number, ny: number,
): void {
  const root = levelEnds[levelEnds.length - 1] - 1;
  // Node starts still to visit, with the end of their level; a path holds at most NODE_SIZE per level.
  const stack = new Int32Array(2 * NODE_SIZE * levelEnds.length + 2);
  // Per operator bit, the leaf whose polygon last contained a point, tried first: consecutive points in Hilbert
  // order are often neighbours inside one sector. Only bits still missing then send the point to the grid or tree.
  const lastLeaf = new Int32Array(8).fill(-1);
  const bits: number[] = [];
  for (let b = 0; b < 8; b++) if (all & (1 << b)) bits.push(b);

  for (let q = from; q < to; q++) {
    const i = order[q];
    const x = xs[i], y = ys[i];
    let m = 0;
    for (let j = 0; j < bits.length; j++) {
      const k = lastLeaf[bits[j]];
      if (k < 0 || x < boxes[4 * k] || y < boxes[4 * k + 1] || x > boxes[4 * k + 2] || y > boxes[4 * k + 3]) continue;
      const id = ids[k];
      if (locateIn(ringOffsets, vertexOffsets, coords, id, x, y) !== OUTSIDE) m |= mask[id];
    }
    // A point that the last leaves covered for every operator goes no further. The grid and the tree are never
    // both used for one set: code that has not run yet had V8 discard the loop's optimized code when it first did.
    if (m !== all && nx > 0) {
      const c = cellAt(minX, minY, scale, nx, ny, x, y);
      if (c >= 0) {
        for (let j = starts[c], end = starts[c + 1]; j < end && m !== all; j++) {
          const k = items[j];
          if (x < boxes[4 * k] || y < boxes[4 * k + 1] || x > boxes[4 * k + 2] || y > boxes[4 * k + 3]) continue;
          const id = ids[k];
          const bit = mask[id];
          if ((m & bit) === 0 && locateIn(ringOffsets, vertexOffsets, coords, id, x, y) !== OUTSIDE) {
            m |= bit;
            lastLeaf[31 - Math.clz32(bit)] = k;
          }
        }
      }
    } else if (m !== all) {
      let top = 0;
      stack[top++] = root;
      stack[top++] = root + 1;
      while (top > 0 && m !== all) {
        const end = stack[--top];
        const start = stack[--top];
        const level = start >= count;
        for (let k = start, kEnd = Math.min(start + NODE_SIZE, end); k < kEnd; k++) {
          if (x < boxes[4 * k] || y < boxes[4 * k + 1] || x > boxes[4 * k + 2] || y > boxes[4 * k + 3]) continue;
          const id = ids[k];
          if (level) {
            stack[top++] = id;
            stack[top++] = levelEndOf(levelEnds, id);
          } else {
            const bit = mask[id];
            if ((m & bit) === 0 && locateIn(ringOffsets, vertexOffsets, coords, id, x, y) !== OUTSIDE) {
              m |= bit;
              lastLeaf[31 - Math.clz32(bit)] = k;
            }
          }
        }
      }
    }
    out[i] = m;
  }
}

function levelEndOf(levelEnds: Uint32Array, k: number): number {
  let l = 0;
  while (levelEnds[l] <= k) l++;
  return levelEnds[l];
}

/** Point indices in Hilbert order of their positions: consecutive points are near each other. */
export function hilbertOrder(xs: Float64Array, ys: Float64Array): Uint32Array {
  const n = xs.length;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xs[i], y = ys[i];
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  const sx = maxX > minX ? HILBERT_MAX / (maxX - minX) : 0;
  const sy = maxY > minY ? HILBERT_MAX / (maxY - minY) : 0;
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = hilbert(Math.floor(sx * (xs[i] - minX)), Math.floor(sy * (ys[i] - minY)));
  return sortByKey(keys);
}
