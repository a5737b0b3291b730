// Coverage planning: base stations with sector wedges (mobile) and FTTH access areas (broadband), drawn so
// that every settlement an operator is meant to cover lies inside one of its polygons and every settlement
// it is meant to miss lies outside all of them (beyond the radius, outside the wedge, or in a hole: a
// terrain shadow). Plans are small parameter records; rings are built on output (shapes.ts).
import type { World } from './world';
import { OPS } from './world';
import { Grid } from './grid';
import { Rng, STREAM } from './prng';

export interface Hole { x: number; y: number; h: number }

/** One mobile cell (a sector, or an omni site's single cell). Angles in radians, counter-clockwise from east; km. */
export interface CellPlan {
  op: number;
  site: number;
  /** Cell number within its site (1-based). */
  no: number;
  omni: boolean;
  x: number;
  y: number;
  az: number;
  beam: number;
  r: number;
  holes: Hole[];
  /** A ridge splits the wedge into a near part (radius r1) and a far annulus from r2: a MultiPolygon. */
  split: [number, number] | null;
  tech: '4G' | '5G';
  band: string;
  /** Seeds the ring's vertex jitter. */
  key: number;
}

export interface SitePlan { op: number; no: number; x: number; y: number }

/** One FTTH access area: an irregular ellipse (elongated along a valley road) around an access point. */
export interface AccessPlan {
  op: number;
  no: number;
  x: number;
  y: number;
  r: number;
  ratio: number;
  th: number;
  /** The access point this area belongs to (its own number for base areas). */
  parent: number;
  key: number;
}

export interface CoveragePlan {
  sites: SitePlan[];
  cells: CellPlan[];
  access: AccessPlan[];
  /** Settlements meant to be covered by an operator that no polygon could be drawn for (conflicts too close). */
  unplaced: { mobile: number; broadband: number };
}

/** Points further than this from a polygon's analytic outline are on the intended side after 6-decimal rounding. */
const EPS = 0.002;
/** Outer-arc vertices lie at 0.875–1.0 of the radius; chords between them stay beyond this fraction. */
export const INNER = 0.86;
const HOLE_SIDES = 10;
const ACCESS_INNER = 0.75;

/** Signed angle difference in (-pi, pi]. */
function angDiff(a: number, b: number): number {
  let d = (a - b) % (2 * Math.PI);
  if (d > Math.PI) d -= 2 * Math.PI;
  if (d <= -Math.PI) d += 2 * Math.PI;
  return d;
}

const inHole = (holes: readonly Hole[], px: number, py: number) =>
  holes.some((h) => Math.hypot(px - h.x, py - h.y) < h.h * Math.cos(Math.PI / HOLE_SIDES) - EPS);

/** True when (px, py) is certainly outside the cell's polygon, whatever its vertex jitter. */
export function surelyOutsideCell(c: CellPlan, px: number, py: number): boolean {
  const d = Math.hypot(px - c.x, py - c.y);
  if (d > c.r + EPS) return true;
  if (!c.omni && d > EPS && Math.abs(angDiff(Math.atan2(py - c.y, px - c.x), c.az)) > c.beam / 2 + EPS / d) return true;
  if (c.split && d > c.split[0] + EPS && d < c.split[1] - EPS) return true;
  return inHole(c.holes, px, py);
}

/** True when (px, py) is certainly inside the cell's polygon, whatever its vertex jitter. */
export function surelyInsideCell(c: CellPlan, px: number, py: number): boolean {
  const d = Math.hypot(px - c.x, py - c.y);
  if (c.omni ? d > INNER * c.r - EPS : d < 0.01 || d > INNER * c.r - EPS) return false;
  if (!c.omni && Math.abs(angDiff(Math.atan2(py - c.y, px - c.x), c.az)) > c.beam / 2 - 0.02) return false;
  if (c.split && !(d < 0.84 * c.split[0] - EPS || d > 1.06 * c.split[1] + EPS)) return false;
  return !c.holes.some((h) => Math.hypot(px - h.x, py - h.y) < h.h + EPS);
}

