// Tower siting: candidate sites (imported or generated), each a circle or sector with a cost, and the
// choice of up to k of them, or as many as a budget allows, that cover the most uncovered households.
import Flatbush from 'flatbush';
import { IssueList } from '../issues';
import { normalizeOperator } from '../operators';
import { positionProblem, type CoverageSource } from '../polygon-set';
import type { GroupRate } from '../report';
import type { Operator } from '../types';
import { buildCoverage, type PlannedBuild } from './builds';
import { singleLinkage } from './linkage';
import { checkScope, inScope, type PlanContext, type PlanScope } from './context';
import { circleRing, M_PER_DEG, pointDistanceM } from './geo';
import { greedyMaxCoverage, type CoverageLimit } from './greedy';
import { applyScenario } from './scenario';

export interface TowerSettings {
  /** Coverage radius of a new site, metres (rural 4G macro cell). */
  radiusM: number;
  /** Cost of one new site, yuan (tower, equipment, power, transmission). */
  cost: number;
  /** Operator that builds generated sites. */
  operator: Operator;
  /** Spacing of generated grid candidates, metres. */
  gridSpacingM: number;
  /** Uncovered settlements closer than this form one cluster with a candidate at its centre, metres. */
  clusterDistanceM: number;
  /** Vertices of a circle polygon. */
  segments: number;
}

export const DEFAULT_TOWER_SETTINGS: TowerSettings = {
  radiusM: 3000, cost: 400_000, operator: 'CMCC', gridSpacingM: 3000, clusterDistanceM: 1500, segments: 48,
};

export interface TowerCandidate {
  id: string;
  origin: 'imported' | 'settlement' | 'cluster' | 'grid';
  lon: number;
  lat: number;
  radiusM: number;
  cost: number;
  operator: Operator;
  /** Absent for an omni site. Azimuth clockwise from north, degrees. */
  sector?: { azimuthDeg: number; beamwidthDeg: number };
}

