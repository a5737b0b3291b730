// Exact point-in-polygon over a PolygonSet. Boundary points count as inside; holes are handled by the
// even-odd rule over all rings of the polygon. The side test uses Shewchuk's adaptive-precision orient2d,
// so a point exactly on an edge is found to be on it whatever the coordinates.
import { orient2d } from 'robust-predicates';
import type { PolygonSet } from './polygon-set';

export const OUTSIDE = 0;
export const INSIDE = 1;
export const ON_BOUNDARY = 2;
export type PointLocation = typeof OUTSIDE | typeof INSIDE | typeof ON_BOUNDARY;

/** Where (x, y) lies relative to polygon p of the set. */
export function locatePoint(set: PolygonSet, p: number, x: number, y: number): PointLocation {
  const { ringOffsets, vertexOffsets, coords } = set;
  let inside = false;
  for (let r = ringOffsets[p], rEnd = ringOffsets[p + 1]; r < rEnd; r++) {
    const last = vertexOffsets[r + 1] - 1;
    for (let i = vertexOffsets[r]; i < last; i++) {
      const ax = coords[2 * i], ay = coords[2 * i + 1];
      const bx = coords[2 * i + 2], by = coords[2 * i + 3];
      if (ax === x && ay === y) return ON_BOUNDARY;
      if ((ay > y) !== (by > y)) {
        // robust-predicates' orient2d is negative when (x, y) is left of a→b.
        const o = orient2d(ax, ay, bx, by, x, y);
        if (o === 0) return ON_BOUNDARY;
        if ((o < 0) === (by > ay)) inside = !inside;
      } else if (ay === y && by === y && (ax < bx ? ax <= x && x <= bx : bx <= x && x <= ax)) {
        return ON_BOUNDARY;
      }
    }
  }
  return inside ? INSIDE : OUTSIDE;
}