/** The ellipse's radius in direction phi, for a unit major semi-axis along th and minor 1/ratio. */
export function ellipseRadius(ratio: number, th: number, phi: number): number {
  const c = Math.cos(phi - th), s = Math.sin(phi - th);
  return 1 / Math.sqrt(c * c + ratio * ratio * s * s);
}

/** Distance from the access point scaled by the ellipse: <= r means inside the ellipse of radius r. */
export function accessDistance(a: AccessPlan, px: number, py: number): number {
  const d = Math.hypot(px - a.x, py - a.y);
  return d === 0 ? 0 : d / ellipseRadius(a.ratio, a.th, Math.atan2(py - a.y, px - a.x));
}

const BANDS: Record<string, string[]> = {
  CMCC: ['TDD-F', 'TDD-D', 'FDD900', 'FDD1800', 'TDD-E'],
  CT: ['FDD800', 'FDD1800', 'FDD2100'],
  CU: ['FDD900', 'FDD1800', 'FDD2100'],
};
const LOW_BAND: Record<string, string> = { CMCC: 'FDD900', CT: 'FDD800', CU: 'FDD900' };

export function planCoverage(w: World): CoveragePlan {
  const grid = new Grid(w.x, w.y);
  const plan: CoveragePlan = { sites: [], cells: [], access: [], unplaced: { mobile: 0, broadband: 0 } };
  for (let o = 0; o < OPS.length; o++) planMobile(w, grid, o, plan);
  for (let o = 0; o < OPS.length; o++) planBroadband(w, grid, o, plan);
  return plan;
}

