// `plan`: which builds lift a county (or a listed village) to its targets, or where k new towers (or a
// budget's worth) cover the most uncovered households. Reads the workspace's layers, never writes them.
import type { Settings } from '../api/contract';
import { readGeoJsonFile } from '../data/read-geojson';
import { DEFAULT_SETTINGS } from '../data/service';
import { Workspace } from '../data/workspace';
import type { CoverageSource, Feature, GroupRate, LayerRate } from '../gis';
import {
  preparePlan, planTowers, rankBlindSpots, reachTarget, readTowerCandidates, RANK_PART_LABELS,
  type PlanContext, type PlanScope, type ReachPlan, type TowerPlan, type TowerSettings, type FiberSettings,
} from '../gis/planning';
import { emit } from './analyze';
import { loadCampaign } from './campaign';
import { numberOption, parseArgs, single, UsageError } from './args';
import { percent } from './format';
import { renderTable } from './text-table';

const PLAN_OPTIONS = {
  county: { value: true }, village: { value: true }, towers: { value: true }, budget: { value: true },
  candidates: { value: true }, objective: { value: true }, format: { value: true }, out: { value: true },
  radius: { value: true }, 'tower-cost': { value: true }, operator: { value: true },
  detour: { value: true }, 'fiber-cost-per-km': { value: true }, 'group-distance': { value: true },
  rank: { value: true },
} as const;

/** The workspace's layers as planning input, with the analysis settings the service would use. */
export function loadPlanInput(ws: Workspace): Parameters<typeof preparePlan>[0] {
  const stored = ws.getSetting<Partial<Settings>>('app') ?? {};
  const analysis = { ...DEFAULT_SETTINGS.analysis, ...stored.analysis };
  const layers = ws.layers();
  const sources = (role: 'settlements' | 'mobile' | 'broadband' | 'sites'): CoverageSource[] =>
    layers.filter((l) => l.role === role).map((l) => ({ name: l.name, features: [...ws.readFeatures(l.id)] }));
  const settlements = sources('settlements');
  if (settlements.length === 0) throw new UsageError(`${ws.path}: the workspace has no settlements layer (聚居区); import one first`);
  const sites = sources('sites');
  return {
    settlements: { name: settlements.map((s) => s.name).join(' + '), features: settlements.flatMap((s) => s.features) },
    mobile: sources('mobile'),
    broadband: sources('broadband'),
    sites: { name: sites.map((s) => s.name).join(' + ') || 'sites', features: sites.flatMap((s) => s.features) },
    campaign: loadCampaign(),
    options: analysis,
  };
}

