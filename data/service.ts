// The Atlas service: the one implementation of AtlasApi over a workspace. Transports (IPC, HTTP, the CLI)
// only carry its calls.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { zipSync } from 'fflate';
import {
  LEDGER_STATUSES, SMOOTH_MAP_MODES,
  type AtlasApi, type BlindSpot, type CampaignSeeds, type ExportedFile, type ImportOutcome, type ImportPreview,
  type ImportProgress, type ImportRequest, type LayerInfo, type LayerQuery, type LedgerAuditRow, type LedgerCloseEvidence, type LedgerExportRequest,
  type LedgerFilter, type LedgerNewItem, type LedgerPatch, type LedgerRow, type MapExportRequest, type MonthlyReportView,
  type PlanScopeRequest, type RankedBlindSpotData, type ReachPlanData, type ReportExportRequest, type ScenarioComparisonRow,
  type ScenarioData, type ScenarioExportRequest, type ScenarioOutcome, type SettlementHit, type Settings, type SnapshotDiff,
  type SnapshotInfo, type TowerPlanData, type TowerPlanRequest, type WorkspaceInfo,
} from '../api/contract';
import {
  simplifyCoverageColumns, toColumns, type CoverageColumns, type CoverageColumnsQuery, type SettlementColumns, type SettlementDetail, type SettlementDetailsQuery,
} from '../api/columns';
import type { AnalysisSummary } from '../api/contract';
import { resolveOptions, type AnalysisOptions, type AnalysisReport, type CoverageSource, type Feature, type FeatureCollection } from '../gis';
import { normalizeOperator } from '../gis/operators';
import {
  applyScenario, compareScenarios, DEFAULT_FIBER_SETTINGS, DEFAULT_RANK_WEIGHTS, DEFAULT_TOWER_SETTINGS, fiberSettings,
  planTowers, preparePlan, rankBlindSpots, rankWeights, reachTarget, scenarioFeatures, towerSettings,
  type PlanContext, type PlannedBuild,
} from '../gis/planning';
import type { PolygonGeometry } from '../gis/types';
import { campaignSeeds } from '../seeds/campaign';
import { type ImportBatch, type ImportStream, openImport, openImportInWorker, previewImport, sitesToSectors } from './import';
import { ApiError } from './host-protocol';
import { chinaDate, Ledger, type LedgerItem } from './ledger';
import { diffSnapshots } from './report/diff';
import { listSnapshots, monthLabelZh, parseMonth, saveSnapshot, snapshotFromReport, type StoredSnapshot } from './report/snapshot';
import { monthlyFromSources, openReportSources } from './report/sources';
import { Workspace } from './workspace';
import { writeReportJson } from './fast-read';
import { analyzeWorkspace, writeWorkspaceAnalysisJson } from './workspace/analysis';

export const DEFAULT_SETTINGS: Settings = {
  language: 'zh-CN',
  analysis: { minHouseholds: 25, targetMobile: 0.95, targetBroadband: 0.75, mobileTechs: ['4G'] },
  onlineBasemap: { enabled: false, provider: 'tianditu', key: '', urlTemplate: '' },
  smoothMap: 'auto',
  planning: {
    rankWeights: DEFAULT_RANK_WEIGHTS,
    fiber: { detourFactor: DEFAULT_FIBER_SETTINGS.detourFactor, costPerKm: DEFAULT_FIBER_SETTINGS.costPerKm,
      costPerSettlement: DEFAULT_FIBER_SETTINGS.costPerSettlement },
    tower: { radiusM: DEFAULT_TOWER_SETTINGS.radiusM, cost: DEFAULT_TOWER_SETTINGS.cost },
  },
};

export interface ServiceOptions {
  /** Maps an ImportRequest.file (a path, or a transport's upload token) to a path on disk. */
  resolveImportFile?: (file: string) => string;
}

export class AtlasService implements AtlasApi {
  private ws: Workspace;
  private cached: { key: string; report: AnalysisReport } | null = null;
  private planCache: { key: string; ctx: PlanContext } | null = null;
  /** Columns and the id → row index of the report they were made from (see settlementColumns). */
  private columnsCache: { report: AnalysisReport; columns: SettlementColumns; rowById: Map<string, number> } | null = null;
  private nextColumnsVersion = 1;
  /**
   * Whole coverage layers as columns, by layer id. Each is valid while its marker in atlas_cache holds the same
   * token: the layer tables' triggers empty atlas_cache on any write, this app's or another program's (QGIS).
   */
  private coverageCache = new Map<number, { token: string; columns: CoverageColumns }>();
  private readonly jobs = new Map<string, AbortController>();

