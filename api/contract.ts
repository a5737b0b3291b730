// The one typed API between the UI and the back end. Electron carries it over IPC, browser mode over
// HTTP on 127.0.0.1, the CLI calls it directly. Everything here is plain, serialisable data.
import type { AnalysisOptions, AnalysisReport } from '../gis/report';
import type { FeatureCollection, Operator } from '../gis/types';

export type LayerRole = 'settlements' | 'mobile' | 'broadband' | 'sites' | 'boundaries' | 'listed';
export const LAYER_ROLES: readonly LayerRole[] = ['settlements', 'mobile', 'broadband', 'sites', 'boundaries', 'listed'];

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

export interface Settings {
  language: 'zh-CN' | 'en';
  analysis: AnalysisOptions;
  /** Online basemap tiles are opt-in; off by default. */
  onlineBasemap: { enabled: boolean; provider: 'tianditu' | 'custom'; key: string; urlTemplate: string };
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
  blindSpots(options?: Partial<AnalysisOptions>): Promise<BlindSpot[]>;
  searchSettlements(text: string, limit?: number): Promise<SettlementHit[]>;
  previewImport(request: ImportRequest): Promise<ImportPreview>;
  importLayer(request: ImportRequest, onProgress?: (p: ImportProgress) => void): Promise<ImportOutcome>;
  cancelImport(jobId: string): Promise<void>;
  settings(): Promise<Settings>;
  updateSettings(patch: Partial<Settings>): Promise<Settings>;
}

/** Method names, for transports that route by name (IPC channels, HTTP paths). */
export const API_METHODS = [
  'workspace', 'openWorkspace', 'newWorkspace', 'seeds', 'layerFeatures', 'analyze', 'blindSpots',
  'searchSettlements', 'previewImport', 'importLayer', 'cancelImport', 'settings', 'updateSettings',
] as const satisfies readonly (keyof AtlasApi)[];
export type ApiMethod = (typeof API_METHODS)[number];