export function towerSettings(partial: Partial<TowerSettings> = {}): TowerSettings {
  const s = { ...DEFAULT_TOWER_SETTINGS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  for (const key of ['radiusM', 'cost', 'gridSpacingM'] as const) {
    if (!(s[key] > 0 && Number.isFinite(s[key]))) throw new RangeError(`${key}: found ${s[key]}; expected a positive number`);
  }
  if (!(s.clusterDistanceM >= 0)) throw new RangeError(`clusterDistanceM: found ${s.clusterDistanceM}; expected a number ≥ 0`);
  if (!Number.isInteger(s.segments) || s.segments < 8) throw new RangeError(`segments: found ${s.segments}; expected a whole number ≥ 8`);
  if (!normalizeOperator(s.operator)) throw new RangeError(`operator: found ${JSON.stringify(s.operator)}; expected CMCC, CT or CU`);
  return s;
}

/** Settlements a tower plan serves: eligible, in scope, with no 4G from any operator. */
export function mobileGaps(ctx: PlanContext, scope: PlanScope): number[] {
  const out: number[] = [];
  for (let i = 0; i < ctx.table.count; i++) {
    if (ctx.eligible[i] && ctx.mobileMask[i] === 0 && inScope(ctx, scope, i)) out.push(i);
  }
  return out;
}

/**
 * Generated candidates: one at each uncovered settlement, one at the household-weighted centre of each
 * cluster of them, and grid points with at least one uncovered settlement within the radius.
 */
export function generateTowerCandidates(ctx: PlanContext, scope: PlanScope, partial: Partial<TowerSettings> = {}): TowerCandidate[] {
  checkScope(ctx, scope);
  const s = towerSettings(partial);
  const { table } = ctx;
  const gaps = mobileGaps(ctx, scope);
  const base = { radiusM: s.radiusM, cost: s.cost, operator: s.operator };
  const out: TowerCandidate[] = gaps.map((i) => ({ id: `S-${table.id[i]}`, origin: 'settlement', lon: table.lon[i], lat: table.lat[i], ...base }));
  for (const group of singleLinkage(table.lon, table.lat, gaps, s.clusterDistanceM)) {
    if (group.length < 2) continue;
    let w = 0, x = 0, y = 0;
    for (const i of group) {
      const hh = Math.max(1, table.households[i]);
      w += hh;
      x += hh * table.lon[i];
      y += hh * table.lat[i];
    }
    out.push({ id: `C-${table.id[group[0]]}+${group.length - 1}`, origin: 'cluster', lon: x / w, lat: y / w, ...base });
  }
  if (gaps.length > 0) {
    const index = new Flatbush(gaps.length);
    for (const i of gaps) index.add(table.lon[i], table.lat[i], table.lon[i], table.lat[i]);
    index.finish();
    let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
    for (const i of gaps) {
      minLon = Math.min(minLon, table.lon[i]); maxLon = Math.max(maxLon, table.lon[i]);
      minLat = Math.min(minLat, table.lat[i]); maxLat = Math.max(maxLat, table.lat[i]);
    }
    const stepLat = s.gridSpacingM / M_PER_DEG;
    const kx = M_PER_DEG * Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
    const stepLon = s.gridSpacingM / kx;
    const rLat = s.radiusM / M_PER_DEG;
    for (let r = 0, lat = minLat; lat <= maxLat + stepLat / 2; r++, lat = minLat + r * stepLat) {
      const rLon = s.radiusM / (M_PER_DEG * Math.cos(((Math.abs(lat) + rLat) * Math.PI) / 180));
      for (let c = 0, lon = minLon; lon <= maxLon + stepLon / 2; c++, lon = minLon + c * stepLon) {
        const near = index.search(lon - rLon, lat - rLat, lon + rLon, lat + rLat,
          (k) => pointDistanceM(lon, lat, table.lon[gaps[k]], table.lat[gaps[k]]) <= s.radiusM);
        if (near.length > 0) out.push({ id: `G-${r}-${c}`, origin: 'grid', lon, lat, ...base });
      }
    }
  }
  return out;
}

/**
 * Candidates the user imports: points with optional `radius_m`, `cost`, `operator`, `azimuth` and
 * `beamwidth` (defaults from the settings). Every problem is reported at once, naming feature and field.
 */
export function readTowerCandidates(source: CoverageSource, partial: Partial<TowerSettings> = {}): TowerCandidate[] {
  const s = towerSettings(partial);
  const issues = new IssueList();
  const out: TowerCandidate[] = [];
  const ids = new Map<string, number>();
  source.features.forEach((f, i) => {
    const g = f?.geometry as { type?: unknown; coordinates?: unknown } | null | undefined;
    if (!g || g.type !== 'Point') {
      issues.add(source.name, i, 'geometry', `found ${g ? String(g.type) : 'no geometry'}; expected a Point`);
      return;
    }
    const problem = positionProblem(g.coordinates);
    if (problem) {
      issues.add(source.name, i, 'geometry', problem);
      return;
    }
    const props = f.properties ?? {};
    const num = (field: string, fallback: number | undefined, ok: (n: number) => boolean, expected: string): number | undefined => {
      const raw = props[field];
      if (raw === undefined || raw === null || raw === '') return fallback;
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isFinite(n) || !ok(n)) {
        issues.add(source.name, i, field, `found ${JSON.stringify(raw)}; expected ${expected}`);
        return undefined;
      }
      return n;
    };
    const radiusM = num('radius_m', s.radiusM, (n) => n > 0, 'a radius in metres > 0');
    const cost = num('cost', s.cost, (n) => n > 0, 'a cost in yuan > 0');
    const azimuth = num('azimuth', undefined, (n) => n >= 0 && n < 360, 'an azimuth 0–359 degrees clockwise from north');
    const beamwidth = num('beamwidth', undefined, (n) => n > 0 && n <= 360, 'a beamwidth in degrees, 0 < b ≤ 360');
    let operator: Operator | null = s.operator;
    if (props.operator !== undefined && props.operator !== null && props.operator !== '') {
      operator = normalizeOperator(props.operator);
      if (!operator) issues.add(source.name, i, 'operator', `unknown operator ${JSON.stringify(props.operator)}; expected 移动/电信/联通 or CMCC/CT/CU`);
    }
    if ((azimuth === undefined) !== (beamwidth === undefined) && !(beamwidth === 360)) {
      issues.add(source.name, i, azimuth === undefined ? 'azimuth' : 'beamwidth', 'a sector needs both azimuth and beamwidth');
      return;
    }
    const id = String(props.id ?? f.id ?? `#${i}`);
    const first = ids.get(id);
    if (first !== undefined) issues.add(source.name, i, 'id', `duplicate id ${JSON.stringify(id)}, first used by feature ${first}`);
    ids.set(id, i);
    if (radiusM === undefined || cost === undefined || !operator) return;
    const [lon, lat] = g.coordinates as number[];
    out.push({
      id, origin: 'imported', lon, lat, radiusM, cost, operator,
      ...(azimuth !== undefined && beamwidth !== undefined && beamwidth < 360 ? { sector: { azimuthDeg: azimuth, beamwidthDeg: beamwidth } } : {}),
    });
  });
  issues.throwIfAny();
  return out;
}

