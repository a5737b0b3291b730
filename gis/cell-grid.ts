// A uniform grid over polygon boxes for point queries: a point's cell lists every box that could hold it, so
// a query is one cell instead of a walk down the R-tree, whose overlapping nodes made a point test ~50 boxes.
// Cells are about the size of a typical box; a set where boxes would be listed in too many cells (a few huge
// polygons among small ones, or a very skewed spread) gets no grid and keeps the R-tree.

export interface CellGrid {
  minX: number;
  minY: number;
  /** Cells per degree, both ways. */
  scale: number;
  nx: number;
  ny: number;
  /** Cell c lists items[starts[c], starts[c + 1]); cell c is column c % nx, row floor(c / nx). */
  starts: Uint32Array;
  /** Box numbers (as in `boxes`), each listed in every cell its box meets. */
  items: Uint32Array;
}

/** Listings allowed per box on average before the grid is judged not worth it. */
const MAX_LISTINGS_PER_BOX = 12;
/** At most this many cells per box. */
const MAX_CELLS_PER_BOX = 4;
/** Boxes whose sizes are looked at to choose the cell size. */
const SIZE_SAMPLE = 4096;

/**
 * minX, minY, maxX, maxY over boxes[4k..4k+3] for k < count (Infinity and -Infinity when count is 0). Kept in the
 * array the loop writes: code after a long loop has not run when V8 optimizes the loop, and is deoptimized on
 * first use.
 */
export function boxExtent(boxes: Float64Array, count: number): Float64Array {
  const e = Float64Array.of(Infinity, Infinity, -Infinity, -Infinity);
  for (let k = 0; k < count; k++) {
    const x0 = boxes[4 * k], y0 = boxes[4 * k + 1], x1 = boxes[4 * k + 2], y1 = boxes[4 * k + 3];
    if (x0 < e[0]) e[0] = x0;
    if (y0 < e[1]) e[1] = y0;
    if (x1 > e[2]) e[2] = x1;
    if (y1 > e[3]) e[3] = y1;
  }
  return e;
}

/**
 * The grid over boxes[4k..4k+3] for k < count (minX, minY, maxX, maxY), or null when it would not pay: no box,
 * or too many listings. Boxes must be finite. One loop per helper (see gis/hilbert.ts's sortByKey).
 */
export function buildCellGrid(boxes: Float64Array, count: number): CellGrid | null {
  if (count === 0) return null;
  const [minX, minY, maxX, maxY] = boxExtent(boxes, count);
  const width = maxX - minX, height = maxY - minY;
  // A cell the size of the median box, unless that makes more cells than MAX_CELLS_PER_BOX per box.
  let cell = Math.max(medianBoxSize(boxes, count), Math.sqrt((width * height) / (MAX_CELLS_PER_BOX * count)));
  if (!(cell > 0)) cell = Math.max(width, height) || 1;
  const scale = 1 / cell;
  const grid: CellGrid = {
    minX, minY, scale,
    nx: Math.min(Math.floor(width * scale) + 1, 1 << 15),
    ny: Math.min(Math.floor(height * scale) + 1, 1 << 15),
    starts: new Uint32Array(0),
    items: new Uint32Array(0),
  };
  grid.starts = new Uint32Array(grid.nx * grid.ny + 1);
  const listings = countListings(grid, boxes, count, MAX_LISTINGS_PER_BOX * count);
  if (listings < 0) return null;
  toEnds(grid.starts);
  grid.items = new Uint32Array(listings);
  listBoxes(grid, boxes, count);
  return grid;
}

/** The median of the larger side of an even sample of the boxes: it only sets the cell size. */
function medianBoxSize(boxes: Float64Array, count: number): number {
  const sizes = sampleBoxSizes(boxes, count, Math.max(1, Math.floor(count / SIZE_SAMPLE)));
  sizes.sort();
  return sizes[sizes.length >> 1];
}

/**
 * The larger side of every step-th box. A loop of its own: V8 compiled it on stack at every file, then threw the
 * code away at the first statement after it, which had not run yet.
 */
function sampleBoxSizes(boxes: Float64Array, count: number, step: number): Float64Array {
  const sizes = new Float64Array(Math.ceil(count / step));
  for (let k = 0, s = 0; k < count; k += step, s++) sizes[s] = Math.max(boxes[4 * k + 2] - boxes[4 * k], boxes[4 * k + 3] - boxes[4 * k + 1]);
  return sizes;
}

/** Column (or row) of coordinate v: the same monotone arithmetic for boxes as cellOf's for points. */
function gridIndex(v: number, min: number, scale: number, n: number): number {
  return Math.min(n - 1, Math.floor((v - min) * scale));
}

/** Counts each cell's boxes into starts[cell + 1]; the listings in all, or -1 past `limit`. */
function countListings(g: CellGrid, boxes: Float64Array, count: number, limit: number): number {
  const { minX, minY, scale, nx, ny, starts } = g;
  let listings = 0;
  for (let k = 0; k < count; k++) {
    const c0 = gridIndex(boxes[4 * k], minX, scale, nx), c1 = gridIndex(boxes[4 * k + 2], minX, scale, nx);
    const r0 = gridIndex(boxes[4 * k + 1], minY, scale, ny), r1 = gridIndex(boxes[4 * k + 3], minY, scale, ny);
    listings += (c1 - c0 + 1) * (r1 - r0 + 1);
    if (listings > limit) return -1;
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) starts[r * nx + c + 1]++;
  }
  return listings;
}

/** Counts → ends: cell c's list is then items[starts[c], starts[c + 1]). */
function toEnds(starts: Uint32Array): void {
  for (let c = 0; c + 1 < starts.length; c++) starts[c + 1] += starts[c];
}

function listBoxes(g: CellGrid, boxes: Float64Array, count: number): void {
  const { minX, minY, scale, nx, ny, starts, items } = g;
  const fill = starts.slice(0, nx * ny);
  for (let k = 0; k < count; k++) {
    const c0 = gridIndex(boxes[4 * k], minX, scale, nx), c1 = gridIndex(boxes[4 * k + 2], minX, scale, nx);
    const r0 = gridIndex(boxes[4 * k + 1], minY, scale, ny), r1 = gridIndex(boxes[4 * k + 3], minY, scale, ny);
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) items[fill[r * nx + c]++] = k;
  }
}

/**
 * The cell whose list holds every box containing (x, y), or -1 when no box can. Exact at cell borders: a box
 * and a point inside it map through the same monotone arithmetic, so the point's cell is among the box's.
 */
export function cellOf(grid: CellGrid, x: number, y: number): number {
  return cellAt(grid.minX, grid.minY, grid.scale, grid.nx, grid.ny, x, y);
}

/** cellOf with the grid's numbers as arguments (for loops that take no objects, see classify.ts). */
export function cellAt(minX: number, minY: number, scale: number, nx: number, ny: number, x: number, y: number): number {
  const fx = Math.floor((x - minX) * scale), fy = Math.floor((y - minY) * scale);
  if (!(fx >= 0 && fy >= 0)) return -1;
  // Past the last column only a point beyond every box (or on the far edge, which min() maps as the boxes).
  // Math.min, not a branch: optimized code was discarded the first time a point fell there.
  return Math.min(fy, ny - 1) * nx + Math.min(fx, nx - 1);
}