export async function planCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, PLAN_OPTIONS);
  if (args.positional.length !== 1) throw new UsageError('expected one WORKSPACE.gpkg');
  const format = single(args, 'format') ?? 'table';
  if (!['table', 'json', 'geojson'].includes(format)) throw new UsageError(`--format: found "${format}"; expected table, json or geojson`);
  const county = single(args, 'county');
  const village = single(args, 'village');
  if (county && village) throw new UsageError('give --county or --village, not both');
  const scope: PlanScope = county ? { county } : village ? { village } : null;
  const towers = numberOption(args, 'towers', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
  const budget = numberOption(args, 'budget', (n) => n > 0, 'an amount in yuan > 0');
  if (towers !== undefined && budget !== undefined) throw new UsageError('give --towers K or --budget YUAN, not both');
  const objective = single(args, 'objective') ?? 'households';
  if (objective !== 'households' && objective !== 'settlements') throw new UsageError(`--objective: found "${objective}"; expected households or settlements`);
  const rank = numberOption(args, 'rank', (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0') ?? 10;
  const tower: Partial<TowerSettings> = {
    radiusM: numberOption(args, 'radius', (n) => n > 0, 'a radius in metres > 0'),
    cost: numberOption(args, 'tower-cost', (n) => n > 0, 'yuan > 0'),
    operator: single(args, 'operator') as TowerSettings['operator'] | undefined,
  };
  const fiber: Partial<FiberSettings> = {
    detourFactor: numberOption(args, 'detour', (n) => n >= 1, 'a factor ≥ 1, e.g. 1.3'),
    costPerKm: numberOption(args, 'fiber-cost-per-km', (n) => n >= 0, 'yuan per km ≥ 0'),
    groupDistanceM: numberOption(args, 'group-distance', (n) => n >= 0, 'metres ≥ 0'),
  };
  const candidatesFile = single(args, 'candidates');
  const candidates = candidatesFile ? readTowerCandidates(readGeoJsonFile(candidatesFile), tower) : undefined;

  const ws = Workspace.open(args.positional[0], { readOnly: true });
  let ctx: PlanContext;
  try {
    ctx = preparePlan(loadPlanInput(ws));
  } finally {
    ws.close();
  }
  const siting = towers !== undefined || budget !== undefined;
  if (!siting && !scope) throw new UsageError('reach-the-target needs --county or --village (or give --towers K / --budget YUAN)');
  const started = performance.now();
  const result: { kind: 'towers'; plan: TowerPlan } | { kind: 'reach'; plan: ReachPlan } = siting
    ? { kind: 'towers', plan: planTowers(ctx, { scope, limit: towers !== undefined ? { k: towers } : { budget: budget! }, objective, candidates, settings: tower }) }
    : { kind: 'reach', plan: reachTarget(ctx, { scope: scope!, towerCandidates: candidates, tower, fiber }) };
  const seconds = (performance.now() - started) / 1000;
  const out = single(args, 'out');
  if (format === 'json') emit(JSON.stringify(result.plan) + '\n', out);
  else if (format === 'geojson') emit(JSON.stringify(toGeoJson(result)) + '\n', out);
  else {
    const text = result.kind === 'towers' ? towerTable(result.plan, scope, objective) : reachTable(result.plan);
    emit(`${text}\n${rankTable(ctx, scope, rank)}计算用时 ${seconds.toFixed(1)} s（演示数据时结果仅作示意）\n`, out);
  }
}

const yuan = (n: number) => `${(n / 10_000).toFixed(1)} 万元`;
const km = (m: number) => (m / 1000).toFixed(2);

function rateLine(name: string, before: GroupRate, after: GroupRate): string[] {
  const layer = (b: LayerRate, a: LayerRate) => [`${percent(b.rate)} → ${percent(a.rate)}`, a.met === null ? '—' : a.met ? '达标' : `未达标(缺${a.shortfall}个)`];
  return [name, String(after.settlements), ...layer(before.mobile, after.mobile), ...layer(before.broadband, after.broadband)];
}

const RATE_HEADER = ['范围', '聚居区', '4G率 前→后', '4G', '宽带率 前→后', '宽带'];

function reachTable(p: ReachPlan): string {
  const lines: string[] = [];
  lines.push(`达标规划：${p.scope}（目标 4G ≥ ${percent(p.before.mobile.target)}，宽带 ≥ ${percent(p.before.broadband.target)}）`);
  lines.push(`现状 4G ${p.before.mobile.covered}/${p.before.settlements}（${percent(p.before.mobile.rate)}），缺 ${p.need.mobile} 个；` +
    `宽带 ${p.before.broadband.covered}/${p.before.settlements}（${percent(p.before.broadband.rate)}），缺 ${p.need.broadband} 个`);
  lines.push(`候选：新建基站 ${p.candidates.towers} 处，光纤延伸 ${p.candidates.fiber} 条`);
  if (p.builds.length === 0) lines.push(p.reached ? '已达标，无需新建。' : '候选中没有能补上缺口的建设项目。');
  else {
    lines.push(renderTable(['序', '建设项目', '运营商', '费用', '累计', '新增4G(个/户)', '新增宽带(个/户)'],
      p.builds.map((b) => [String(b.order), b.build.label, b.build.operator, yuan(b.build.cost), yuan(b.cumulativeCost),
        b.mobileSettlements ? `${b.mobileSettlements}/${b.mobileHouseholds}` : '', b.broadbandSettlements ? `${b.broadbandSettlements}/${b.broadbandHouseholds}` : '']),
      ['right', 'left', 'left', 'right', 'right', 'right', 'right']));
  }
  lines.push(renderTable(RATE_HEADER, [rateLine(p.scope, p.before, p.after)], ['left', 'right', 'right', 'left', 'right', 'left']));
  const towers = p.builds.filter((b) => b.build.kind === 'tower');
  const fiber = p.builds.filter((b) => b.build.kind === 'fiber');
  lines.push(`${p.reached ? '可达标' : '不能达标'}：共 ${p.builds.length} 项，合计 ${yuan(p.cost)}（新建基站 ${towers.length} 处 ${yuan(towers.reduce((s, b) => s + b.build.cost, 0))}，` +
    `光纤延伸 ${fiber.length} 条 ${yuan(fiber.reduce((s, b) => s + b.build.cost, 0))}）；` +
    `新增 4G ${towers.reduce((s, b) => s + b.mobileSettlements, 0)} 个聚居区 ${towers.reduce((s, b) => s + b.mobileHouseholds, 0)} 户，` +
    `新增宽带 ${fiber.reduce((s, b) => s + b.broadbandSettlements, 0)} 个聚居区 ${fiber.reduce((s, b) => s + b.broadbandHouseholds, 0)} 户`);
  return lines.join('\n') + '\n';
}

function towerTable(p: TowerPlan, scope: PlanScope, objective: string): string {
  const where = !scope ? '全市' : 'county' in scope ? scope.county : scope.village;
  const lines: string[] = [];
  lines.push(`基站选址：${where}，无4G的聚居区 ${p.gapSettlements} 个 ${p.gapHouseholds} 户；候选 ${p.candidates} 处；目标：覆盖最多${objective === 'households' ? '户数' : '聚居区'}（${p.rule === 'cardinality' ? '限数量' : p.rule === 'greedy' ? '限预算，性价比贪心' : '限预算，单站最优'}）`);
  lines.push(renderTable(['序', '站址', '经度', '纬度', '半径(km)', '运营商', '费用', '新增聚居区', '新增户数'],
    p.chosen.map((c) => [String(c.order), c.candidate.id, c.candidate.lon.toFixed(5), c.candidate.lat.toFixed(5), km(c.candidate.radiusM),
      c.candidate.operator, yuan(c.candidate.cost), String(c.newSettlements), String(c.newHouseholds)]),
    ['right', 'left', 'right', 'right', 'right', 'left', 'right', 'right', 'right']));
  lines.push(`合计 ${p.chosen.length} 处，${yuan(p.cost)}，新增 4G ${p.chosen.reduce((s, c) => s + c.newSettlements, 0)} 个聚居区 ${p.chosen.reduce((s, c) => s + c.newHouseholds, 0)} 户`);
  const changed = (x: { before: GroupRate; after: GroupRate }) => x.after.mobile.covered !== x.before.mobile.covered;
  const rows = [
    ...Object.entries(p.counties).filter(([, x]) => changed(x)).map(([k, x]) => rateLine(k, x.before, x.after)),
    ...Object.entries(p.listedVillages).filter(([, x]) => changed(x)).map(([k, x]) => rateLine(`重点村 ${k}`, x.before, x.after)),
  ];
  if (rows.length) lines.push(renderTable(RATE_HEADER, rows, ['left', 'right', 'right', 'left', 'right', 'left']));
  return lines.join('\n') + '\n';
}

function rankTable(ctx: PlanContext, scope: PlanScope, n: number): string {
  if (n === 0) return '';
  const ranked = rankBlindSpots(ctx).filter((b) => !scope || ('county' in scope ? b.county === scope.county : `${b.county}/${b.township}/${b.village}` === scope.village));
  const dist = (m: number | null) => (m === null ? '' : km(m));
  const rows = ranked.slice(0, n).map((b) => [String(b.rank), b.id, b.name, `${b.township}/${b.village}`, String(b.households),
    [b.missingMobile ? '4G' : '', b.missingBroadband ? '宽带' : ''].filter(Boolean).join('+'),
    dist(b.toMobileM), dist(b.toBroadbandM), dist(b.toSiteM), b.score.toFixed(2),
    b.parts.filter((p) => p.points > 0).map((p) => `${RANK_PART_LABELS[p.key]} ${p.points.toFixed(2)}`).join('，')]);
  return `盲点排序（前 ${rows.length} / ${ranked.length}）\n` + renderTable(
    ['全市名次', '编号', '聚居区', '乡镇/村', '户数', '缺', '距4G(km)', '距宽带(km)', '距基站(km)', '优先分', '构成'], rows,
    ['right', 'left', 'left', 'left', 'right', 'left', 'right', 'right', 'right', 'right', 'left']) + '\n';
}

function toGeoJson(result: { kind: 'towers'; plan: TowerPlan } | { kind: 'reach'; plan: ReachPlan }): { type: 'FeatureCollection'; features: Feature[] } {
  const features: Feature[] = [];
  const items = result.kind === 'towers'
    ? result.plan.chosen.map((c) => ({ order: c.order, build: c.build, gains: { settlements: c.newSettlements, households: c.newHouseholds } }))
    : result.plan.builds.map((b) => ({ order: b.order, build: b.build, gains: { settlements: b.mobileSettlements + b.broadbandSettlements, households: b.mobileHouseholds + b.broadbandHouseholds } }));
  // Polygons only, so the file imports straight back as a coverage layer (kind tells towers from fiber).
  for (const { order, build, gains } of items) {
    const props = { order, kind: build.kind, build: build.id, label: build.label, operator: build.operator, cost: build.cost,
      new_settlements: gains.settlements, new_households: gains.households, build_lon: build.lon, build_lat: build.lat, planned: true };
    for (const f of build.features) features.push({ ...f, properties: { ...f.properties, ...props } });
  }
  return { type: 'FeatureCollection', features };
}