  private constructor(ws: Workspace, private readonly options: ServiceOptions) {
    this.ws = ws;
  }

  static open(path: string, options: ServiceOptions = {}): AtlasService {
    return new AtlasService(Workspace.open(path), options);
  }

  close(): void {
    for (const job of this.jobs.values()) job.abort();
    this.ws.close();
  }

  async workspace(): Promise<WorkspaceInfo> {
    return this.ws.info();
  }

  async openWorkspace(path: string): Promise<WorkspaceInfo> {
    const next = Workspace.open(path);
    this.switchTo(next);
    return next.info();
  }

  async newWorkspace(path: string): Promise<WorkspaceInfo> {
    if (existsSync(path)) throw new ApiError(`文件已存在，不会覆盖：${path} (file exists; not overwritten)`);
    const next = Workspace.create(path);
    this.switchTo(next);
    return next.info();
  }

  private switchTo(next: Workspace): void {
    for (const job of this.jobs.values()) job.abort();
    this.ws.close();
    this.ws = next;
    this.cached = null;
    this.planCache = null;
    this.coverageCache.clear();
  }

  async seeds(): Promise<CampaignSeeds> {
    return campaignSeeds();
  }

  async layerFeatures(query: LayerQuery): Promise<FeatureCollection> {
    const ops = query.operators ? new Set(query.operators) : null;
    const features: Feature[] = [];
    for (const f of this.ws.readFeatures(query.layerId, { bbox: query.bbox })) {
      if (ops) {
        const op = normalizeOperator(f.properties?.operator);
        if (!op || !ops.has(op)) continue;
      }
      features.push(f);
      if (query.limit !== undefined && features.length >= query.limit) break;
    }
    return { type: 'FeatureCollection', features };
  }

  async analyze(options: Partial<AnalysisOptions> = {}): Promise<AnalysisReport> {
    const { key, resolved } = this.analysisKey(options);
    if (this.cached?.key === key) return this.cached.report;
    const report = await analyzeWorkspace(this.ws, resolved, campaignSeeds());
    this.cached = { key, report };
    return report;
  }

  /**
   * analyze() written to `path` as JSON (the CLI): a report not cached already is written from its columns, its rates
   * by a worker when workers classify (writeWorkspaceAnalysisJson).
   */
  async writeAnalysisJson(path: string, options: Partial<AnalysisOptions> = {}): Promise<void> {
    const { key, resolved } = this.analysisKey(options);
    if (this.cached?.key === key) return writeReportJson(path, this.cached.report);
    return writeWorkspaceAnalysisJson(this.ws, path, resolved, campaignSeeds());
  }

  private analysisKey(options: Partial<AnalysisOptions>): { key: string; resolved: Partial<AnalysisOptions> } {
    const resolved = { ...this.settingsNow().analysis, ...stripUndefined(options) };
    const layers = this.ws.layers();
    return { key: JSON.stringify([resolved, layers.map((l) => [l.id, l.role, l.featureCount])]), resolved };
  }

  async blindSpots(options: Partial<AnalysisOptions> = {}): Promise<BlindSpot[]> {
    const report = await this.analyze(options);
    return report.settlements
      .filter((s) => s.eligible && (!s.mobile || !s.broadband))
      .map((s) => ({
        id: s.id, name: s.name, county: s.county, township: s.township, village: s.village, households: s.households,
        lon: s.lon, lat: s.lat, listed: s.listed, focusCounty: s.focusCounty, committee: s.committee,
        missingMobile: !s.mobile, missingBroadband: !s.broadband,
      }))
      .sort((a, b) => b.households - a.households || a.id.localeCompare(b.id));
  }

  async analysisSummary(): Promise<AnalysisSummary> {
    const { settlements: _rows, ...report } = await this.analyze();
    // Thousands of townships and villages at province scale: the dashboard shows the listed villages only.
    const villages = Object.fromEntries(Object.entries(report.rates.villages).filter(([, r]) => r.listed));
    return { ...report, rates: { ...report.rates, townships: {}, villages } };
  }

