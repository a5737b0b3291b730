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

/**
 * Runs every branch of locateIn once. Classification loops inline it, and V8 optimizes them with the type feedback
 * seen so far; points exactly on an edge or a vertex come rarely and late, and at each first one V8 discarded the
 * whole loop's code and compiled it again (5 times in an analysis at L). Coordinates are not integers, as real
 * ones are not, so that the feedback is for doubles.
 */
function primeBranches(): void {
  // Polygon 0, a square from 0.5 to 1.5; polygon 1, a triangle with an edge from (0.25, 0.25) to (0.75, 0.75).
  const ringOffsets = Uint32Array.of(0, 1, 2);
  const vertexOffsets = Uint32Array.of(0, 5, 9);
  const coords = Float64Array.of(0.5, 0.5, 1.5, 0.5, 1.5, 1.5, 0.5, 1.5, 0.5, 0.5, 0.25, 0.25, 0.75, 0.75, 0.25, 0.75, 0.25, 0.25);
  // A vertex, the bottom edge (left to right), the top edge (right to left), the bottom edge's line beyond it,
  // inside, a vertical edge; then the slanted edge, where only the exact test can tell.
  const square = [0.5, 0.5, 1, 0.5, 1, 1.5, 2, 0.5, 1.25, 1.25, 1.5, 1.25];
  // Three rounds: V8 records feedback only from a function's ninth call on (lazy feedback allocation).
  for (let round = 0; round < 3; round++) {
    for (let k = 0; k < square.length; k += 2) locateIn(ringOffsets, vertexOffsets, coords, 0, square[k], square[k + 1]);
    locateIn(ringOffsets, vertexOffsets, coords, 1, 0.5, 0.5);
  }
}

primeBranches();
