// Rings simplified for display (Douglas–Peucker), over packed vertices: what a map drawn at some zoom needs of
// polygons far more detailed than its pixels. Distances are measured as a Web Mercator map shows them (latitude
// differences stretched by 1 / cos(latitude)), so a tolerance is a fixed fraction of a pixel wherever the ring is.

/** Packed rings: ring r has vertices ringVertex[r] .. ringVertex[r + 1] - 1, as (x, y) pairs in `coords`. */
export interface PackedRings {
  ringVertex: Uint32Array;
  coords: Float64Array;
}

/**
 * The rings with every vertex dropped that lies within `tolerance` (degrees of longitude, as on a Web Mercator map:
 * 360 / (512 · 2^z) is one pixel of a 512-px tile at zoom z) of the simplified outline. Each ring keeps its first
 * and last vertex and the vertex farthest from the first, so a closed ring stays closed; rings of fewer than five
 * vertices are kept whole. A tolerance of 0 returns copies of the arrays. The inputs are not modified.
 */
export function simplifyRings(rings: PackedRings, tolerance: number): PackedRings {
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new RangeError(`simplifyRings: tolerance ${tolerance}; expected a finite number of degrees >= 0`);
  }
  const { ringVertex, coords } = rings;
  const ringCount = ringVertex.length - 1;
  if (ringCount >= 0 && ringVertex[ringCount] * 2 > coords.length) {
    throw new RangeError(`simplifyRings: the rings index ${ringVertex[ringCount]} vertices; coords holds ${coords.length / 2}`);
  }
  if (tolerance === 0) return { ringVertex: ringVertex.slice(), coords: coords.slice() };
  const vertices = ringCount >= 0 ? ringVertex[ringCount] : 0;
  const keep = new Uint8Array(vertices);
  const stack: number[] = [];
  const tol2 = tolerance * tolerance;
  for (let r = 0; r < ringCount; r++) {
    const v0 = ringVertex[r], v1 = ringVertex[r + 1];
    if (v1 - v0 < 5) {
      keep.fill(1, v0, v1);
      continue;
    }
    const stretch = 1 / Math.max(1e-6, Math.cos((coords[2 * v0 + 1] * Math.PI) / 180));
    // The vertex farthest from the first splits the ring into two open runs.
    let far = v0 + 1, best = -1;
    for (let v = v0 + 1; v < v1 - 1; v++) {
      const dx = coords[2 * v] - coords[2 * v0], dy = (coords[2 * v + 1] - coords[2 * v0 + 1]) * stretch;
      const d = dx * dx + dy * dy;
      if (d > best) {
        best = d;
        far = v;
      }
    }
    keep[v0] = keep[far] = keep[v1 - 1] = 1;
    stack.push(v0, far, far, v1 - 1);
    while (stack.length > 0) {
      const b = stack.pop()!, a = stack.pop()!;
      if (b - a < 2) continue;
      const ax = coords[2 * a], ay = coords[2 * a + 1] * stretch;
      const ex = coords[2 * b] - ax, ey = coords[2 * b + 1] * stretch - ay;
      const len2 = ex * ex + ey * ey;
      let worst = -1, at = -1;
      for (let v = a + 1; v < b; v++) {
        const px = coords[2 * v] - ax, py = coords[2 * v + 1] * stretch - ay;
        const d = segmentDistance2(px, py, ex, ey, len2);
        if (d > worst) {
          worst = d;
          at = v;
        }
      }
      if (worst > tol2) {
        keep[at] = 1;
        stack.push(a, at, at, b);
      }
    }
  }
  let kept = 0;
  for (let v = 0; v < vertices; v++) kept += keep[v];
  const outRings = new Uint32Array(ringVertex.length);
  const outCoords = new Float64Array(kept * 2);
  let n = 0;
  for (let r = 0; r < ringCount; r++) {
    for (let v = ringVertex[r]; v < ringVertex[r + 1]; v++) {
      if (!keep[v]) continue;
      outCoords[2 * n] = coords[2 * v];
      outCoords[2 * n + 1] = coords[2 * v + 1];
      n++;
    }
    outRings[r + 1] = n;
  }
  return { ringVertex: outRings, coords: outCoords };
}

/** Squared distance from (px, py) to the segment from the origin to (ex, ey) of squared length len2. */
function segmentDistance2(px: number, py: number, ex: number, ey: number, len2: number): number {
  const t = len2 > 0 ? Math.max(0, Math.min(1, (px * ex + py * ey) / len2)) : 0;
  const dx = px - t * ex, dy = py - t * ey;
  return dx * dx + dy * dy;
}
