// The one typed API between the UI and the back end. Electron carries it over IPC, browser mode over
// HTTP on 127.0.0.1, the CLI calls it directly. Everything here is plain, serialisable data.
import type { AnalysisOptions, AnalysisReport } from '../gis/report';
import type { CoverageColumns, CoverageColumnsQuery, SettlementColumns, SettlementDetail, SettlementDetailsQuery } from './columns';
import type { FeatureCollection, Operator } from '../gis/types';
import type { FiberSettings } from '../gis/planning/fiber';
import type { RankWeights } from '../gis/planning/rank';
import type { TowerSettings } from '../gis/planning/towers';
import type {
  ExportedFile, LedgerAuditRow, LedgerCloseEvidence, LedgerExportRequest, LedgerFilter, LedgerNewItem, LedgerPatch, LedgerRow,
  MapExportRequest, MonthlyReportView, PlanScopeRequest, RankedBlindSpotData, ReachPlanData, ReportExportRequest, ScenarioComparisonRow,
  ScenarioData, ScenarioExportRequest, ScenarioOutcome, SnapshotDiff, SnapshotInfo, TowerPlanRequest, TowerPlanData,
} from './reports';

export * from './reports';
export type { CoverageColumns, CoverageColumnsQuery, SettlementColumns, SettlementDetail, SettlementDetailsQuery } from './columns';

/**
 * What the dashboard shows of the analysis: city and county rates, the listed villages' rates, committee seats,
 * field checks. No per-settlement rows, township rates or unlisted villages' rates (analyze() has them).
 */
export type AnalysisSummary = Omit<AnalysisReport, 'settlements'>;

export type LayerRole = 'settlements' | 'mobile' | 'broadband' | 'sites' | 'boundaries' | 'listed' | 'measurements';
export const LAYER_ROLES: readonly LayerRole[] = ['settlements', 'mobile', 'broadband', 'sites', 'boundaries', 'listed', 'measurements'];

export type Bbox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

export interface LayerInfo {
  id: number;
  /** GeoPackage table name. */
  table: string;
  /** Display name (often the source file's name). */
  name: string;
  role: LayerRole;
  geometryType: 'POINT' | 'POLYGON' | 'MULTIPOLYGON' | 'GEOMETRY';
  featureCount: number;
  bbox: Bbox | null;
  /** Attribute names beyond the canonical ones. */
  fields: string[];
  source: string | null;
  /** Generated demo data (演示数据), never real measurements. */
  synthetic: boolean;
  createdAt: string;
}

export interface WorkspaceInfo {
  path: string;
  name: string;
  readOnly: boolean;
  /** Why the workspace is read-only (written by a newer version, locked by another instance, file not writable). */
  readOnlyReason: string | null;
  synthetic: boolean;
  schemaVersion: number;
  layers: LayerInfo[];
}

export interface County {
  code: string;
  name: string;
  focus: boolean;
  leader: string | null;
  /** Listed-village quota of the 100. */
  quota: number;
  seat: { lon: number; lat: number } | null;
}

export interface ListedVillage {
  /** Official 12-digit code, when matched. */
  code: string | null;
  county: string;
  township: string;
  /** Official name (e.g. 潮溪村委会) and the listing's own text (潮溪村). */
  officialName: string | null;
  listedName: string;
  listedTownship: string;
  category: string;
  matchStatus: string;
  matchNote: string;
}

export interface CampaignSeeds {
  counties: County[];
  listedVillages: ListedVillage[];
  /** Listed villages the source document names only by quota (the third category's missing names). */
  unnamedQuota: { county: string; count: number }[];
}

export const SMOOTH_MAP_MODES = ['auto', 'always', 'never'] as const;

export interface Settings {
  language: 'zh-CN' | 'en';
  analysis: AnalysisOptions;
  /** Online basemap tiles are opt-in; off by default. */
  onlineBasemap: { enabled: boolean; provider: 'tianditu' | 'custom'; key: string; urlTemplate: string };
  /** The map draws at half resolution while it moves: on software WebGL only ('auto'), always, or never. */
  smoothMap: (typeof SMOOTH_MAP_MODES)[number];
  planning: PlanningSettings;
}

/** The planner's parameters a user may change: priority weights, and the cost model of towers and fiber. */
export interface PlanningSettings {
  rankWeights: RankWeights;
  fiber: Pick<FiberSettings, 'detourFactor' | 'costPerKm' | 'costPerSettlement'>;
  tower: Pick<TowerSettings, 'radiusM' | 'cost'>;
}

