// Which operators' polygons cover each point: a packed R-tree (flatbush) over polygon boxes narrows the
// candidates, the exact test decides.
import Flatbush from 'flatbush';
import { locatePoint, OUTSIDE } from './point-in-polygon';
import type { PolygonSet } from './polygon-set';

export function indexPolygons(set: PolygonSet): Flatbush | null {
  if (set.polygonCount === 0) return null;
  const index = new Flatbush(set.polygonCount);
  const b = set.bboxes;
  for (let p = 0; p < set.polygonCount; p++) index.add(b[4 * p], b[4 * p + 1], b[4 * p + 2], b[4 * p + 3]);
  index.finish();
  return index;
}

/**
 * Coverage mask per point: the OR of the operator bits of every polygon containing it (boundary included).
 * Returns a new array; inputs are not modified.
 */
export function classifyPoints(
  xs: Float64Array,
  ys: Float64Array,
  set: PolygonSet,
  index: Flatbush | null = indexPolygons(set),
): Uint8Array {
  const n = xs.length;
  if (ys.length !== n) throw new RangeError(`classifyPoints: ${n} x values but ${ys.length} y values`);
  const out = new Uint8Array(n);
  if (!index) return out;
  let all = 0;
  for (let p = 0; p < set.polygonCount; p++) all |= set.mask[p];

  // One filter for the whole run: it tests candidates in place, so search() never collects results.
  let x = 0, y = 0, m = 0;
  const test = (p: number): boolean => {
    const bit = set.mask[p];
    if (m !== all && (m & bit) === 0 && locatePoint(set, p, x, y) !== OUTSIDE) m |= bit;
    return false;
  };
  for (let i = 0; i < n; i++) {
    x = xs[i];
    y = ys[i];
    m = 0;
    index.search(x, y, x, y, test);
    out[i] = m;
  }
  return out;
}
