// The Atlas service: the one implementation of AtlasApi over a workspace. Transports (IPC, HTTP, the CLI)
// only carry its calls.
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type {
  AtlasApi, BlindSpot, CampaignSeeds, ImportOutcome, LayerInfo, ImportPreview, ImportProgress, ImportRequest, LayerQuery,
  SettlementHit, Settings, WorkspaceInfo,
} from '../api/contract';
import { analyzeCoverage, type AnalysisOptions, type AnalysisReport, type CoverageSource, type Feature, type FeatureCollection } from '../gis';
import { normalizeOperator } from '../gis/operators';
import { campaignSeeds } from '../seeds/campaign';
import { openImport, previewImport, sitesToSectors } from './import';
import { ApiError } from './host-protocol';
import { Workspace } from './workspace';

export const DEFAULT_SETTINGS: Settings = {
  language: 'zh-CN',
  analysis: { minHouseholds: 25, targetMobile: 0.95, targetBroadband: 0.75, mobileTechs: ['4G'] },
  onlineBasemap: { enabled: false, provider: 'tianditu', key: '', urlTemplate: '' },
};

export interface ServiceOptions {
  /** Maps an ImportRequest.file (a path, or a transport's upload token) to a path on disk. */
  resolveImportFile?: (file: string) => string;
}

export class AtlasService implements AtlasApi {
  private ws: Workspace;
  private cached: { key: string; report: AnalysisReport } | null = null;
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
    const resolved = { ...this.settingsNow().analysis, ...stripUndefined(options) };
    const layers = this.ws.layers();
    const key = JSON.stringify([resolved, layers.map((l) => [l.id, l.role, l.featureCount])]);
    if (this.cached?.key === key) return this.cached.report;
    const sources = (role: 'settlements' | 'mobile' | 'broadband'): CoverageSource[] =>
      layers.filter((l) => l.role === role).map((l) => ({ name: l.name, features: [...this.ws.readFeatures(l.id)] }));
    const settlementSources = sources('settlements');
    const report = analyzeCoverage({
      settlements: {
        name: settlementSources.map((s) => s.name).join(' + ') || '(no settlements layer)',
        features: settlementSources.flatMap((s) => s.features),
      },
      mobile: sources('mobile'),
      broadband: sources('broadband'),
      campaign: campaignSeeds(),
      options: resolved,
    });
    this.cached = { key, report };
    return report;
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
      const stream = await openImport(path, request, {
        signal: controller.signal,
        onProgress: (rows, fraction) => report('reading', rows, fraction),
        reference: request.role === 'settlements' ? this.settlementSample(2000) : undefined,
      });
      if (stream.issues.length) return { ok: false, issues: stream.issues, truncated: stream.truncated };
      try {
        const layer = await this.ws.writeLayer(
          {
            name: request.name ?? baseName(path),
            role: request.role,
            geometryType: stream.geometryType,
            fields: stream.fields,
            source: baseName(path),
          },
          stream.batches,
          {
            signal: controller.signal,
            onProgress: (rows) => report('writing', rows, null),
            finish: () => {
              if (stream.issues.length) throw new ImportRejected();
            },
          },
        );
        this.cached = null;
        const warnings = [...stream.warnings];
        if (request.role === 'sites') warnings.push(await this.deriveSectors(layer));
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

  /**
   * Base-station sites become 4G coverage: a wedge per sector (a circle for omni sites), written as a mobile
   * layer beside the sites. Should that write fail, the sites layer is removed again: the import is all or nothing.
   */
  private async deriveSectors(sites: LayerInfo): Promise<string> {
    try {
      const sectors = sitesToSectors([...this.ws.readFeatures(sites.id)]);
      const layer = await this.ws.writeLayer(
        { name: `${sites.name} · 扇区覆盖`, role: 'mobile', geometryType: 'POLYGON', source: `sectors of ${sites.source ?? sites.name}` },
        [sectors],
      );
      return `已由 ${sites.featureCount} 个基站生成扇区覆盖图层「${layer.name}」(${layer.featureCount} sectors; default radii by band and terrain)`;
    } catch (e) {
      this.ws.deleteLayer(sites.id);
      throw e;
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
    const next = { ...this.settingsNow(), ...stripUndefined(patch) };
    if (next.language !== 'zh-CN' && next.language !== 'en') throw new ApiError(`language: found ${JSON.stringify(next.language)}; expected zh-CN or en`);
    this.ws.setSetting('app', next);
    this.cached = null;
    return next;
  }

  private settingsNow(): Settings {
    const stored = this.ws.getSetting<Partial<Settings>>('app') ?? {};
    return {
      ...DEFAULT_SETTINGS,
      ...stored,
      analysis: { ...DEFAULT_SETTINGS.analysis, ...stored.analysis },
      onlineBasemap: { ...DEFAULT_SETTINGS.onlineBasemap, ...stored.onlineBasemap },
    };
  }

  private resolveFile(file: string): string {
    return this.options.resolveImportFile ? this.options.resolveImportFile(file) : file;
  }
}

/** Thrown from writeLayer's finish() so that the transaction rolls back when the importer found problems. */
class ImportRejected extends Error {}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