  private async columnsNow(): Promise<NonNullable<AtlasService['columnsCache']>> {
    const report = await this.analyze();
    if (this.columnsCache?.report !== report) {
      const rowById = new Map<string, number>();
      report.settlements.forEach((s, i) => rowById.set(s.id, i));
      this.columnsCache = { report, columns: toColumns(report.settlements, `${this.nextColumnsVersion++}`), rowById };
    }
    return this.columnsCache;
  }

  async settlementColumns(): Promise<SettlementColumns> {
    return (await this.columnsNow()).columns;
  }

  async coverageColumns(query: CoverageColumnsQuery): Promise<CoverageColumns> {
    if (!query || typeof query !== 'object' || !Number.isInteger(query.layerId)) {
      throw new ApiError(`coverageColumns: expected { layerId: integer, bbox?: [minLon, minLat, maxLon, maxLat], tolerance?: degrees }, got ${JSON.stringify(query)}`);
    }
    const tolerance = query.tolerance === undefined ? 0 : query.tolerance;
    if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
      throw new ApiError(`coverageColumns: tolerance ${JSON.stringify(query.tolerance)}; expected a number of degrees >= 0 (0: exact geometry)`);
    }
    const layer = this.ws.layer(query.layerId);
    if (layer.role !== 'mobile' && layer.role !== 'broadband') {
      throw new ApiError(`coverageColumns: layer ${layer.id} (${layer.name}) is a ${layer.role} layer; expected a mobile or broadband coverage layer`);
    }
    const exact = query.bbox ? this.ws.coverageColumns(layer.id, query.bbox) : this.wholeCoverageColumns(layer);
    return tolerance > 0 ? simplifyCoverageColumns(exact, tolerance) : exact;
  }

  private wholeCoverageColumns(layer: LayerInfo): CoverageColumns {
    // The map asks for every coverage layer whole on each page load: read and packed once per layer as it is.
    const marker = `coverage-columns/${layer.id}`;
    const hit = this.coverageCache.get(layer.id);
    if (hit && this.ws.cacheEntry(marker)?.inputs === hit.token) return hit.columns;
    const columns = this.ws.coverageColumns(layer.id);
    const present = new Set(this.ws.layers().map((l) => l.id));
    for (const id of this.coverageCache.keys()) if (!present.has(id)) this.coverageCache.delete(id);
    // Without a marker (a read-only workspace) nothing would say when the layer changes: not kept.
    const token = randomUUID();
    if (this.ws.storeCacheEntry(marker, token)) this.coverageCache.set(layer.id, { token, columns });
    else this.coverageCache.delete(layer.id);
    return columns;
  }

  async settlementDetails(query: SettlementDetailsQuery): Promise<SettlementDetail[]> {
    const { report, columns, rowById } = await this.columnsNow();
    if (query.indices && query.version !== columns.version) {
      throw new ApiError(`settlementDetails: rows of analysis version ${String(query.version)} asked for, the current one is ${columns.version}; reload the settlement columns`);
    }
    const rows = [...(query.indices ?? []), ...(query.ids ?? []).map((id) => rowById.get(id) ?? -1)];
    return rows.filter((i) => Number.isInteger(i) && i >= 0 && i < report.settlements.length)
      .map((i) => ({ ...report.settlements[i], index: i }));
  }

  async searchSettlements(text: string, limit = 20): Promise<SettlementHit[]> {
    const q = text.trim();
    if (!q) return [];
    const report = await this.analyze();
    const hits: SettlementHit[] = [];
    const isCode = /^\d{6,12}$/.test(q);
    for (const s of report.settlements) {
      const match = isCode ? (s.code ?? '').startsWith(q)
        : s.name.includes(q) || s.village.includes(q) || s.township.includes(q);
      if (!match) continue;
      hits.push({ id: s.id, name: s.name, county: s.county, township: s.township, village: s.village, code: s.code ?? null, lon: s.lon, lat: s.lat });
      if (hits.length >= limit) break;
    }
    return hits;
  }

  async previewImport(request: ImportRequest): Promise<ImportPreview> {
    return previewImport(this.resolveFile(request.file), request);
  }

  async importLayer(request: ImportRequest, onProgress?: (p: ImportProgress) => void): Promise<ImportOutcome> {
    if (this.ws.readOnly) throw new ApiError(`工作空间只读：${this.ws.readOnlyReason ?? ''}`);
    const jobId = randomUUID();
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    const report = (phase: ImportProgress['phase'], rows: number, fraction: number | null) =>
      onProgress?.({ jobId, phase, rows, fraction });
    try {
      const path = this.resolveFile(request.file);
      report('reading', 0, 0);
      const options = {
        signal: controller.signal,
        onProgress: (rows: number, fraction: number | null) => report('reading', rows, fraction),
        reference: request.role === 'settlements' ? this.settlementSample(2000) : undefined,
      };
      // Large files are read and encoded on a worker thread while this one writes; sites stay features (see tee).
      const stream: ImportStream<ImportBatch> = request.role === 'sites' ? await openImport(path, request, options) : await openImportInWorker(path, request, options);
      if (stream.issues.length) return { ok: false, issues: stream.issues, truncated: stream.truncated };
      try {
        const name = request.name ?? baseName(path);
        const meta = { name, role: request.role, geometryType: stream.geometryType, fields: stream.fields, source: baseName(path) };
        // Sites become 4G coverage too: their sectors are written in the same transaction, so both layers or neither.
        const sites: Feature[] = [];
        const layers = request.role === 'sites'
          ? [
            { meta, batches: tee(stream.batches, sites) },
            { meta: { name: `${name} · 扇区覆盖`, role: 'mobile' as const, geometryType: 'POLYGON' as const, source: `sectors of ${baseName(path)}` },
              batches: () => [sitesToSectors(sites)] },
          ]
          : [{ meta, batches: stream.batches }];
        const written = await this.ws.writeLayers(layers, {
          signal: controller.signal,
          onProgress: (rows) => report('writing', rows, null),
          finish: () => {
            if (stream.issues.length) throw new ImportRejected();
          },
        });
        this.cached = null;
        const layer = written[0];
        const warnings = [...stream.warnings];
        if (written[1]) {
          warnings.push(`已由 ${layer.featureCount} 个基站生成扇区覆盖图层「${written[1].name}」` +
            `(${written[1].featureCount} sectors; default radii by band and terrain)`);
        }
        report('done', layer.featureCount, 1);
        return { ok: true, layer, warnings };
      } catch (e) {
        if (e instanceof ImportRejected) return { ok: false, issues: stream.issues, truncated: stream.truncated };
        throw e;
      }
    } finally {
      this.jobs.delete(jobId);
    }
  }

  /** Positions of settlements already in the workspace: a new settlements layer should sit on them, not a GCJ-02 shift away. */
  private settlementSample(limit: number): [number, number][] | undefined {
    const sample: [number, number][] = [];
    for (const layer of this.ws.layers('settlements')) {
      for (const f of this.ws.readFeatures(layer.id, { limit: limit - sample.length })) {
        if (f.geometry?.type === 'Point') sample.push([f.geometry.coordinates[0], f.geometry.coordinates[1]]);
      }
      if (sample.length >= limit) break;
    }
    return sample.length ? sample : undefined;
  }

  async cancelImport(jobId: string): Promise<void> {
    this.jobs.get(jobId)?.abort();
  }

  async settings(): Promise<Settings> {
    return this.settingsNow();
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    const now = this.settingsNow();
    const next: Settings = { ...now, ...stripUndefined(patch) };
    if (patch.planning) {
      next.planning = {
        rankWeights: { ...now.planning.rankWeights, ...patch.planning.rankWeights },
        fiber: { ...now.planning.fiber, ...patch.planning.fiber },
        tower: { ...now.planning.tower, ...patch.planning.tower },
      };
    }
    if (next.language !== 'zh-CN' && next.language !== 'en') throw new ApiError(`language: found ${JSON.stringify(next.language)}; expected zh-CN or en`);
    if (!(SMOOTH_MAP_MODES as readonly string[]).includes(next.smoothMap)) throw new ApiError(`smoothMap: found ${JSON.stringify(next.smoothMap)}; expected auto, always or never`);
    try {
      // Each module's own validation, so a bad value is refused with the same sentence the CLI gives.
      resolveOptions(next.analysis);
      rankWeights(next.planning.rankWeights);
      fiberSettings(next.planning.fiber);
      towerSettings(next.planning.tower);
    } catch (e) {
      if (e instanceof RangeError) throw new ApiError(`设置无效 (invalid setting): ${e.message}`);
      throw e;
    }
    this.ws.setSetting('app', next);
    this.cached = null;
    this.planCache = null;
    return next;
  }

  private settingsNow(): Settings {
    const stored = this.ws.getSetting<Partial<Settings>>('app') ?? {};
    return {
      ...DEFAULT_SETTINGS,
      ...stored,
      analysis: { ...DEFAULT_SETTINGS.analysis, ...stored.analysis },
      onlineBasemap: { ...DEFAULT_SETTINGS.onlineBasemap, ...stored.onlineBasemap },
      planning: {
        rankWeights: { ...DEFAULT_SETTINGS.planning.rankWeights, ...stored.planning?.rankWeights },
        fiber: { ...DEFAULT_SETTINGS.planning.fiber, ...stored.planning?.fiber },
        tower: { ...DEFAULT_SETTINGS.planning.tower, ...stored.planning?.tower },
      },
    };
  }

  // ---- Reports ----

  async takeSnapshot(label: string, date?: string): Promise<SnapshotInfo> {
    this.writable('保存快照');
    parseMonth(label);
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ApiError(`date: found ${JSON.stringify(date)}; expected YYYY-MM-DD`);
    const snapshot = snapshotFromReport(await this.analyze(), { label, date, synthetic: this.ws.info().synthetic });
    const runId = saveSnapshot(this.ws, snapshot);
    const stored = listSnapshots(this.ws).find((s) => s.runId === runId);
    if (!stored) throw new ApiError(`snapshot ${runId} was not stored`);
    return snapshotInfo(stored);
  }

  async snapshots(): Promise<SnapshotInfo[]> {
    return listSnapshots(this.ws).map(snapshotInfo);
  }

  async compareSnapshots(a: number, b: number): Promise<SnapshotDiff> {
    const snaps = listSnapshots(this.ws);
    const find = (id: number, arg: string) => {
      const s = snaps.find((x) => x.runId === id);
      if (!s) throw new ApiError(`${arg}: no snapshot with run id ${JSON.stringify(id)}; expected one of ${snaps.map((x) => x.runId).join(', ') || '(none saved)'}`);
      return s;
    };
    return diffSnapshots(find(a, 'a'), find(b, 'b'));
  }

  async monthlyReport(month: string): Promise<MonthlyReportView> {
    const m = parseMonth(month);
    const src = await openReportSources(this.ws.path, m);
    try {
      const report = monthlyFromSources(src);
      const note = src.currentSaved ? null : `${monthLabelZh(m)}尚未保存快照，本报告使用当前分析结果。`;
      return { ...report, note, exportedAt: this.reportExports()[m] ?? null };
    } finally {
      src.close();
    }
  }

  async reportExportedAt(month: string): Promise<string | null> {
    return this.reportExports()[parseMonth(month)] ?? null;
  }

  async exportReport(request: ReportExportRequest): Promise<ExportedFile> {
    const out = requireOut(request.out);
    const month = parseMonth(request.month);
    // Loaded on first use: exceljs, pdfkit and playwright-core would otherwise add ~0.4 s to every start.
    const { exportMonthlyReport, REPORT_FORMATS } = await import('./report');
    if (!(REPORT_FORMATS as readonly string[]).includes(request.format)) throw new ApiError(`format: found ${JSON.stringify(request.format)}; expected ${REPORT_FORMATS.join('|')}`);
    if (request.format === 'csv' || request.format === 'geojson') {
      // Several files: delivered as one ZIP.
      const dir = mkdtempSync(join(tmpdir(), 'atlas-report-'));
      try {
        const outcome = await exportMonthlyReport(this.ws.path, { month, format: request.format, out: join(dir, `月报_${month}.${request.format}`) });
        const zip = zipSync(Object.fromEntries(outcome.files.map((f) => [basename(f), readFileSync(f)])));
        writeFileSync(out, zip);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } else {
      if (request.format === 'gpkg') rmSync(out, { force: true });
      await exportMonthlyReport(this.ws.path, { month, format: request.format, out });
    }
    this.noteReportExport(month);
    return exported(out);
  }

  async exportMap(request: MapExportRequest): Promise<ExportedFile> {
    const out = requireOut(request.out);
    const { renderMap } = await import('./report');
    await renderMap(this.ws.path, { county: request.county || undefined, month: request.month, dpi: request.dpi, paper: request.paper, out });
    return exported(out);
  }

  /** Months whose report was exported, with when: the reminder banner stops once the month's report left. */
  private reportExports(): Record<string, string> {
    return this.ws.getSetting<Record<string, string>>('reportExports') ?? {};
  }

  private noteReportExport(month: string): void {
    if (this.ws.readOnly) return;
    this.ws.setSetting('reportExports', { ...this.reportExports(), [month]: new Date().toISOString() });
  }

  // ---- Planning ----

  private async planContext(): Promise<PlanContext> {
    const layers = this.ws.layers();
    const settings = this.settingsNow();
    const key = JSON.stringify([settings.analysis, layers.map((l) => [l.id, l.role, l.featureCount])]);
    if (this.planCache?.key === key) return this.planCache.ctx;
    const sources = (role: 'settlements' | 'mobile' | 'broadband' | 'sites'): CoverageSource[] =>
      layers.filter((l) => l.role === role).map((l) => ({ name: l.name, features: [...this.ws.readFeatures(l.id)] }));
    const settlements = sources('settlements');
    if (settlements.length === 0) throw new ApiError('工作空间没有聚居区图层，请先导入 (the workspace has no settlements layer)');
    const sites = sources('sites');
    const ctx = preparePlan({
      settlements: { name: settlements.map((s) => s.name).join(' + '), features: settlements.flatMap((s) => s.features) },
      mobile: sources('mobile'),
      broadband: sources('broadband'),
      sites: { name: sites.map((s) => s.name).join(' + ') || 'sites', features: sites.flatMap((s) => s.features) },
      campaign: campaignSeeds(),
      options: settings.analysis,
    });
    this.planCache = { key, ctx };
    return ctx;
  }

  async planReach(scope: PlanScopeRequest): Promise<ReachPlanData> {
    if (!scope || typeof scope !== 'object' || !('county' in scope || 'village' in scope)) {
      throw new ApiError('scope: expected { county: "于都县" } or { village: "县/乡镇/村委会" }');
    }
    const { fiber, tower } = this.settingsNow().planning;
    return reachTarget(await this.planContext(), { scope, fiber, tower });
  }

  async planTowers(request: TowerPlanRequest): Promise<TowerPlanData> {
    const { county, village, k, budget } = request ?? {};
    if ((k === undefined) === (budget === undefined)) throw new ApiError('planTowers: give k (whole number ≥ 1) or budget (yuan > 0), one of them');
    if (k !== undefined && !(Number.isInteger(k) && k >= 1)) throw new ApiError(`k: found ${JSON.stringify(k)}; expected a whole number ≥ 1`);
    if (budget !== undefined && !(typeof budget === 'number' && budget > 0)) throw new ApiError(`budget: found ${JSON.stringify(budget)}; expected yuan > 0`);
    const scope = county ? { county } : village ? { village } : null;
    const plan = planTowers(await this.planContext(), {
      scope, limit: k !== undefined ? { k } : { budget: budget! }, objective: request.objective ?? 'households',
      settings: this.settingsNow().planning.tower,
    });
    return { ...plan, chosen: plan.chosen.map(({ order, build, newSettlements, newHouseholds, settlementIds }) => ({ order, build, newSettlements, newHouseholds, settlementIds })) };
  }

  async rankedBlindSpots(limit?: number): Promise<RankedBlindSpotData[]> {
    const ranked = rankBlindSpots(await this.planContext(), this.settingsNow().planning.rankWeights);
    return (limit === undefined ? ranked : ranked.slice(0, limit)).map(({ index: _index, ...rest }) => rest);
  }

  async applyScenario(builds: ScenarioData['builds']): Promise<ScenarioOutcome> {
    const checked = checkBuilds(builds, 'builds');
    const r = applyScenario(await this.planContext(), checked).report;
    return { cost: checked.reduce((s, b) => s + b.cost, 0), builds: checked.length, city: r.rates.city, counties: r.rates.counties, villages: r.rates.villages };
  }

  async compareScenarios(scenarios: ScenarioData[]): Promise<ScenarioComparisonRow[]> {
    if (!Array.isArray(scenarios)) throw new ApiError('scenarios: expected an array of { name, builds }');
    return compareScenarios(await this.planContext(), scenarios.map((s, i) => ({ name: String(s?.name ?? `方案${i + 1}`), builds: checkBuilds(s?.builds, `scenarios[${i}].builds`) })));
  }

  async exportScenario(request: ScenarioExportRequest): Promise<ExportedFile> {
    const out = requireOut(request.out);
    const builds = checkBuilds(request.builds, 'builds');
    const layers = scenarioFeatures(builds);
    const features = builds.flatMap((b, k) => b.features.map((f) => ({
      ...f,
      properties: { ...f.properties, order: k + 1, kind: b.kind, build: b.id, label: b.label, operator: b.operator, cost: b.cost,
        build_lon: b.lon, build_lat: b.lat, layer: b.kind === 'tower' ? 'mobile' : 'broadband', scenario: request.name, planned: true },
    })));
    if (features.length !== layers.mobile.length + layers.broadband.length) throw new ApiError('scenario features lost in export');
    writeFileSync(out, JSON.stringify({ type: 'FeatureCollection', name: request.name, features }));
    return exported(out);
  }

  // ---- Ledger ----

  private ledger(): Ledger {
    return new Ledger(this.ws.sqlite());
  }

  private async ledgerRows(items: LedgerItem[]): Promise<LedgerRow[]> {
    const report = await this.analyze();
    const byId = new Map(report.settlements.map((s) => [s.id, s]));
    return items.map((i) => {
      const s = byId.get(i.settlementId);
      return { ...i, name: s?.name ?? '', county: s?.county ?? '', township: s?.township ?? '', village: s?.village ?? '', households: s?.households ?? 0 };
    });
  }

  async ledgerList(filter: LedgerFilter = {}): Promise<LedgerRow[]> {
    if (filter.status !== undefined && !LEDGER_STATUSES.includes(filter.status)) {
      throw new ApiError(`status: found ${JSON.stringify(filter.status)}; expected one of ${LEDGER_STATUSES.join(', ')}`);
    }
    const rows = await this.ledgerRows(this.ledger().list({ status: filter.status, overdue: filter.overdue, settlementId: filter.settlementId }));
    return filter.county ? rows.filter((r) => r.county === filter.county) : rows;
  }

  async ledgerAdd(items: LedgerNewItem[], who: string): Promise<LedgerRow[]> {
    this.writable('添加台账');
    if (!Array.isArray(items) || items.length === 0) throw new ApiError('items: expected one or more ledger items');
    const report = await this.analyze();
    const known = new Set(report.settlements.map((s) => s.id));
    items.forEach((it, k) => {
      if (!known.has(it?.settlementId)) throw new ApiError(`items[${k}].settlementId: found ${JSON.stringify(it?.settlementId)}; expected a settlement id of this workspace`);
    });
    return this.ledgerRows(this.ledger().addMany(items, who));
  }

  async ledgerUpdate(itemId: string, patch: LedgerPatch, who: string): Promise<LedgerRow> {
    this.writable('修改台账');
    return (await this.ledgerRows([this.ledger().update(itemId, patch, who)]))[0];
  }

  async ledgerClose(itemId: string, evidence: LedgerCloseEvidence, who: string): Promise<LedgerRow> {
    this.writable('销号');
    const ledger = this.ledger();
    if (evidence?.kind === 'analysis') {
      const settlementId = ledger.get(itemId).settlementId;
      // Evidence must be an analysis made after the item: run one now rather than reuse a cached result.
      this.cached = null;
      const analyzedAt = new Date().toISOString();
      const settlement = (await this.analyze()).settlements.find((s) => s.id === settlementId);
      if (!settlement) throw new ApiError(`${itemId}: settlement ${settlementId} is no longer in the workspace's settlements`);
      return (await this.ledgerRows([ledger.close(itemId, { kind: 'analysis', settlement, analyzedAt }, who)]))[0];
    }
    if (evidence?.kind !== 'field') throw new ApiError(`${itemId}: evidence: expected { kind: "analysis" } or { kind: "field", date, person, measurement }`);
    const { date, person, measurement } = evidence;
    return (await this.ledgerRows([ledger.close(itemId, { kind: 'field', date, person, measurement }, who)]))[0];
  }

  async ledgerHistory(itemId: string): Promise<LedgerAuditRow[]> {
    return this.ledger().history(itemId);
  }

  async exportLedger(request: LedgerExportRequest): Promise<ExportedFile> {
    const out = requireOut(request.out);
    const rows = await this.ledgerList(request.filter ?? {});
    const col = (header: string, width = 12) => ({ header, kind: 'text' as const, width });
    const { writeXlsx } = await import('./report/exports');
    await writeXlsx([{
      name: '整改台账',
      columns: [col('条目', 20), col('聚居区编号'), col('聚居区'), col('县（市、区）'), col('乡镇'), col('行政村', 14),
        { header: '户数', kind: 'int', width: 8 }, col('运营商', 8), col('整改措施', 10), col('责任人'), col('完成时限'), col('状态', 8),
        col('逾期', 6), col('销号证据', 40), col('建档时间', 22), col('更新时间', 22)],
      rows: rows.map((r) => [r.itemId, r.settlementId, r.name, r.county, r.township, r.village, r.households, r.operator ?? '', r.measure,
        r.responsible, r.deadline ?? '', r.status, r.overdue ? '逾期' : '', r.evidence.map(evidenceText).join('；'), r.createdAt, r.updatedAt]),
    }], out, { title: `整改台账 ${chinaDate(new Date())}`, synthetic: this.ws.info().synthetic });
    return exported(out);
  }

  private writable(what: string): void {
    if (this.ws.readOnly) throw new ApiError(`工作空间只读，不能${what}：${this.ws.readOnlyReason ?? ''}`);
  }

  private resolveFile(file: string): string {
    return this.options.resolveImportFile ? this.options.resolveImportFile(file) : file;
  }
}