export type CrsChoice = 'wgs84' | 'cgcs2000' | 'gcj02' | 'bd09' | 'auto' | `EPSG:${number}`;

export interface ImportRequest {
  /** A path on disk (Electron, CLI) or an upload token returned by the browser-mode server. */
  file: string;
  role: LayerRole;
  name?: string;
  crs?: CrsChoice;
  /** Canonical field → source column. */
  mapping?: Record<string, string>;
  sheet?: string;
  encoding?: 'utf8' | 'gbk' | 'auto';
}

export interface ImportPreview {
  format: string;
  fields: string[];
  /** Detected canonical field → source column (null where nothing matched). */
  mapping: Record<string, string | null>;
  sheets?: string[];
  encoding?: string;
  crs: { detected: CrsChoice; reason: string };
  sample: Record<string, unknown>[];
  warnings: string[];
}

export interface ImportProgress {
  jobId: string;
  phase: 'reading' | 'validating' | 'writing' | 'done';
  rows: number;
  /** 0..1 when the total is known. */
  fraction: number | null;
}

export interface ImportIssue {
  file: string;
  /** 1-based row (tables) or 0-based feature index (GeoJSON/KML/Shapefile); -1 for the whole file. */
  row: number;
  field: string;
  message: string;
}

export type ImportOutcome =
  | { ok: true; layer: LayerInfo; warnings: string[] }
  | { ok: false; issues: ImportIssue[]; truncated: boolean };

export interface BlindSpot {
  id: string;
  name: string;
  county: string;
  township: string;
  village: string;
  households: number;
  lon: number;
  lat: number;
  listed: boolean;
  focusCounty: boolean;
  committee: boolean;
  missingMobile: boolean;
  missingBroadband: boolean;
}

export interface SettlementHit {
  id: string;
  name: string;
  county: string;
  township: string;
  village: string;
  code: string | null;
  lon: number;
  lat: number;
}

export interface LayerQuery {
  layerId: number;
  bbox?: Bbox;
  /** Keep only these operators (coverage layers). */
  operators?: Operator[];
  limit?: number;
}

export interface AtlasApi {
  workspace(): Promise<WorkspaceInfo>;
  openWorkspace(path: string): Promise<WorkspaceInfo>;
  newWorkspace(path: string): Promise<WorkspaceInfo>;
  seeds(): Promise<CampaignSeeds>;
  layerFeatures(query: LayerQuery): Promise<FeatureCollection>;
  analyze(options?: Partial<AnalysisOptions>): Promise<AnalysisReport>;
  /** The current analysis (the workspace's settings) without the per-settlement rows. */
  analysisSummary(): Promise<AnalysisSummary>;
  /** Every settlement of the current analysis as compact columns (binary over HTTP). */
  settlementColumns(): Promise<SettlementColumns>;
  /** A coverage layer's polygons as flat arrays, what the map paints (binary over HTTP; see api/columns.ts). */
  coverageColumns(query: CoverageColumnsQuery): Promise<CoverageColumns>;
  /** Full results of a few settlements, by column row (of the given version) or by id; unknown ones are left out. */
  settlementDetails(query: SettlementDetailsQuery): Promise<SettlementDetail[]>;
  blindSpots(options?: Partial<AnalysisOptions>): Promise<BlindSpot[]>;
  searchSettlements(text: string, limit?: number): Promise<SettlementHit[]>;
  previewImport(request: ImportRequest): Promise<ImportPreview>;
  importLayer(request: ImportRequest, onProgress?: (p: ImportProgress) => void): Promise<ImportOutcome>;
  cancelImport(jobId: string): Promise<void>;
  settings(): Promise<Settings>;
  updateSettings(patch: Partial<Settings>): Promise<Settings>;

  // Reports (issue 5)
  /** Analyses now and stores the result under a month label (2020-06 or 2020年6月); the month's earlier snapshot is superseded. */
  takeSnapshot(label: string, date?: string): Promise<SnapshotInfo>;
  snapshots(): Promise<SnapshotInfo[]>;
  /** Compares two snapshots by run id (a earlier, b later). */
  compareSnapshots(a: number, b: number): Promise<SnapshotDiff>;
  monthlyReport(month: string): Promise<MonthlyReportView>;
  /** When the month's report was last exported (ISO time), or null: cheap, for the 25th reminder. */
  reportExportedAt(month: string): Promise<string | null>;
  /** Writes the file where `out` says; transports fill `out` (see ReportExportRequest). Null: the user cancelled. */
  exportReport(request: ReportExportRequest): Promise<ExportedFile | null>;
  exportMap(request: MapExportRequest): Promise<ExportedFile | null>;

