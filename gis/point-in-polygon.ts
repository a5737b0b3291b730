// Exact point-in-polygon over a PolygonSet. Boundary points count as inside; holes are handled by the
// even-odd rule over all rings of the polygon. The side test uses Shewchuk's adaptive-precision orient2d,
// so a point exactly on an edge is found to be on it whatever the coordinates.
import { orient2d } from 'robust-predicates';
import type { PolygonSet } from './polygon-set';

export const OUTSIDE = 0;
export const INSIDE = 1;
export const ON_BOUNDARY = 2;
export type PointLocation = typeof OUTSIDE | typeof INSIDE | typeof ON_BOUNDARY;

// robust-predicates' own first-stage error bound: when |det| clears it, det has orient2d's sign.
const EPSILON = 1.1102230246251565e-16;
const CCW_ERRBOUND_A = (3 + 16 * EPSILON) * EPSILON;

/** Where (x, y) lies relative to polygon p of the set. */
export function locatePoint(set: Pick<PolygonSet, 'ringOffsets' | 'vertexOffsets' | 'coords'>, p: number, x: number, y: number): PointLocation {
  return locateIn(set.ringOffsets, set.vertexOffsets, set.coords, p, x, y);
}

/**
 * locatePoint over the set's arrays. Hot loops call this one: the set objects they get differ in shape (made here
 * or received from another thread), and optimized code reading their fields was thrown away at each new shape.
 */
export function locateIn(ringOffsets: Uint32Array, vertexOffsets: Uint32Array, coords: Float64Array, p: number, x: number, y: number): PointLocation {
  let inside = false;
  for (let r = ringOffsets[p], rEnd = ringOffsets[p + 1]; r < rEnd; r++) {
    const last = vertexOffsets[r + 1] - 1;
    let ax = coords[2 * vertexOffsets[r]], ay = coords[2 * vertexOffsets[r] + 1];
    for (let i = vertexOffsets[r]; i < last; i++) {
      const bx = coords[2 * i + 2], by = coords[2 * i + 3];
      if ((ay > y) !== (by > y)) {
        // The edge crosses the horizontal through the point. Wholly right of the point it is crossed by the
        // rightward ray, wholly left it is not; only in between is the side test needed.
        if (ax > x && bx > x) inside = !inside;
        else if (ax >= x || bx >= x) {
          // orient2d: negative when (x, y) is left of a→b (robust-predicates' sign convention).
          const detLeft = (ay - y) * (bx - x);
          const detRight = (ax - x) * (by - y);
          let o = detLeft - detRight;
          if (Math.abs(o) < CCW_ERRBOUND_A * Math.abs(detLeft + detRight)) o = orient2d(ax, ay, bx, by, x, y);
          if (o === 0) return ON_BOUNDARY;
          if ((o < 0) === (by > ay)) inside = !inside;
        }
      } else if (ay === y) {
        if (ax === x || (by === y && (ax < bx ? ax <= x && x <= bx : bx <= x && x <= ax))) return ON_BOUNDARY;
      }
      ax = bx;
      ay = by;
    }
  }
  return inside ? INSIDE : OUTSIDE;
}
