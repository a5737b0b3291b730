// Extra polygons to reach a size preset's counts without changing coverage: more carriers on existing
// sectors (other 4G bands, 5G near county seats) and splitter zones inside existing FTTH areas. Each filler
// stays within its base polygon's radius, wedge and holes, so no settlement it must miss falls inside.
import { INNER, type AccessPlan, type CellPlan, type CoveragePlan } from './coverage';
import { Rng, STREAM } from './prng';
import { OPS, type World } from './world';

const EPS = 0.002;
const BANDS: Record<string, string[]> = {
  CMCC: ['TDD-F', 'TDD-D', 'FDD1800', 'TDD-E'],
  CT: ['FDD1800', 'FDD2100'],
  CU: ['FDD1800', 'FDD2100'],
};
const NR_BAND: Record<string, string> = { CMCC: 'NR2600', CT: 'NR3500', CU: 'NR3500' };

function fillerCell(base: CellPlan, rng: Rng, nearSeat: boolean): CellPlan | null {
  const op = OPS[base.op];
  const fiveG = nearSeat && rng.chance(0.5);
  let r = base.split ? base.split[0] * rng.range(0.6, 0.95) : base.r * rng.range(0.45, 0.9);
  let holes = base.split ? [] : base.holes.slice();
  for (let changed = true; changed;) {
    changed = false;
    for (const h of holes) {
      const dh = Math.hypot(h.x - base.x, h.y - base.y);
      if (dh - h.h > r + EPS) {
        holes = holes.filter((x) => x !== h);
      } else if (dh + h.h >= INNER * r - EPS) {
        r = 0.95 * (dh - h.h);
        holes = holes.filter((x) => x !== h);
      } else continue;
      changed = true;
      break;
    }
  }
  if (r < 0.1) return null;
  return { ...base, r, holes, split: null, tech: fiveG ? '5G' : '4G', band: fiveG ? NR_BAND[op] : rng.pick(BANDS[op]) };
}

/** Appends filler cells and access areas until the plan has the requested counts (never removes any). */
export function addFillers(w: World, plan: CoveragePlan, mobileTarget: number, broadbandTarget: number): void {
  const baseCells = plan.cells.length;
  const perSite = new Int32Array(plan.sites.length);
  for (const c of plan.cells) perSite[c.site] = Math.max(perSite[c.site], c.no);
  const nearSeat = plan.sites.map((s) => w.counties.some((c) => Math.hypot(c.seat[0] - s.x, c.seat[1] - s.y) < 5));
  for (let i = 0; plan.cells.length < mobileTarget && baseCells > 0; i++) {
    const rng = new Rng(w.seed, STREAM.filler, 1, i);
    const base = plan.cells[rng.int(0, baseCells)];
    const c = fillerCell(base, rng, nearSeat[base.site]);
    if (!c) continue;
    c.no = ++perSite[c.site];
    c.key = plan.cells.length;
    plan.cells.push(c);
  }
  const baseAccess = plan.access.length;
  const perOp = [0, 0, 0];
  for (const a of plan.access) perOp[a.op] = Math.max(perOp[a.op], a.no);
  for (let i = 0; plan.access.length < broadbandTarget && baseAccess > 0; i++) {
    const rng = new Rng(w.seed, STREAM.filler, 2, i);
    const base = plan.access[rng.int(0, baseAccess)];
    const a: AccessPlan = { ...base, r: base.r * rng.range(0.4, 0.85), no: ++perOp[base.op], parent: base.no, key: plan.access.length };
    plan.access.push(a);
  }
}
