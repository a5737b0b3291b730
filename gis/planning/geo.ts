// Distances in metres on a local equirectangular projection centred on the query point: within the tens of
// kilometres planning looks at, its error is far below the uncertainty of any coverage polygon.
import Flatbush from 'flatbush';
import { locatePoint, OUTSIDE } from '../point-in-polygon';
import type { PolygonSet } from '../polygon-set';
import type { Position } from '../types';

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6371008.8;
/** Metres per degree of latitude on that sphere. */
export const M_PER_DEG = (EARTH_RADIUS_M * Math.PI) / 180;

/** Distance in metres between two lon/lat points (local projection at the first). */
export function pointDistanceM(lon0: number, lat0: number, lon1: number, lat1: number): number {
  const kx = M_PER_DEG * Math.cos((lat0 * Math.PI) / 180);
  return Math.hypot((lon1 - lon0) * kx, (lat1 - lat0) * M_PER_DEG);
}

/**
 * Distance in metres from (lon, lat) to polygon p of the set: 0 inside or on the boundary, else the exact
 * distance to the nearest edge (holes included) on the projection centred on the point.
 */
export function polygonDistanceM(set: PolygonSet, p: number, lon: number, lat: number): number {
  if (locatePoint(set, p, lon, lat) !== OUTSIDE) return 0;
  const kx = M_PER_DEG * Math.cos((lat * Math.PI) / 180);
  const { ringOffsets, vertexOffsets, coords } = set;
  let best = Infinity;
  for (let r = ringOffsets[p], rEnd = ringOffsets[p + 1]; r < rEnd; r++) {
    const last = vertexOffsets[r + 1] - 1;
    for (let i = vertexOffsets[r]; i < last; i++) {
      const ax = (coords[2 * i] - lon) * kx, ay = (coords[2 * i + 1] - lat) * M_PER_DEG;
      const bx = (coords[2 * i + 2] - lon) * kx, by = (coords[2 * i + 3] - lat) * M_PER_DEG;
      const d = segmentDistance(ax, ay, bx, by);
      if (d < best) best = d;
    }
  }
  return best;
}

/** Distance from the origin to the segment a→b (plane coordinates). */
function segmentDistance(ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : -(ax * dx + ay * dy) / len2;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  return Math.hypot(ax + t * dx, ay + t * dy);
}

/**
 * A ring approximating a circle of `radiusM` around (lon, lat), or a sector of it when `sector` is given
 * (azimuth clockwise from north, beamwidth in degrees). Closed, counter-clockwise, in lon/lat.
 */
export function circleRing(lon: number, lat: number, radiusM: number, segments = 48,
  sector?: { azimuthDeg: number; beamwidthDeg: number }): Position[] {
  const kx = M_PER_DEG * Math.cos((lat * Math.PI) / 180);
  const at = (bearingDeg: number): Position => {
    const b = (bearingDeg * Math.PI) / 180;
    return [lon + (radiusM * Math.sin(b)) / kx, lat + (radiusM * Math.cos(b)) / M_PER_DEG];
  };
  if (!sector || sector.beamwidthDeg >= 360) {
    const ring: Position[] = [];
    // Bearings decreasing = counter-clockwise in lon/lat.
    for (let s = 0; s < segments; s++) ring.push(at(360 - (360 * s) / segments));
    ring.push(ring[0]);
    return ring;
  }
  const steps = Math.max(2, Math.ceil((segments * sector.beamwidthDeg) / 360));
  const start = sector.azimuthDeg + sector.beamwidthDeg / 2;
  const ring: Position[] = [[lon, lat]];
  for (let s = 0; s <= steps; s++) ring.push(at(start - (sector.beamwidthDeg * s) / steps));
  ring.push([lon, lat]);
  return ring;
}

/**
 * Nearest-item search in metres over boxes in lon/lat. Flatbush orders boxes by distance in a space where
 * longitude is scaled by `cosRef` (the cosine at the highest latitude in play), which never exceeds the true
 * distance; the exact distance of the first hit then bounds a second search that cannot miss anything nearer.
 */
export class NearestIndex {
  private readonly index: Flatbush | null;
  constructor(
    readonly count: number,
    bbox: (i: number) => [number, number, number, number],
    private readonly exact: (i: number, lon: number, lat: number) => number,
    private readonly cosRef: number,
  ) {
    if (!(cosRef > 0 && cosRef <= 1)) throw new RangeError(`cosRef: found ${cosRef}; expected a cosine in (0, 1]`);
    if (count === 0) {
      this.index = null;
      return;
    }
    const index = new Flatbush(count);
    for (let i = 0; i < count; i++) {
      const [a, b, c, d] = bbox(i);
      index.add(a * cosRef, b, c * cosRef, d);
    }
    index.finish();
    this.index = index;
  }

  /** The nearest accepted item and its distance in metres, or null when none is accepted. */
  nearest(lon: number, lat: number, accept?: (i: number) => boolean): { item: number; distanceM: number } | null {
    if (!this.index) return null;
    const x = lon * this.cosRef;
    const first = this.index.neighbors(x, lat, 1, Infinity, accept);
    if (first.length === 0) return null;
    let item = first[0];
    let distanceM = this.exact(item, lon, lat);
    if (distanceM === 0) return { item, distanceM };
    this.index.neighbors(x, lat, Infinity, distanceM / M_PER_DEG, (i) => {
      if (accept && !accept(i)) return false;
      const d = this.exact(i, lon, lat);
      if (d < distanceM || (d === distanceM && i < item)) {
        distanceM = d;
        item = i;
      }
      return false;
    });
    return { item, distanceM };
  }
}

/** The cosine of the highest absolute latitude among the given values (a safe scale for NearestIndex). */
export function safeCos(...lats: ArrayLike<number>[]): number {
  let max = 0;
  for (const list of lats) for (let i = 0; i < list.length; i++) max = Math.max(max, Math.abs(list[i]));
  return Math.max(1e-6, Math.cos((Math.min(89.9, max) * Math.PI) / 180));
}
