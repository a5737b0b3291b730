// Distances in metres: the local projection against Turf's geodesic distance, and the nearest-item index
// against a scan of every item.
import { point, pointToLineDistance, lineString, booleanPointInPolygon, polygon } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { IssueList, buildPolygonSet } from '../../gis';
import { circleRing, NearestIndex, pointDistanceM, polygonDistanceM, safeCos, singleLinkage, spanningLength } from '../../gis/planning';
import { rng } from './fixture';

describe('distances on the local projection', () => {
  it('point to polygon edge agrees with Turf (geodesic) within 0.3% for 1–20 km', () => {
    const ring = circleRing(115.4, 25.9, 5000, 12);
    const issues = new IssueList();
    const set = buildPolygonSet([{ name: 't', features: [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { operator: 'CT' } }] }], { defaultTech: 'FTTH' }, issues);
    expect(issues.count).toBe(0);
    const r = rng(3);
    for (let k = 0; k < 200; k++) {
      const lon = 115.4 + (r() * 2 - 1) * 0.25, lat = 25.9 + (r() * 2 - 1) * 0.25;
      const ours = polygonDistanceM(set, 0, lon, lat);
      if (booleanPointInPolygon(point([lon, lat]), polygon([ring]))) {
        expect(ours).toBe(0);
        continue;
      }
      const turf = pointToLineDistance(point([lon, lat]), lineString(ring), { units: 'meters', method: 'geodesic' });
      if (turf < 1000) continue;
      expect(Math.abs(ours - turf) / turf).toBeLessThan(0.003);
    }
  });

  it('NearestIndex finds the same nearest item as a full scan', () => {
    const r = rng(9);
    const n = 300;
    const lon = Float64Array.from({ length: n }, () => 114 + r() * 2.5);
    const lat = Float64Array.from({ length: n }, () => 24.5 + r() * 2.7);
    const idx = new NearestIndex(n, (i) => [lon[i], lat[i], lon[i], lat[i]], (i, x, y) => pointDistanceM(x, y, lon[i], lat[i]), safeCos(lat));
    for (let k = 0; k < 500; k++) {
      const x = 114 + r() * 2.5, y = 24.5 + r() * 2.7;
      let best = Infinity;
      for (let i = 0; i < n; i++) best = Math.min(best, pointDistanceM(x, y, lon[i], lat[i]));
      const odd = (i: number) => i % 2 === 1;
      let bestOdd = Infinity;
      for (let i = 1; i < n; i += 2) bestOdd = Math.min(bestOdd, pointDistanceM(x, y, lon[i], lat[i]));
      expect(idx.nearest(x, y)!.distanceM).toBe(best);
      expect(idx.nearest(x, y, odd)!.distanceM).toBe(bestOdd);
    }
    expect(new NearestIndex(0, () => [0, 0, 0, 0], () => 0, 1).nearest(115, 26)).toBeNull();
  });

  it('sector rings open toward the azimuth', () => {
    const ring = circleRing(115, 26, 1000, 48, { azimuthDeg: 90, beamwidthDeg: 60 });
    const poly = polygon([ring]);
    expect(booleanPointInPolygon(point([115.005, 26]), poly)).toBe(true); // east, inside 1 km
    expect(booleanPointInPolygon(point([114.995, 26]), poly)).toBe(false); // west
    expect(booleanPointInPolygon(point([115, 26.005]), poly)).toBe(false); // north
  });

  it('single linkage chains points within the distance; the spanning tree is its shortest connection', () => {
    const lon = [115, 115.009, 115.018, 115.2];
    const lat = [26, 26, 26, 26];
    expect(singleLinkage(lon, lat, [0, 1, 2, 3], 1000)).toEqual([[0, 1, 2], [3]]);
    expect(singleLinkage(lon, lat, [0, 1, 2, 3], 500)).toEqual([[0], [1], [2], [3]]);
    const d = pointDistanceM(115, 26, 115.009, 26);
    expect(spanningLength(lon, lat, [0, 1, 2])).toBeCloseTo(2 * d, 6);
  });
});
