// Planar geometry in a local kilometre plane centred on Ganzhou (equirectangular about 25.85 N): the
// generator works in km and converts to lon/lat only on output, an affine map that keeps rings valid.

export type XY = [number, number];

const LON0 = 115.25;
const LAT0 = 25.85;
const KX = 111.32 * Math.cos((LAT0 * Math.PI) / 180);
const KY = 110.574;

export function toPlane(lon: number, lat: number): XY {
  return [(lon - LON0) * KX, (lat - LAT0) * KY];
}

/** Lon/lat rounded to 6 decimals (about 0.1 m), the precision of every written coordinate. */
export function toLonLat(x: number, y: number): [number, number] {
  return [round6(LON0 + x / KX), round6(LAT0 + y / KY)];
}

export function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** Twice the signed area: positive for counter-clockwise rings (open rings, no repeated closing vertex). */
export function signedArea2(ring: readonly XY[]): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) s += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return s;
}

export function area(ring: readonly XY[]): number {
  return Math.abs(signedArea2(ring)) / 2;
}

/** Keeps the part of a convex ring where a*x + b*y <= c (Sutherland-Hodgman against one line). */
export function clipHalfPlane(ring: readonly XY[], a: number, b: number, c: number): XY[] {
  const out: XY[] = [];
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i];
    const q = ring[(i + 1) % ring.length];
    const fp = a * p[0] + b * p[1] - c;
    const fq = a * q[0] + b * q[1] - c;
    if (fp <= 0) out.push(p);
    if ((fp < 0 && fq > 0) || (fp > 0 && fq < 0)) {
      const t = fp / (fp - fq);
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  }
  return out;
}

/** The Voronoi cell of sites[i] inside a convex ring: the ring cut by every perpendicular bisector. */
export function voronoiCell(sites: readonly XY[], i: number, clip: readonly XY[]): XY[] {
  let cell = clip.slice();
  const [px, py] = sites[i];
  for (let j = 0; j < sites.length && cell.length >= 3; j++) {
    if (j === i) continue;
    const [qx, qy] = sites[j];
    cell = clipHalfPlane(cell, qx - px, qy - py, (qx * qx + qy * qy - px * px - py * py) / 2);
  }
  return cell;
}

/** Point in a convex counter-clockwise ring. */
export function inConvex(ring: readonly XY[], x: number, y: number): boolean {
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    if ((ring[i][0] - ring[j][0]) * (y - ring[j][1]) - (ring[i][1] - ring[j][1]) * (x - ring[j][0]) < 0) return false;
  }
  return true;
}

export function bbox(ring: readonly XY[]): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of ring) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return [x0, y0, x1, y1];
}

export function centroid(ring: readonly XY[]): XY {
  let cx = 0, cy = 0, a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
    cx += (ring[j][0] + ring[i][0]) * f;
    cy += (ring[j][1] + ring[i][1]) * f;
    a += f;
  }
  return [cx / (3 * a), cy / (3 * a)];
}

/** Drops vertices closer than eps to their predecessor (clipping can produce near-duplicates). */
export function dedupe(ring: readonly XY[], eps = 1e-3): XY[] {
  const out: XY[] = [];
  for (const p of ring) {
    const q = out[out.length - 1];
    if (!q || Math.hypot(p[0] - q[0], p[1] - q[1]) > eps) out.push(p);
  }
  while (out.length > 1 && Math.hypot(out[0][0] - out[out.length - 1][0], out[0][1] - out[out.length - 1][1]) <= eps) out.pop();
  return out;
}

/** Closes a plane ring and converts it to rounded lon/lat. */
export function ringToLonLat(ring: readonly XY[]): number[][] {
  const out: number[][] = ring.map(([x, y]) => toLonLat(x, y));
  out.push(out[0].slice());
  return out;
}
