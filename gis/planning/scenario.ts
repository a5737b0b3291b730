// What-if: planned builds added to the coverage as it is, and the rates recomputed by the analysis's own
// summarize, so a scenario's numbers are those a fresh analysis with the builds' polygons would give.
import { summarize } from '../analyze';
import { OPERATOR_BIT } from '../polygon-set';
import type { AnalysisReport } from '../report';
import type { Feature, PolygonGeometry } from '../types';
import { buildCoverage, type PlannedBuild } from './builds';
import type { PlanContext } from './context';

export interface Scenario {
  name: string;
  builds: PlannedBuild[];
}

export interface ScenarioResult {
  mobileMask: Uint8Array;
  broadbandMask: Uint8Array;
  report: AnalysisReport;
}

/** New masks (inputs untouched) and the report over them. Towers add mobile, fiber adds broadband coverage. */
export function applyScenario(ctx: PlanContext, builds: readonly PlannedBuild[], coverage = buildCoverage(ctx, builds)): ScenarioResult {
  if (coverage.length !== builds.length) throw new RangeError(`coverage: ${coverage.length} sets for ${builds.length} builds`);
  const mobileMask = ctx.mobileMask.slice();
  const broadbandMask = ctx.broadbandMask.slice();
  let mobilePolygons = 0;
  let broadbandPolygons = 0;
  builds.forEach((b, j) => {
    const mask = b.kind === 'tower' ? mobileMask : broadbandMask;
    const bit = OPERATOR_BIT[b.operator];
    for (const i of coverage[j]) mask[i] |= bit;
    if (b.kind === 'tower') mobilePolygons += b.features.length;
    else broadbandPolygons += b.features.length;
  });
  const inputs = ctx.report.inputs;
  const report = summarize(ctx.table, mobileMask, broadbandMask, ctx.campaign, ctx.options, {
    settlements: inputs.settlements,
    mobilePolygons: inputs.mobilePolygons + mobilePolygons,
    broadbandPolygons: inputs.broadbandPolygons + broadbandPolygons,
  });
  return { mobileMask, broadbandMask, report };
}

/** A scenario's polygons by layer, for the map and for export (GeoJSON). */
export function scenarioFeatures(builds: readonly PlannedBuild[]): { mobile: Feature<PolygonGeometry>[]; broadband: Feature<PolygonGeometry>[] } {
  const mobile: Feature<PolygonGeometry>[] = [];
  const broadband: Feature<PolygonGeometry>[] = [];
  for (const b of builds) (b.kind === 'tower' ? mobile : broadband).push(...b.features);
  return { mobile, broadband };
}

export interface ScenarioComparison {
  scenario: string;
  cost: number;
  builds: number;
  city: AnalysisReport['rates']['city'];
  counties: AnalysisReport['rates']['counties'];
}

/** Scenarios side by side: the base (no builds) first, then each scenario's cost and rates. */
export function compareScenarios(ctx: PlanContext, scenarios: readonly Scenario[]): ScenarioComparison[] {
  const base: ScenarioComparison = { scenario: '现状', cost: 0, builds: 0, city: ctx.report.rates.city, counties: ctx.report.rates.counties };
  return [base, ...scenarios.map((s) => {
    const r = applyScenario(ctx, s.builds).report;
    return { scenario: s.name, cost: s.builds.reduce((sum, b) => sum + b.cost, 0), builds: s.builds.length, city: r.rates.city, counties: r.rates.counties };
  })];
}
