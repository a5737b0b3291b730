// A small in-memory AtlasApi for transport tests (tests only). It records calls so tests can check
// what actually reached the back end.
import { readFile, writeFile } from 'node:fs/promises';
import type { AtlasApi, ImportOutcome, ImportProgress, ImportRequest, Settings, WorkspaceInfo } from '../../api/contract';
import { toColumns, toCoverageColumns } from '../../api/columns';
import { DEFAULT_OPTIONS, type SettlementResult } from '../../gis/report';
import { DEFAULT_SETTINGS } from '../../data/service';

const FAKE_SETTLEMENT: SettlementResult = {
  id: '', name: '', households: 0, county: '于都县', township: '岭背镇', village: '潮溪村委会', lon: 0, lat: 0,
  eligible: true, listed: false, committee: false, focusCounty: true, mobile: false, mobileOperators: [], broadband: false, broadbandOperators: [],
};

export interface FakeApi extends AtlasApi {
  calls: { method: string; args: unknown[] }[];
  importedText: string[];
  /** While set, settings() answers only once it resolves (a back end busy with an analysis). */
  settingsGate: Promise<void> | null;
}

export function fakeApi(workspacePath: string): FakeApi {
  const calls: FakeApi['calls'] = [];
  const importedText: string[] = [];
  let settings: Settings = {
    language: 'zh-CN',
    analysis: DEFAULT_OPTIONS,
    onlineBasemap: { enabled: false, provider: 'tianditu', key: '', urlTemplate: '' },
    smoothMap: 'auto',
    planning: DEFAULT_SETTINGS.planning,
  };
  const info = (path: string): WorkspaceInfo => ({
    path, name: 'demo', readOnly: false, readOnlyReason: null, synthetic: true, schemaVersion: 2, layers: [],
  });
  const record = (method: string, args: unknown[]) => calls.push({ method, args });
  const api: FakeApi = {
    calls,
    importedText,
    settingsGate: null,
    async workspace() { record('workspace', []); return info(workspacePath); },
    async openWorkspace(path) { record('openWorkspace', [path]); return info(path); },
    async newWorkspace(path) { record('newWorkspace', [path]); return info(path); },
    async seeds() { return { counties: [], listedVillages: [], unnamedQuota: [] }; },
    async layerFeatures(q) {
      record('layerFeatures', [q]);
      if (q.layerId === 99) {
        const err = new Error('Unknown layer 99 图层不存在');
        err.stack = 'Error: Unknown layer 99\n    at secret (/home/user/data/host.ts:10:5)';
        throw err;
      }
      return { type: 'FeatureCollection', features: [] };
    },
    async analyze() { throw Object.assign(new Error('bad input'), { issues: [{ source: 'a.csv', feature: 3, field: 'households', message: 'expected a number' }] }); },
    async analysisSummary() { throw new Error('no analysis in the fake'); },
    async settlementColumns() {
      record('settlementColumns', []);
      return toColumns([
        { ...FAKE_SETTLEMENT, id: 'a', name: '上屋', lon: 115.25, lat: 25.5, households: 40, mobile: true, mobileOperators: ['CT'] },
        { ...FAKE_SETTLEMENT, id: 'b', name: '下屋', lon: 115.75, lat: 26.125, households: 12, eligible: false, county: '宁都县' },
      ], 'v1');
    },
    async coverageColumns(query) {
      record('coverageColumns', [query]);
      return toCoverageColumns([
        { geometry: { type: 'Polygon', coordinates: [[[115, 25], [115.5, 25], [115.5, 25.5], [115, 25]]] }, properties: { operator: 'CT', tech: '4g' } },
      ]);
    },
    async settlementDetails(query) { record('settlementDetails', [query]); return []; },
    async blindSpots(options) { record('blindSpots', [options]); return []; },
    async searchSettlements(text, limit) { record('searchSettlements', [text, limit]); return []; },
    async previewImport(request) {
      record('previewImport', [request]);
      return { format: 'csv', fields: ['a'], mapping: {}, crs: { detected: 'wgs84', reason: 'range' }, sample: [], warnings: [`read ${request.file}`] };
    },
    async importLayer(request: ImportRequest, onProgress?: (p: ImportProgress) => void): Promise<ImportOutcome> {
      record('importLayer', [request]);
      importedText.push(await readFile(request.file, 'utf8'));
      for (let i = 1; i <= 3; i++) {
        onProgress?.({ jobId: 'job-1', phase: 'reading', rows: i * 10, fraction: i / 3 });
        await new Promise((r) => setTimeout(r, 5));
      }
      return { ok: false, truncated: false, issues: [{ file: request.file, row: 2, field: 'lon', message: 'expected a number, got "x"' }] };
    },
    async cancelImport(jobId) { record('cancelImport', [jobId]); },
    async settings() {
      if (api.settingsGate) await api.settingsGate;
      return settings;
    },
    async updateSettings(patch) { settings = { ...settings, ...patch }; return settings; },
    ...notInFake(['takeSnapshot', 'snapshots', 'compareSnapshots', 'monthlyReport', 'reportExportedAt', 'planReach', 'planTowers', 'rankedBlindSpots',
      'applyScenario', 'compareScenarios', 'ledgerList', 'ledgerAdd', 'ledgerUpdate', 'ledgerClose', 'ledgerHistory']),
    // Exports write a small file where the transport said, naming the request so tests can see what arrived.
    async exportReport(r) { record('exportReport', [r]); return fakeExport(r.out, `report ${r.month} ${r.format}`); },
    async exportMap(r) { record('exportMap', [r]); return fakeExport(r.out, `map ${r.county ?? ''}`); },
    async exportScenario(r) { record('exportScenario', [r]); return fakeExport(r.out, `scenario ${r.name}`); },
    async exportLedger(r) { record('exportLedger', [r]); return fakeExport(r.out, 'ledger'); },
  };
  return api;
}

async function fakeExport(out: string | undefined, text: string) {
  if (!out) throw new Error('out: missing; the transport names the file to write');
  await writeFile(out, text);
  return { fileName: out.split('/').pop()!, bytes: Buffer.byteLength(text), path: out };
}

function notInFake<K extends keyof AtlasApi>(names: K[]): Pick<AtlasApi, K> {
  return Object.fromEntries(names.map((n) => [n, async () => { throw new Error(`${n} is not in the fake API`); }])) as unknown as Pick<AtlasApi, K>;
}
