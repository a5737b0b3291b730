// Ranked blind spots: a priority for every eligible settlement lacking 4G or broadband, as a sum of parts
// so the table can say why a settlement ranks where it does.
import type { PlanContext } from './context';

/**
 * Weights of the priority parts. Defaults: 100 households are worth 1 point; focus county, listed village
 * and committee seat 1 point each; nearness to coverage and to infrastructure up to 0.5 each, halving
 * (by e-folding) every `distanceScaleM` metres, because a gap next to the network is the quickest to close.
 */
export interface RankWeights {
  households: number;
  householdScale: number;
  focusCounty: number;
  listed: number;
  committee: number;
  nearCoverage: number;
  nearInfrastructure: number;
  distanceScaleM: number;
}

export const DEFAULT_RANK_WEIGHTS: RankWeights = {
  households: 1, householdScale: 100, focusCounty: 1, listed: 1, committee: 1,
  nearCoverage: 0.5, nearInfrastructure: 0.5, distanceScaleM: 2000,
};

export type RankPartKey = 'households' | 'focusCounty' | 'listed' | 'committee' | 'nearCoverage' | 'nearInfrastructure';

export const RANK_PART_LABELS: Record<RankPartKey, string> = {
  households: '户数', focusCounty: '挂牌督战县', listed: '重点村', committee: '村委会所在地',
  nearCoverage: '邻近覆盖', nearInfrastructure: '邻近基站/光交',
};

export interface RankPart {
  key: RankPartKey;
  /** The raw fact: households, 1/0, or metres (null: no coverage or infrastructure to measure to). */
  value: number | null;
  points: number;
}

export interface RankedBlindSpot {
  rank: number;
  index: number;
  id: string;
  name: string;
  county: string;
  township: string;
  village: string;
  households: number;
  lon: number;
  lat: number;
  missingMobile: boolean;
  missingBroadband: boolean;
  focusCounty: boolean;
  listed: boolean;
  committee: boolean;
  /** Metres to the nearest 4G / broadband coverage, existing site, fiber access point; null when none exists or not missing. */
  toMobileM: number | null;
  toBroadbandM: number | null;
  toSiteM: number | null;
  toAccessM: number | null;
  score: number;
  parts: RankPart[];
}

export function rankWeights(partial: Partial<RankWeights> = {}): RankWeights {
  const w = { ...DEFAULT_RANK_WEIGHTS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  for (const [key, v] of Object.entries(w)) {
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new RangeError(`${key}: found ${String(v)}; expected a number ≥ 0`);
  }
  if (w.householdScale === 0 || w.distanceScaleM === 0) throw new RangeError('householdScale and distanceScaleM must be > 0');
  return w;
}

/** Every eligible settlement without 4G or broadband, highest priority first (ties: more households, then id). */
export function rankBlindSpots(ctx: PlanContext, weights: Partial<RankWeights> = {}): RankedBlindSpot[] {
  const w = rankWeights(weights);
  const near = (d: number | null) => (d === null ? 0 : Math.exp(-d / w.distanceScaleM));
  const out: RankedBlindSpot[] = [];
  for (const s of ctx.report.settlements.keys()) {
    const r = ctx.report.settlements[s];
    if (!r.eligible || (r.mobile && r.broadband)) continue;
    const toMobileM = r.mobile ? null : ctx.nearestMobile.nearest(r.lon, r.lat)?.distanceM ?? null;
    const toBroadbandM = r.broadband ? null : ctx.nearestBroadband.nearest(r.lon, r.lat)?.distanceM ?? null;
    const toSiteM = r.mobile ? null : ctx.nearestSite.nearest(r.lon, r.lat)?.distanceM ?? null;
    const toAccessM = r.broadband ? null : ctx.nearestAccess.nearest(r.lon, r.lat)?.distanceM ?? null;
    // Averaged over the missing layers, so a settlement missing both is not counted twice for nearness.
    const coverage: (number | null)[] = [];
    const infra: (number | null)[] = [];
    if (!r.mobile) {
      coverage.push(toMobileM);
      infra.push(toSiteM);
    }
    if (!r.broadband) {
      coverage.push(toBroadbandM);
      infra.push(toAccessM ?? toBroadbandM);
    }
    const mean = (ds: (number | null)[]) => ds.reduce<number>((sum, d) => sum + near(d), 0) / ds.length;
    const minOf = (ds: (number | null)[]) => {
      const known = ds.filter((d): d is number => d !== null);
      return known.length ? Math.min(...known) : null;
    };
    const parts: RankPart[] = [
      { key: 'households', value: r.households, points: (w.households * r.households) / w.householdScale },
      { key: 'focusCounty', value: r.focusCounty ? 1 : 0, points: r.focusCounty ? w.focusCounty : 0 },
      { key: 'listed', value: r.listed ? 1 : 0, points: r.listed ? w.listed : 0 },
      { key: 'committee', value: r.committee ? 1 : 0, points: r.committee ? w.committee : 0 },
      { key: 'nearCoverage', value: minOf(coverage), points: w.nearCoverage * mean(coverage) },
      { key: 'nearInfrastructure', value: minOf(infra), points: w.nearInfrastructure * mean(infra) },
    ];
    out.push({
      rank: 0, index: s, id: r.id, name: r.name, county: r.county, township: r.township, village: r.village,
      households: r.households, lon: r.lon, lat: r.lat, missingMobile: !r.mobile, missingBroadband: !r.broadband,
      focusCounty: r.focusCounty, listed: r.listed, committee: r.committee,
      toMobileM, toBroadbandM, toSiteM, toAccessM,
      score: parts.reduce((sum, p) => sum + p.points, 0), parts,
    });
  }
  out.sort((a, b) => b.score - a.score || b.households - a.households || a.id.localeCompare(b.id));
  out.forEach((b, k) => (b.rank = k + 1));
  return out;
}
