// A uniform grid over points in the km plane (CSR arrays): radius queries for the planner and the world.

/** Points bucketed by square cells of `size` km. */
export class Grid {
  readonly start: Int32Array;
  readonly items: Int32Array;
  private readonly x0: number;
  private readonly y0: number;
  private readonly nx: number;
  private readonly ny: number;
  constructor(private readonly xs: ArrayLike<number>, private readonly ys: ArrayLike<number>, private readonly size = 1) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = 0; i < xs.length; i++) {
      x0 = Math.min(x0, xs[i]); y0 = Math.min(y0, ys[i]); x1 = Math.max(x1, xs[i]); y1 = Math.max(y1, ys[i]);
    }
    this.x0 = x0; this.y0 = y0;
    this.nx = Math.floor((x1 - x0) / size) + 1;
    this.ny = Math.floor((y1 - y0) / size) + 1;
    const counts = new Int32Array(this.nx * this.ny + 1);
    const cellOf = new Int32Array(xs.length);
    for (let i = 0; i < xs.length; i++) {
      cellOf[i] = Math.floor((ys[i] - y0) / size) * this.nx + Math.floor((xs[i] - x0) / size);
      counts[cellOf[i] + 1]++;
    }
    for (let c = 0; c < this.nx * this.ny; c++) counts[c + 1] += counts[c];
    this.start = counts.slice();
    this.items = new Int32Array(xs.length);
    for (let i = 0; i < xs.length; i++) this.items[counts[cellOf[i]]++] = i;
  }
  /** Indices of points within distance r of (x, y). */
  near(x: number, y: number, r: number, out: number[] = []): number[] {
    out.length = 0;
    const cx0 = Math.max(0, Math.floor((x - r - this.x0) / this.size));
    const cx1 = Math.min(this.nx - 1, Math.floor((x + r - this.x0) / this.size));
    const cy0 = Math.max(0, Math.floor((y - r - this.y0) / this.size));
    const cy1 = Math.min(this.ny - 1, Math.floor((y + r - this.y0) / this.size));
    const r2 = r * r;
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const c = cy * this.nx + cx;
        for (let k = this.start[c]; k < this.start[c + 1]; k++) {
          const i = this.items[k];
          const dx = this.xs[i] - x, dy = this.ys[i] - y;
          if (dx * dx + dy * dy <= r2) out.push(i);
        }
      }
    }
    return out;
  }
}
