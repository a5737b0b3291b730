// Reach the target: the cheapest set of builds, towers and fiber together under one budget, that lifts a
// county or a listed village to its 4G and broadband targets. Greedy by cost per still-needed settlement,
// then a pruning pass, then the exact check: the rates come out of summarize, never out of the greedy's counts.
import type { GroupRate } from '../report';
import { buildCoverage, type PlannedBuild } from './builds';
import { checkScope, inScope, type PlanContext } from './context';
import { fiberBuild, fiberExtensions, fiberLinks, singleExtension, type FiberSettings } from './fiber';
import { applyScenario } from './scenario';
import { generateTowerCandidates, towerBuild, towerSettings, type TowerCandidate, type TowerSettings } from './towers';

export interface ReachOptions {
  scope: { county: string } | { village: string };
  /** Imported tower candidates; generated in the scope when absent. */
  towerCandidates?: readonly TowerCandidate[];
  tower?: Partial<TowerSettings>;
  fiber?: Partial<FiberSettings>;
}

export interface ReachBuild {
  order: number;
  build: PlannedBuild;
  cumulativeCost: number;
  /** Eligible settlements of the scope this build newly covers (given the builds before it), and their households. */
  mobileSettlements: number;
  mobileHouseholds: number;
  broadbandSettlements: number;
  broadbandHouseholds: number;
  settlementIds: string[];
}

export interface ReachPlan {
  scope: string;
  before: GroupRate;
  after: GroupRate;
  /** Settlements that had to be covered: the shortfalls before. */
  need: { mobile: number; broadband: number };
  reached: boolean;
  builds: ReachBuild[];
  cost: number;
  candidates: { towers: number; fiber: number };
}

/** The builds considered: tower candidates while 4G falls short, fiber extensions (groups and single links) while broadband does. */
export function reachCandidates(ctx: PlanContext, options: ReachOptions, before: GroupRate): PlannedBuild[] {
  const ts = towerSettings(options.tower);
  const tech = ctx.options.mobileTechs[0] ?? '4G';
  const builds: PlannedBuild[] = [];
  if ((before.mobile.shortfall ?? 0) > 0) {
    const towers = options.towerCandidates ?? generateTowerCandidates(ctx, options.scope, ts);
    for (const c of towers) builds.push(towerBuild(c, tech, ts.segments));
  }
  if ((before.broadband.shortfall ?? 0) > 0) {
    const groups = fiberExtensions(ctx, options.scope, options.fiber);
    for (const e of groups) builds.push(fiberBuild(ctx, e, options.fiber));
    const grouped = new Set(groups.filter((e) => e.members.length > 1).flatMap((e) => e.members));
    for (const l of fiberLinks(ctx, options.scope, options.fiber)) {
      if (grouped.has(l.settlement)) builds.push(fiberBuild(ctx, singleExtension(l), options.fiber));
    }
  }
  return builds;
}

