// The analysis core's public surface.
export * from './types';
export * from './report';
export { normalizeOperator, OPERATOR_NAMES_ZH, OPERATOR_NAMES_EN } from './operators';
export { IssueList, ISSUE_CAP } from './issues';
export { buildPolygonSet, maskOperators, OPERATOR_BIT, positionProblem, type PolygonSet, type CoverageSource } from './polygon-set';
export { locatePoint, OUTSIDE, INSIDE, ON_BOUNDARY, type PointLocation } from './point-in-polygon';
export { classifyPoints, indexPolygons } from './classify';
export { buildSettlementTable, parseHouseholds, type SettlementTable } from './settlement-table';
export { groupRates, requiredCount } from './rates';
export { groupRatesJson } from './rates-json';
export { groupSettlements, type SettlementGroups } from './settlement-groups';
export { campaignMatcher, villageKey, EMPTY_CAMPAIGN, type CampaignContext, type CampaignCounty, type CampaignVillage } from './campaign';
export {
  analyzeCoverage, completeReport, isPendingReport, resolveOptions, settlementResults, summarize, summarizeRates, summarizeSeats, withRates,
  type AnalysisInput, type PendingReport, type SettlementColumns,
} from './analyze';
export { applyMeasurements, buildMeasurementTable, DEFAULT_MEASUREMENT_OPTIONS, type MeasurementOptions, type MeasurementTable, type MeasuredStatus } from './measurements';