  // Planning (issue 6)
  planReach(scope: PlanScopeRequest): Promise<ReachPlanData>;
  planTowers(request: TowerPlanRequest): Promise<TowerPlanData>;
  rankedBlindSpots(limit?: number): Promise<RankedBlindSpotData[]>;
  applyScenario(builds: ScenarioData['builds']): Promise<ScenarioOutcome>;
  compareScenarios(scenarios: ScenarioData[]): Promise<ScenarioComparisonRow[]>;
  exportScenario(request: ScenarioExportRequest): Promise<ExportedFile | null>;

  // Rectification ledger (issue 6); `who` is recorded in the audit trail.
  ledgerList(filter?: LedgerFilter): Promise<LedgerRow[]>;
  ledgerAdd(items: LedgerNewItem[], who: string): Promise<LedgerRow[]>;
  ledgerUpdate(itemId: string, patch: LedgerPatch, who: string): Promise<LedgerRow>;
  ledgerClose(itemId: string, evidence: LedgerCloseEvidence, who: string): Promise<LedgerRow>;
  ledgerHistory(itemId: string): Promise<LedgerAuditRow[]>;
  exportLedger(request: LedgerExportRequest): Promise<ExportedFile | null>;
}

/** Method names, for transports that route by name (IPC channels, HTTP paths). */
export const API_METHODS = [
  'workspace', 'openWorkspace', 'newWorkspace', 'seeds', 'layerFeatures', 'analyze', 'blindSpots',
  'analysisSummary', 'settlementColumns', 'coverageColumns', 'settlementDetails', 'searchSettlements', 'previewImport', 'importLayer', 'cancelImport', 'settings', 'updateSettings',
  'takeSnapshot', 'snapshots', 'compareSnapshots', 'monthlyReport', 'reportExportedAt', 'exportReport', 'exportMap',
  'planReach', 'planTowers', 'rankedBlindSpots', 'applyScenario', 'compareScenarios', 'exportScenario',
  'ledgerList', 'ledgerAdd', 'ledgerUpdate', 'ledgerClose', 'ledgerHistory', 'exportLedger',
] as const satisfies readonly (keyof AtlasApi)[];
export type ApiMethod = (typeof API_METHODS)[number];

/** Methods whose answer travels as bytes over HTTP (application/octet-stream, see api/columns.ts). */
export const BINARY_METHODS = ['settlementColumns', 'coverageColumns'] as const satisfies readonly ApiMethod[];
export type BinaryMethod = (typeof BINARY_METHODS)[number];

/** Methods that write a file: their single argument's `out` is set by the transport, never by the page. */
export const EXPORT_METHODS = ['exportReport', 'exportMap', 'exportScenario', 'exportLedger'] as const satisfies readonly ApiMethod[];
export type ExportMethod = (typeof EXPORT_METHODS)[number];
export const EXPORT_KIND: Record<ExportMethod, 'report' | 'map' | 'scenario' | 'ledger'> = {
  exportReport: 'report', exportMap: 'map', exportScenario: 'scenario', exportLedger: 'ledger',
};

/** Most arguments each method takes (transports answer more with a clear error). */
export const API_ARITY: Record<ApiMethod, number> = {
  workspace: 0, openWorkspace: 1, newWorkspace: 1, seeds: 0, layerFeatures: 1, analyze: 1, blindSpots: 1,
  analysisSummary: 0, settlementColumns: 0, coverageColumns: 1, settlementDetails: 1,
  searchSettlements: 2, previewImport: 1, importLayer: 1, cancelImport: 1, settings: 0, updateSettings: 1,
  takeSnapshot: 2, snapshots: 0, compareSnapshots: 2, monthlyReport: 1, reportExportedAt: 1, exportReport: 1, exportMap: 1,
  planReach: 1, planTowers: 1, rankedBlindSpots: 1, applyScenario: 1, compareScenarios: 1, exportScenario: 1,
  ledgerList: 1, ledgerAdd: 2, ledgerUpdate: 3, ledgerClose: 3, ledgerHistory: 1, exportLedger: 1,
};
