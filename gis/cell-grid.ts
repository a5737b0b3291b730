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
 * The grid over boxes[4k..4k+3] for k < count (minX, minY, maxX, maxY), or null when it would not pay: no box,
 * or too many listings. Boxes must be finite.
 */
export function buildCellGrid(boxes: Float64Array, count: number): CellGrid | null {
  if (count === 0) return null;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let k = 0; k < count; k++) {
    const x0 = boxes[4 * k], y0 = boxes[4 * k + 1], x1 = boxes[4 * k + 2], y1 = boxes[4 * k + 3];
    if (x0 < minX) minX = x0;
    if (y0 < minY) minY = y0;
    if (x1 > maxX) maxX = x1;
    if (y1 > maxY) maxY = y1;
  }
  // The median box size, from an even sample: it only sets the cell size.
  const step = Math.max(1, Math.floor(count / SIZE_SAMPLE));
  const sizes = new Float64Array(Math.ceil(count / step));
  for (let k = 0, s = 0; k < count; k += step, s++) sizes[s] = Math.max(boxes[4 * k + 2] - boxes[4 * k], boxes[4 * k + 3] - boxes[4 * k + 1]);
  sizes.sort();
  const width = maxX - minX, height = maxY - minY;
  // A cell the size of the median box, unless that makes more cells than MAX_CELLS_PER_BOX per box.
  let cell = Math.max(sizes[sizes.length >> 1], Math.sqrt((width * height) / (MAX_CELLS_PER_BOX * count)));
  if (!(cell > 0)) cell = Math.max(width, height) || 1;
  const scale = 1 / cell;
  const nx = Math.min(Math.floor(width * scale) + 1, 1 << 15);
  const ny = Math.min(Math.floor(height * scale) + 1, 1 << 15);
  const column = (x: number) => Math.min(nx - 1, Math.floor((x - minX) * scale));
  const row = (y: number) => Math.min(ny - 1, Math.floor((y - minY) * scale));

  const starts = new Uint32Array(nx * ny + 1);
  let listings = 0;
  for (let k = 0; k < count; k++) {
    const c0 = column(boxes[4 * k]), c1 = column(boxes[4 * k + 2]), r0 = row(boxes[4 * k + 1]), r1 = row(boxes[4 * k + 3]);
    listings += (c1 - c0 + 1) * (r1 - r0 + 1);
    if (listings > MAX_LISTINGS_PER_BOX * count) return null;
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) starts[r * nx + c + 1]++;
  }
  for (let c = 0; c < nx * ny; c++) starts[c + 1] += starts[c];
  const items = new Uint32Array(listings);
  const fill = starts.slice(0, nx * ny);
  for (let k = 0; k < count; k++) {
    const c0 = column(boxes[4 * k]), c1 = column(boxes[4 * k + 2]), r0 = row(boxes[4 * k + 1]), r1 = row(boxes[4 * k + 3]);
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) items[fill[r * nx + c]++] = k;
  }
  return { minX, minY, scale, nx, ny, starts, items };
}

/**
 * The cell whose list holds every box containing (x, y), or -1 when no box can. Exact at cell borders: a box
 * and a point inside it map through the same monotone arithmetic, so the point's cell is among the box's.
 */
export function cellOf(grid: CellGrid, x: number, y: number): number {
  const fx = Math.floor((x - grid.minX) * grid.scale), fy = Math.floor((y - grid.minY) * grid.scale);
  if (!(fx >= 0 && fy >= 0)) return -1;
  // Past the last column only a point beyond every box (or on the far edge, which min() maps as the boxes).
  const cx = fx < grid.nx ? fx : grid.nx - 1, cy = fy < grid.ny ? fy : grid.ny - 1;
  return cy * grid.nx + cx;
}