/** A candidate as a planned build: its circle or sector polygon, counted as mobile coverage of `tech`. */
export function towerBuild(c: TowerCandidate, tech: string, segments = DEFAULT_TOWER_SETTINGS.segments): PlannedBuild {
  const where = c.sector ? `扇区 ${c.sector.azimuthDeg}°/${c.sector.beamwidthDeg}°` : '全向';
  return {
    id: c.id, kind: 'tower', operator: c.operator, cost: c.cost, lon: c.lon, lat: c.lat,
    label: `新建基站 ${c.id}（半径 ${(c.radiusM / 1000).toFixed(1)} km，${where}）`,
    features: [{
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [circleRing(c.lon, c.lat, c.radiusM, segments, c.sector)] },
      properties: { id: c.id, operator: c.operator, tech, planned: true, origin: c.origin, radius_m: c.radiusM, cost: c.cost },
    }],
  };
}

export interface TowerPlanOptions {
  scope: PlanScope;
  limit: CoverageLimit;
  /** Maximise uncovered households (default) or uncovered settlements. */
  objective?: 'households' | 'settlements';
  /** Imported candidates; generated ones when absent. */
  candidates?: readonly TowerCandidate[];
  settings?: Partial<TowerSettings>;
}

export interface ChosenTower {
  order: number;
  build: PlannedBuild;
  candidate: TowerCandidate;
  /** Settlements in scope that gain 4G from this site (not from an earlier one). */
  settlementIds: string[];
  newSettlements: number;
  newHouseholds: number;
}

export interface TowerPlan {
  candidates: number;
  gapSettlements: number;
  gapHouseholds: number;
  chosen: ChosenTower[];
  cost: number;
  rule: 'greedy' | 'best-single' | 'cardinality';
  /** Rates after the builds, from summarize over the updated masks. */
  counties: Record<string, { before: GroupRate; after: GroupRate }>;
  listedVillages: Record<string, { before: GroupRate; after: GroupRate }>;
}

export function planTowers(ctx: PlanContext, options: TowerPlanOptions): TowerPlan {
  checkScope(ctx, options.scope);
  const s = towerSettings(options.settings);
  const objective = options.objective ?? 'households';
  if (objective !== 'households' && objective !== 'settlements') {
    throw new RangeError(`objective: found ${JSON.stringify(objective)}; expected households or settlements`);
  }
  const candidates = options.candidates ?? generateTowerCandidates(ctx, options.scope, s);
  const tech = ctx.options.mobileTechs[0] ?? '4G';
  const builds = candidates.map((c) => towerBuild(c, tech, s.segments));
  const gaps = mobileGaps(ctx, options.scope);
  const element = new Int32Array(ctx.table.count).fill(-1);
  gaps.forEach((i, e) => (element[i] = e));
  const weights = Float64Array.from(gaps, (i) => (objective === 'households' ? ctx.table.households[i] : 1));
  const sets = buildCoverage(ctx, builds).map((cov) => Int32Array.from([...cov].map((i) => element[i]).filter((e) => e >= 0)));
  const choice = greedyMaxCoverage({ weights, sets, costs: Float64Array.from(builds, (b) => b.cost) }, options.limit);

  const covered = new Uint8Array(gaps.length);
  const chosen: ChosenTower[] = choice.chosen.map((j, order) => {
    const fresh = [...sets[j]].filter((e) => !covered[e]);
    for (const e of fresh) covered[e] = 1;
    return {
      order: order + 1, build: builds[j], candidate: candidates[j],
      settlementIds: fresh.map((e) => ctx.table.id[gaps[e]]),
      newSettlements: fresh.length,
      newHouseholds: fresh.reduce((sum, e) => sum + ctx.table.households[gaps[e]], 0),
    };
  });
  const after = applyScenario(ctx, chosen.map((c) => c.build)).report;
  return {
    candidates: candidates.length,
    gapSettlements: gaps.length,
    gapHouseholds: gaps.reduce((sum, i) => sum + ctx.table.households[i], 0),
    chosen,
    cost: choice.chosen.reduce((sum, j) => sum + builds[j].cost, 0),
    rule: choice.rule,
    ...compareRates(ctx, after),
  };
}

/** Every county's and listed village's rates before and after. */
export function compareRates(ctx: PlanContext, after: PlanContext['report']): Pick<TowerPlan, 'counties' | 'listedVillages'> {
  const counties: TowerPlan['counties'] = {};
  for (const [name, before] of Object.entries(ctx.report.rates.counties)) counties[name] = { before, after: after.rates.counties[name] };
  const listedVillages: TowerPlan['listedVillages'] = {};
  for (const [key, before] of Object.entries(ctx.report.rates.villages)) {
    if (before.listed) listedVillages[key] = { before, after: after.rates.villages[key] };
  }
  return { counties, listedVillages };
}
