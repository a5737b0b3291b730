// Rings for planned cells and access areas, in lon/lat. Every ring is star-shaped about its apex or centre
// (radii vary, angles strictly increase), so it is simple; outer rings run counter-clockwise, holes clockwise.
import type { MultiPolygonGeometry, PolygonGeometry } from '../../gis/types';
import { ellipseRadius, type AccessPlan, type CellPlan, type Hole } from './coverage';
import { ringToLonLat, type XY } from './geom';
import { Rng, STREAM } from './prng';

const HOLE_SIDES = 10;

/** Radii factors in [lo, 1] that wander smoothly from vertex to vertex. */
function jitter(rng: Rng, n: number, lo: number): number[] {
  const out: number[] = [];
  let j = rng.next();
  for (let i = 0; i < n; i++) {
    j = Math.min(1, Math.max(0, j + rng.range(-0.25, 0.25)));
    out.push(lo + (1 - lo) * j);
  }
  return out;
}

function arc(x: number, y: number, a0: number, a1: number, radii: number[]): XY[] {
  const n = radii.length;
  return radii.map((r, i) => {
    const a = a0 + ((a1 - a0) * i) / (n - 1);
    return [x + r * Math.cos(a), y + r * Math.sin(a)];
  });
}

function holeRing(h: Hole): XY[] {
  const out: XY[] = [];
  for (let i = 0; i < HOLE_SIDES; i++) {
    const a = (-2 * Math.PI * i) / HOLE_SIDES;
    out.push([h.x + h.h * Math.cos(a), h.y + h.h * Math.sin(a)]);
  }
  return out;
}

export function cellGeometry(c: CellPlan, seed: number): PolygonGeometry | MultiPolygonGeometry {
  const rng = new Rng(seed, STREAM.site, 99, c.key);
  if (c.omni) {
    const n = rng.int(20, 41);
    const radii = jitter(rng, n, 0.875).map((f) => f * c.r);
    const ring = radii.map((r, i): XY => {
      const a = (2 * Math.PI * i) / n;
      return [c.x + r * Math.cos(a), c.y + r * Math.sin(a)];
    });
    return { type: 'Polygon', coordinates: [ringToLonLat(ring), ...c.holes.map((h) => ringToLonLat(holeRing(h)))] };
  }
  const a0 = c.az - c.beam / 2, a1 = c.az + c.beam / 2;
  if (c.split) {
    const [r1, r2] = c.split;
    const near: XY[] = [[c.x, c.y], ...arc(c.x, c.y, a0, a1, jitter(rng, rng.int(19, 30), 0.85).map((f) => f * r1))];
    const outer = arc(c.x, c.y, a0, a1, jitter(rng, rng.int(12, 21), 0.875).map((f) => f * c.r));
    const inner = arc(c.x, c.y, a1, a0, jitter(rng, rng.int(8, 13), 0.95).map((f) => (2 - f) * r2));
    return { type: 'MultiPolygon', coordinates: [[ringToLonLat(near)], [ringToLonLat([...outer, ...inner])]] };
  }
  const ring: XY[] = [[c.x, c.y], ...arc(c.x, c.y, a0, a1, jitter(rng, rng.int(19, 40), 0.875).map((f) => f * c.r))];
  return { type: 'Polygon', coordinates: [ringToLonLat(ring), ...c.holes.map((h) => ringToLonLat(holeRing(h)))] };
}

export function accessGeometry(a: AccessPlan, seed: number): PolygonGeometry {
  const rng = new Rng(seed, STREAM.access, 99, a.key);
  const n = rng.int(28, 41);
  const f = jitter(rng, n, 0.88);
  const ring = f.map((k, i): XY => {
    const t = (2 * Math.PI * i) / n;
    const r = k * a.r * ellipseRadius(a.ratio, a.th, t);
    return [a.x + r * Math.cos(t), a.y + r * Math.sin(t)];
  });
  return { type: 'Polygon', coordinates: [ringToLonLat(ring)] };
}