/** Passes batches through while keeping their features (a sites layer is small: thousands of sites). */
/** Passes the batches on and keeps their features (sites, whose sectors are written after them). */
async function* tee(batches: AsyncIterable<ImportBatch>, into: Feature[]): AsyncGenerator<Feature[]> {
  for await (const batch of batches) {
    if (!Array.isArray(batch)) throw new Error('tee: expected features (sites are imported with openImport), got encoded rows');
    for (const f of batch) into.push(f);
    yield batch;
  }
}

/** Thrown from writeLayer's finish() so that the transaction rolls back when the importer found problems. */
class ImportRejected extends Error {}

function snapshotInfo(s: StoredSnapshot): SnapshotInfo {
  return { runId: s.runId, label: s.label, month: s.month, date: s.date, createdAt: s.createdAt, settlements: s.ids.length, synthetic: s.synthetic };
}

function requireOut(out: string | undefined): string {
  if (typeof out !== 'string' || out === '') throw new ApiError('out: missing; the transport names the file to write');
  return out;
}

function exported(path: string): ExportedFile {
  return { fileName: basename(path), bytes: statSync(path).size, path };
}

function evidenceText(e: LedgerItem['evidence'][number]): string {
  return e.kind === 'field' ? `现场核查 ${e.date} ${e.person}：${e.measurement}`
    : `分析 ${e.analyzedAt.slice(0, 10)}：4G ${e.mobileOperators.join('/') || '无'}，宽带 ${e.broadbandOperators.join('/') || '无'}`;
}