function planMobile(w: World, grid: Grid, o: number, plan: CoveragePlan): void {
  const bit = 1 << o;
  const n = w.x.length;
  const claimed = new Uint8Array(n);
  const buf: number[] = [];
  const opName = OPS[o];
  let siteNo = 0;

  const conflictsOf = (c: CellPlan) =>
    grid.near(c.x, c.y, c.r + EPS, buf)
      .filter((j) => !(w.mobileMask[j] & bit) && !surelyOutsideCell({ ...c, holes: [] }, w.x[j], w.y[j]))
      .map((j) => ({ j, d: Math.hypot(w.x[j] - c.x, w.y[j] - c.y) }))
      .sort((a, b) => a.d - b.d || a.j - b.j);

  /** Holes where they fit (terrain shadows), else a shorter radius; returns false when nothing useful is left. */
  const resolve = (c: CellPlan, rng: Rng, target: number): boolean => {
    // Only some cells may take terrain-shadow holes; the others end short of the settlements they must miss.
    const holesAllowed = rng.chance(0.6);
    for (const { j, d } of conflictsOf(c)) {
      if (d > c.r + EPS) break;
      const px = w.x[j], py = w.y[j];
      if (inHole(c.holes, px, py)) continue;
      const h = Math.min(rng.range(0.12, 0.3), 0.3 * d);
      if (holesAllowed && holeFits(c, px, py, d, h, w, target)) {
        c.holes.push({ x: px, y: py, h });
        continue;
      }
      c.r = 0.92 * d;
      for (let changed = true; changed;) {
        changed = false;
        for (const hole of c.holes) {
          const dh = Math.hypot(hole.x - c.x, hole.y - c.y);
          if (dh + hole.h >= INNER * c.r - EPS) {
            c.holes = c.holes.filter((x) => x !== hole);
            c.r = Math.min(c.r, 0.95 * (dh - hole.h));
            changed = true;
            break;
          }
        }
      }
      break;
    }
    return c.r >= 0.15;
  };

  const claim = (c: CellPlan) => {
    for (const j of grid.near(c.x, c.y, c.r, buf)) {
      if (w.mobileMask[j] & bit && !claimed[j] && surelyInsideCell(c, w.x[j], w.y[j])) claimed[j] = 1;
    }
  };

  for (let i = 0; i < n; i++) {
    if (!(w.mobileMask[i] & bit) || claimed[i]) continue;
    const rng = new Rng(w.seed, STREAM.site, o, i);
    const v = w.villages[w.village[i]];
    const sx = w.x[i], sy = w.y[i];
    let ax: number, ay: number;
    const toCentre = Math.hypot(v.x - sx, v.y - sy);
    if (i === v.first || toCentre < 0.1) {
      const a = rng.range(0, 2 * Math.PI), r = rng.range(0.1, 0.35);
      ax = sx + r * Math.cos(a); ay = sy + r * Math.sin(a);
    } else {
      const step = Math.min(toCentre, rng.range(0.2, 1));
      ax = sx + ((v.x - sx) / toCentre) * step; ay = sy + ((v.y - sy) / toCentre) * step;
    }
    const ds = Math.hypot(sx - ax, sy - ay);
    const urban = v.urban > 0.45;
    const omni = rng.chance(0.12);
    const az0 = Math.atan2(sy - ay, sx - ax) + rng.range(-0.3, 0.3);
    const site: SitePlan = { op: o, no: 0, x: ax, y: ay };
    const cells: CellPlan[] = [];
    for (let k = 0; k < (omni ? 1 : 3); k++) {
      let r = urban ? rng.range(1, 2.5) : rng.range(2, 6);
      if (k === 0) r = Math.max(r, ds / 0.75 + 0.1);
      const c: CellPlan = {
        op: o, site: 0, no: cells.length + 1, omni, x: ax, y: ay, az: omni ? 0 : az0 + (k * 2 * Math.PI) / 3,
        beam: omni ? 2 * Math.PI : (rng.range(120, 140) * Math.PI) / 180, r, holes: [], split: null, tech: '4G',
        band: r > 3 ? LOW_BAND[opName] : rng.pick(BANDS[opName]), key: 0,
      };
      const target = k === 0 ? i : -1;
      if (!resolve(c, rng, target)) continue;
      decorate(c, rng, w, target);
      cells.push(c);
      claim(c);
    }
    const push = (st: SitePlan, cs: CellPlan[]) => {
      st.no = ++siteNo;
      for (const c of cs) { c.site = plan.sites.length; c.key = plan.cells.length; plan.cells.push(c); }
      plan.sites.push(st);
    };
    if (cells.length) push(site, cells);
    if (claimed[i]) continue;
    // No sector reaches it: a small omni site right at the settlement, short of every settlement to miss.
    let nearest = Infinity;
    for (const j of grid.near(sx, sy, 1.6, buf)) if (!(w.mobileMask[j] & bit)) nearest = Math.min(nearest, Math.hypot(w.x[j] - sx, w.y[j] - sy));
    const r = Math.min(rng.range(0.5, 1.5), 0.9 * nearest);
    if (r < 0.1) { plan.unplaced.mobile++; continue; }
    const c: CellPlan = { op: o, site: 0, no: 1, omni: true, x: sx, y: sy, az: 0, beam: 2 * Math.PI, r, holes: [],
      split: null, tech: '4G', band: rng.pick(BANDS[opName]), key: 0 };
    push({ op: o, no: 0, x: sx, y: sy }, [c]);
    claim(c);
  }
}

function holeFits(c: CellPlan, px: number, py: number, d: number, h: number, w: World, target: number): boolean {
  if (c.holes.length >= 3 || d - h < 0.1 || d + h >= INNER * c.r - EPS) return false;
  if (!c.omni) {
    const off = c.beam / 2 - Math.abs(angDiff(Math.atan2(py - c.y, px - c.x), c.az));
    if (off <= 0 || d * Math.sin(Math.min(off, Math.PI / 2)) < 1.2 * h) return false;
  }
  if (c.holes.some((o) => Math.hypot(o.x - px, o.y - py) < h + o.h + 0.02)) return false;
  return target < 0 || Math.hypot(w.x[target] - px, w.y[target] - py) > h + 0.02;
}

