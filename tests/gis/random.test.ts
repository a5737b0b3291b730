// Seeded random comparison of the indexed, exact classifier with a brute-force reference (Turf, no index).
// Coordinates sit on a 1/4096° grid so that Turf's float arithmetic is exact and both must agree even for
// points placed on vertices and edges.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeCoverage, indexPolygons, type Feature, type Operator } from '../../gis';
import { IssueList } from '../../gis/issues';
import { buildPolygonSet, coverageBuildOptions } from '../../gis/polygon-set';
import { mulberry32, referenceOperators } from './helpers';

const GRID = 1 / 4096;
const snap = (v: number) => Math.round(v / GRID) * GRID;

/** A star-shaped ring around (cx, cy): simple by construction; clockwise when `cw`. */
function starRing(rand: () => number, cx: number, cy: number, radius: number, n: number, cw = false): number[][] {
  const ring: number[][] = [];
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n;
    const r = radius * (0.55 + 0.45 * rand());
    ring.push([snap(cx + r * Math.cos(a)), snap(cy + r * Math.sin(a))]);
  }
  const deduped = ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1][0] || p[1] !== ring[i - 1][1]);
  if (cw) deduped.reverse();
  deduped.push([...deduped[0]]);
  return deduped;
}

function randomLayer(rand: () => number, count: number): Feature[] {
  const ops: Operator[] = ['CMCC', 'CT', 'CU'];
  const out: Feature[] = [];
  for (let i = 0; i < count; i++) {
    const cx = 114 + rand() * 2, cy = 25 + rand() * 2, radius = 0.02 + rand() * 0.15;
    const outer = starRing(rand, cx, cy, radius, 20 + Math.floor(rand() * 20));
    const rings = [outer];
    if (rand() < 0.2) rings.push(starRing(rand, cx, cy, radius * 0.3, 8, true));
    const geometry = rand() < 0.15
      ? { type: 'MultiPolygon' as const, coordinates: [rings, [starRing(rand, cx + radius * 3, cy, radius * 0.5, 12)]] }
      : { type: 'Polygon' as const, coordinates: rings };
    out.push({ type: 'Feature', geometry, properties: { operator: ops[i % 3], tech: '4G' } });
  }
  return out;
}

/** Points on vertices, on edge midpoints, and elsewhere: spread out, or in villages (then consecutive points in
 * Hilbert order mostly share their polygons, which the classifier tries first). */
function randomSettlements(rand: () => number, polygons: Feature[], count: number, villages = 0): Feature[] {
  const centres = Array.from({ length: villages }, () => [113.9 + rand() * 2.4, 24.9 + rand() * 2.4]);
  const vertices: number[][] = [];
  for (const f of polygons) {
    const g = f.geometry as { type: string; coordinates: number[][][] | number[][][][] };
    const polys = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as number[][][][];
    for (const rings of polys) for (const ring of rings) vertices.push(...ring.slice(0, -1).map((p, i) => [...p, ...ring[i + 1]]));
  }
  const out: Feature[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rand();
    let x: number, y: number;
    if (kind < 0.1) [x, y] = vertices[Math.floor(rand() * vertices.length)];
    else if (kind < 0.2) {
      // An edge midpoint: exactly on the edge (the grid halves, still exact).
      const e = vertices[Math.floor(rand() * vertices.length)];
      x = (e[0] + e[2]) / 2;
      y = (e[1] + e[3]) / 2;
    } else if (villages) {
      const [cx, cy] = centres[Math.floor(rand() * villages)];
      [x, y] = [snap(cx + (rand() - 0.5) * 0.02), snap(cy + (rand() - 0.5) * 0.02)];
    } else [x, y] = [snap(113.9 + rand() * 2.4), snap(24.9 + rand() * 2.4)];
    out.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] },
      properties: { id: `p${i}`, households: 30, county: '测试县', township: '测试乡', village: '测试村' } });
  }
  return out;
}

describe('indexed exact classifier equals brute force', () => {
  for (const [seed, villages] of [[1, 0], [2, 0], [3, 0], [4, 60], [5, 200]]) {
    it(`seed ${seed}: 400 polygons × 3000 points${villages ? ` in ${villages} villages` : ''}`, () => {
      const rand = mulberry32(seed);
      const mobile = randomLayer(rand, 400);
      const settlements = randomSettlements(rand, mobile, 3000, villages);
      // These sets are classified through the cell grid (the test below covers the tree).
      expect(indexPolygons(buildPolygonSet([{ name: 'm', features: mobile }], coverageBuildOptions('mobile'), new IssueList()))!.grid).not.toBeNull();
      const report = analyzeCoverage({
        settlements: { name: 'random', features: settlements },
        mobile: [{ name: 'random-mobile', features: mobile }],
        broadband: [],
      });
      let onBoundaryCovered = 0;
      report.settlements.forEach((s) => {
        const expected = referenceOperators([s.lon, s.lat], mobile);
        expect(s.mobileOperators, `point ${s.id} at ${s.lon},${s.lat}`).toEqual(expected);
        if (expected.length) onBoundaryCovered++;
      });
      expect(onBoundaryCovered).toBeGreaterThan(300);
    });
  }

  it('huge polygons among small ones (no grid: the R-tree) equal brute force too', () => {
    const rand = mulberry32(6);
    const mobile = randomLayer(rand, 400);
    // Each listed in every cell: 40 of them outweigh the 400 small ones' listings, and the grid is refused.
    for (let h = 0; h < 40; h++) {
      const cx = 115 + rand() * 0.2, cy = 26 + rand() * 0.2;
      mobile.push({ type: 'Feature', properties: { operator: ['CMCC', 'CT', 'CU'][h % 3], tech: '4G' },
        geometry: { type: 'Polygon', coordinates: [starRing(rand, cx, cy, 1.6, 40), starRing(rand, cx, cy, 0.2, 10, true)] } });
    }
    const set = buildPolygonSet([{ name: 'm', features: mobile }], coverageBuildOptions('mobile'), new IssueList());
    expect(indexPolygons(set)!.grid).toBeNull();
    const settlements = randomSettlements(rand, mobile, 3000, 100);
    const report = analyzeCoverage({ settlements: { name: 'random', features: settlements }, mobile: [{ name: 'm', features: mobile }], broadband: [] });
    report.settlements.forEach((s) => {
      expect(s.mobileOperators, `point ${s.id} at ${s.lon},${s.lat}`).toEqual(referenceOperators([s.lon, s.lat], mobile));
    });
  });

  it('property: any point against any small polygon set (fast-check)', () => {
    const coord = fc.integer({ min: 0, max: 64 }).map((v) => 114 + v / 64);
    const point = fc.tuple(coord, coord.map((v) => v - 89));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.array(point, { minLength: 1, maxLength: 40 }), (seed, pts) => {
        const rand = mulberry32(seed);
        const mobile = randomLayer(rand, 6).map((f) => f);
        const features = pts.map(([x, y], i): Feature => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] },
          properties: { id: String(i), households: 25, county: 'c' } }));
        const report = analyzeCoverage({ settlements: { name: 'p', features }, mobile: [{ name: 'm', features: mobile }], broadband: [] });
        return report.settlements.every((s) => JSON.stringify(s.mobileOperators) === JSON.stringify(referenceOperators([s.lon, s.lat], mobile)));
      }),
      { numRuns: 200, seed: 42 },
    );
  });
});
