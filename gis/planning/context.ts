// Everything planning needs, computed once: the settlement table, the coverage polygons and masks, the
// analysis report, and nearest-distance indexes over coverage, existing sites and fiber access points.
import { type AnalysisInput, resolveOptions, summarize } from '../analyze';
import { EMPTY_CAMPAIGN, type CampaignContext } from '../campaign';
import { classifyPoints, hilbertOrder } from '../classify';
import { IssueList } from '../issues';
import { normalizeOperator } from '../operators';
import { buildPolygonSet, coverageBuildOptions, OPERATOR_BIT, positionProblem, type CoverageSource, type PolygonSet } from '../polygon-set';
import type { AnalysisOptions, AnalysisReport } from '../report';
import { buildSettlementTable, type SettlementTable } from '../settlement-table';
import type { Operator } from '../types';
import { NearestIndex, pointDistanceM, polygonDistanceM, safeCos } from './geo';

export interface PlanInput extends AnalysisInput {
  /** Existing base stations (points; `operator` optional). */
  sites?: CoverageSource;
  /** Fiber access points: OLT/splitter locations (points; `operator` optional). */
  accessPoints?: CoverageSource;
}

/** Points packed as lon/lat pairs with an operator bit each (0: unknown operator). */
export interface PointSet {
  count: number;
  lon: Float64Array;
  lat: Float64Array;
  mask: Uint8Array;
  /** Source feature id, or its index as text. */
  id: string[];
}

export interface PlanContext {
  table: SettlementTable;
  options: AnalysisOptions;
  campaign: CampaignContext;
  mobile: PolygonSet;
  broadband: PolygonSet;
  mobileMask: Uint8Array;
  broadbandMask: Uint8Array;
  eligible: Uint8Array;
  sites: PointSet;
  access: PointSet;
  /** The analysis of the inputs as they are: identical to analyzeCoverage on the same input. */
  report: AnalysisReport;
  /** Group keys per settlement, as the report's rates use them. */
  villageKey: string[];
  nearestMobile: NearestIndex;
  nearestBroadband: NearestIndex;
  nearestSite: NearestIndex;
  nearestAccess: NearestIndex;
  /** Safe longitude scale for further NearestIndex instances over the same area. */
  cosRef: number;
}

/** Validates like analyzeCoverage (all problems at once, as an InputError), then builds the context. */
export function preparePlan(input: PlanInput): PlanContext {
  const options = resolveOptions(input.options);
  const issues = new IssueList();
  const table = buildSettlementTable(input.settlements.name, input.settlements.features, issues);
  const mobile = buildPolygonSet(input.mobile, coverageBuildOptions('mobile', options.mobileTechs), issues);
  const broadband = buildPolygonSet(input.broadband, coverageBuildOptions('broadband'), issues);
  const sites = readPoints(input.sites, issues);
  const access = readPoints(input.accessPoints, issues);
  issues.throwIfAny();
  const campaign = input.campaign ?? EMPTY_CAMPAIGN;
  const order = hilbertOrder(table.lon, table.lat);
  const mobileMask = classifyPoints(table.lon, table.lat, mobile, undefined, order);
  const broadbandMask = classifyPoints(table.lon, table.lat, broadband, undefined, order);
  const report = summarize(table, mobileMask, broadbandMask, campaign, options, {
    settlements: table.count, mobilePolygons: mobile.polygonCount, broadbandPolygons: broadband.polygonCount,
  });
  const eligible = new Uint8Array(table.count);
  const villageKey: string[] = new Array(table.count);
  for (let i = 0; i < table.count; i++) {
    eligible[i] = table.households[i] >= options.minHouseholds ? 1 : 0;
    villageKey[i] = `${table.county[i]}/${table.township[i]}/${table.village[i]}`;
  }
  const cosRef = safeCos(table.lat, sites.lat, access.lat);
  return {
    table, options, campaign, mobile, broadband, mobileMask, broadbandMask, eligible, sites, access, report,
    villageKey, cosRef,
    nearestMobile: polygonIndex(mobile, cosRef),
    nearestBroadband: polygonIndex(broadband, cosRef),
    nearestSite: pointIndex(sites, cosRef),
    nearestAccess: pointIndex(access, cosRef),
  };
}

function polygonIndex(set: PolygonSet, cosRef: number): NearestIndex {
  const b = set.bboxes;
  return new NearestIndex(set.polygonCount, (p) => [b[4 * p], b[4 * p + 1], b[4 * p + 2], b[4 * p + 3]],
    (p, lon, lat) => polygonDistanceM(set, p, lon, lat), cosRef);
}

function pointIndex(set: PointSet, cosRef: number): NearestIndex {
  return new NearestIndex(set.count, (i) => [set.lon[i], set.lat[i], set.lon[i], set.lat[i]],
    (i, lon, lat) => pointDistanceM(lon, lat, set.lon[i], set.lat[i]), cosRef);
}

/** Point features (sites, access points) validated into a PointSet; problems go to `issues`. */
export function readPoints(source: CoverageSource | undefined, issues: IssueList): PointSet {
  const features = source?.features ?? [];
  const n = features.length;
  const out: PointSet = { count: n, lon: new Float64Array(n), lat: new Float64Array(n), mask: new Uint8Array(n), id: new Array(n) };
  for (let i = 0; i < n; i++) {
    const f = features[i];
    const name = source!.name;
    const g = f?.geometry as { type?: unknown; coordinates?: unknown } | null | undefined;
    if (!g || g.type !== 'Point') {
      issues.add(name, i, 'geometry', `found ${g ? String(g.type) : 'no geometry'}; expected a Point`);
      continue;
    }
    const problem = positionProblem(g.coordinates);
    if (problem) {
      issues.add(name, i, 'geometry', problem);
      continue;
    }
    const [lon, lat] = g.coordinates as number[];
    out.lon[i] = lon;
    out.lat[i] = lat;
    const props = f.properties ?? {};
    const op = props.operator === undefined || props.operator === null || props.operator === '' ? null : normalizeOperator(props.operator);
    if (op === null && props.operator !== undefined && props.operator !== null && props.operator !== '') {
      issues.add(name, i, 'operator', `unknown operator ${JSON.stringify(props.operator)}; expected 移动/电信/联通 or CMCC/CT/CU`);
    }
    out.mask[i] = op ? OPERATOR_BIT[op as Operator] : 0;
    out.id[i] = String(props.id ?? f.id ?? i);
  }
  return out;
}

/** Which settlements a plan looks at: all, one county, or one village (by its report key 县/乡镇/村). */
export type PlanScope = { county: string } | { village: string } | null;

export function inScope(ctx: PlanContext, scope: PlanScope, i: number): boolean {
  if (!scope) return true;
  if ('county' in scope) return ctx.table.county[i] === scope.county;
  return ctx.villageKey[i] === scope.village;
}

/** Checks that a scope names a group of the report; throws a RangeError naming the known groups otherwise. */
export function checkScope(ctx: PlanContext, scope: PlanScope): void {
  if (!scope) return;
  if ('county' in scope) {
    if (!ctx.report.rates.counties[scope.county]) {
      throw new RangeError(`county: found ${JSON.stringify(scope.county)}; expected one of ${Object.keys(ctx.report.rates.counties).join(', ')}`);
    }
  } else if (!ctx.report.rates.villages[scope.village]) {
    throw new RangeError(`village: found ${JSON.stringify(scope.village)}; expected a key 县/乡镇/村 of the analysis (e.g. 于都县/车溪乡/潮溪村委会)`);
  }
}