/** Terrain shadows and ridge splits on some cells that need none, so holes and MultiPolygons appear everywhere. */
function decorate(c: CellPlan, rng: Rng, w: World, target: number): void {
  if (c.holes.length === 0 && rng.chance(0.05)) {
    const d = c.r * rng.range(0.35, 0.6);
    const a = c.omni ? rng.range(0, 2 * Math.PI) : c.az + rng.range(-0.3, 0.3) * c.beam;
    const h = Math.min(0.6, c.r * rng.range(0.08, 0.15));
    const px = c.x + d * Math.cos(a), py = c.y + d * Math.sin(a);
    if (holeFits(c, px, py, d, h, w, target)) c.holes.push({ x: px, y: py, h });
  } else if (!c.omni && c.holes.length === 0 && c.r >= 2 && rng.chance(0.06)) {
    const r1 = c.r * rng.range(0.4, 0.55);
    const r2 = r1 + c.r * rng.range(0.1, 0.18);
    const dt = target < 0 ? 0 : Math.hypot(w.x[target] - c.x, w.y[target] - c.y);
    if (dt < 0.84 * r1 - 0.01) c.split = [r1, r2];
  }
}

function planBroadband(w: World, grid: Grid, o: number, plan: CoveragePlan): void {
  const bit = 1 << o;
  const n = w.x.length;
  const claimed = new Uint8Array(n);
  const buf: number[] = [];
  let no = 0;
  const claim = (a: AccessPlan) => {
    for (const j of grid.near(a.x, a.y, a.r, buf)) {
      if (w.broadbandMask[j] & bit && !claimed[j] && accessDistance(a, w.x[j], w.y[j]) <= ACCESS_INNER * a.r - EPS) claimed[j] = 1;
    }
  };
  const fit = (a: AccessPlan) => {
    for (const j of grid.near(a.x, a.y, a.r + EPS, buf)) {
      if (w.broadbandMask[j] & bit) continue;
      const nd = accessDistance(a, w.x[j], w.y[j]);
      if (nd <= a.r + EPS) a.r = 0.92 * nd;
    }
  };
  for (let i = 0; i < n; i++) {
    if (!(w.broadbandMask[i] & bit) || claimed[i]) continue;
    const rng = new Rng(w.seed, STREAM.access, o, i);
    const v = w.villages[w.village[i]];
    const sx = w.x[i], sy = w.y[i];
    const toCentre = Math.hypot(v.x - sx, v.y - sy);
    const step = toCentre < 0.05 ? 0 : Math.min(toCentre, rng.range(0, 0.4));
    const a: AccessPlan = {
      op: o, no: 0, x: toCentre < 0.05 ? sx : sx + ((v.x - sx) / toCentre) * step, y: toCentre < 0.05 ? sy : sy + ((v.y - sy) / toCentre) * step,
      r: v.urban > 0.45 ? rng.range(0.6, 1.5) : rng.range(1, 3), ratio: rng.range(1, 1.8), th: rng.range(0, Math.PI), parent: 0, key: 0,
    };
    a.r = Math.max(a.r, accessDistance(a, sx, sy) / ACCESS_INNER + 0.05);
    fit(a);
    if (a.r < 0.1 || accessDistance(a, sx, sy) > ACCESS_INNER * a.r - EPS) {
      Object.assign(a, { x: sx, y: sy, ratio: 1, r: rng.range(0.2, 0.6) });
      fit(a);
      if (a.r < 0.05) { plan.unplaced.broadband++; continue; }
    }
    a.no = ++no;
    a.parent = a.no;
    a.key = plan.access.length;
    plan.access.push(a);
    claim(a);
  }
}