/** Builds from the page: checked for shape before they reach the planner (coordinates are checked there). */
function checkBuilds(builds: unknown, where: string): PlannedBuild[] {
  if (!Array.isArray(builds)) throw new ApiError(`${where}: expected an array of planned builds`);
  return builds.map((b: Partial<PlannedBuild>, k) => {
    const at = `${where}[${k}]`;
    if (!b || typeof b !== 'object') throw new ApiError(`${at}: expected a planned build`);
    if (b.kind !== 'tower' && b.kind !== 'fiber') throw new ApiError(`${at}.kind: found ${JSON.stringify(b.kind)}; expected tower or fiber`);
    if (!normalizeOperator(b.operator)) throw new ApiError(`${at}.operator: found ${JSON.stringify(b.operator)}; expected CMCC, CU or CT`);
    if (!(typeof b.cost === 'number' && b.cost >= 0)) throw new ApiError(`${at}.cost: found ${JSON.stringify(b.cost)}; expected yuan ≥ 0`);
    if (!Array.isArray(b.features) || b.features.some((f) => f?.geometry?.type !== 'Polygon')) throw new ApiError(`${at}.features: expected Polygon features`);
    return {
      id: String(b.id ?? `build-${k + 1}`), kind: b.kind, label: String(b.label ?? ''), operator: b.operator!, cost: b.cost,
      lon: Number(b.lon), lat: Number(b.lat), features: b.features as Feature<PolygonGeometry>[],
    };
  });
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
