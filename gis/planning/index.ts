// Planning: ranked blind spots, tower siting, fiber extensions, reach-the-target, what-if scenarios.
export { preparePlan, readPoints, inScope, checkScope, type PlanInput, type PlanContext, type PlanScope, type PointSet } from './context';
export { EARTH_RADIUS_M, M_PER_DEG, pointDistanceM, polygonDistanceM, circleRing, NearestIndex, safeCos } from './geo';
export { singleLinkage, spanningLength } from './linkage';
export { greedyMaxCoverage, coveredWeight, type CoverageProblem, type CoverageLimit, type CoverageChoice } from './greedy';
export { buildCoverage, type PlannedBuild, type BuildKind } from './builds';
export {
  DEFAULT_RANK_WEIGHTS, RANK_PART_LABELS, rankBlindSpots, rankWeights,
  type RankWeights, type RankPart, type RankPartKey, type RankedBlindSpot,
} from './rank';
export {
  DEFAULT_TOWER_SETTINGS, towerSettings, mobileGaps, generateTowerCandidates, readTowerCandidates, towerBuild, planTowers, compareRates,
  type TowerSettings, type TowerCandidate, type TowerPlanOptions, type TowerPlan, type ChosenTower,
} from './towers';
export {
  DEFAULT_FIBER_SETTINGS, fiberSettings, broadbandGaps, fiberLinks, fiberExtensions, fiberBuild, singleExtension,
  type FiberSettings, type FiberLink, type FiberExtension,
} from './fiber';
export { applyScenario, scenarioFeatures, compareScenarios, type Scenario, type ScenarioResult, type ScenarioComparison } from './scenario';
export { reachTarget, reachCandidates, type ReachOptions, type ReachPlan, type ReachBuild } from './reach';