export function reachTarget(ctx: PlanContext, options: ReachOptions): ReachPlan {
  const scope = options.scope;
  checkScope(ctx, scope);
  const label = 'county' in scope ? scope.county : scope.village;
  const before = 'county' in scope ? ctx.report.rates.counties[scope.county] : ctx.report.rates.villages[scope.village];
  const need = { mobile: before.mobile.shortfall ?? 0, broadband: before.broadband.shortfall ?? 0 };
  const builds = reachCandidates(ctx, options, before);
  const coverage = buildCoverage(ctx, builds);
  // Per build, the scope's eligible settlements it would newly give the layer it adds.
  const gains = builds.map((b, j) => [...coverage[j]].filter((i) => ctx.eligible[i] && inScope(ctx, scope, i) &&
    (b.kind === 'tower' ? ctx.mobileMask[i] === 0 : ctx.broadbandMask[i] === 0)));

  const chosen = greedy(ctx, builds, gains, need);
  const kept = prune(builds, gains, need, chosen);
  const result = applyScenario(ctx, kept.map((j) => builds[j]), kept.map((j) => coverage[j])).report;
  const after = 'county' in scope ? result.rates.counties[scope.county] : result.rates.villages[scope.village];
  const reached = after.mobile.met !== false && after.broadband.met !== false;

  const coveredM = new Uint8Array(ctx.table.count);
  const coveredB = new Uint8Array(ctx.table.count);
  let cumulativeCost = 0;
  const out: ReachBuild[] = kept.map((j, k) => {
    const b = builds[j];
    const covered = b.kind === 'tower' ? coveredM : coveredB;
    const fresh = gains[j].filter((i) => !covered[i]);
    for (const i of fresh) covered[i] = 1;
    const hh = fresh.reduce((sum, i) => sum + ctx.table.households[i], 0);
    cumulativeCost += b.cost;
    return {
      order: k + 1, build: b, cumulativeCost,
      mobileSettlements: b.kind === 'tower' ? fresh.length : 0, mobileHouseholds: b.kind === 'tower' ? hh : 0,
      broadbandSettlements: b.kind === 'fiber' ? fresh.length : 0, broadbandHouseholds: b.kind === 'fiber' ? hh : 0,
      settlementIds: fresh.map((i) => ctx.table.id[i]),
    };
  });
  return {
    scope: label, before, after, need, reached, builds: out, cost: cumulativeCost,
    candidates: { towers: builds.filter((b) => b.kind === 'tower').length, fiber: builds.filter((b) => b.kind === 'fiber').length },
  };
}

/** Repeatedly the build with the lowest cost per still-needed settlement (ties: more households, then order). */
function greedy(ctx: PlanContext, builds: readonly PlannedBuild[], gains: number[][], need: { mobile: number; broadband: number }): number[] {
  const coveredM = new Uint8Array(ctx.table.count);
  const coveredB = new Uint8Array(ctx.table.count);
  let remM = need.mobile, remB = need.broadband;
  const used = new Uint8Array(builds.length);
  const chosen: number[] = [];
  while (remM > 0 || remB > 0) {
    let best = -1, bestRatio = 0, bestHh = 0;
    for (let j = 0; j < builds.length; j++) {
      if (used[j]) continue;
      const tower = builds[j].kind === 'tower';
      const covered = tower ? coveredM : coveredB;
      let fresh = 0, hh = 0;
      for (const i of gains[j]) {
        if (!covered[i]) {
          fresh++;
          hh += ctx.table.households[i];
        }
      }
      const useful = Math.min(fresh, tower ? remM : remB);
      if (useful === 0) continue;
      const ratio = useful / builds[j].cost;
      if (ratio > bestRatio || (ratio === bestRatio && hh > bestHh)) {
        best = j;
        bestRatio = ratio;
        bestHh = hh;
      }
    }
    if (best < 0) break; // nothing left can help: the plan reports the target as not reached
    used[best] = 1;
    chosen.push(best);
    const tower = builds[best].kind === 'tower';
    const covered = tower ? coveredM : coveredB;
    let fresh = 0;
    for (const i of gains[best]) {
      if (!covered[i]) {
        covered[i] = 1;
        fresh++;
      }
    }
    if (tower) remM = Math.max(0, remM - fresh);
    else remB = Math.max(0, remB - fresh);
  }
  return chosen;
}

/** Drops chosen builds, most expensive first, while the rest still meet the need (greedy can overshoot). */
function prune(builds: readonly PlannedBuild[], gains: number[][], need: { mobile: number; broadband: number }, chosen: number[]): number[] {
  const meets = (set: number[]) => {
    const m = new Set<number>(), b = new Set<number>();
    for (const j of set) for (const i of gains[j]) (builds[j].kind === 'tower' ? m : b).add(i);
    return m.size >= need.mobile && b.size >= need.broadband;
  };
  if (!meets(chosen)) return chosen;
  let kept = [...chosen];
  for (const j of [...chosen].sort((x, y) => builds[y].cost - builds[x].cost || y - x)) {
    const without = kept.filter((x) => x !== j);
    if (meets(without)) kept = without;
  }
  return kept;
}
