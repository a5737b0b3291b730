// What the reports read from a workspace: the month's snapshot and the one before it (the current analysis
// when the month has no snapshot yet), county and township polygons, coverage layers and the ledger.
import type { County } from '../../api/contract';
import type { Feature } from '../../gis/types';
import { counties as seedCounties } from '../../seeds/campaign';
import { chinaDate, Ledger, type LedgerItem } from '../ledger';
import { AtlasService } from '../service';
import { Workspace } from '../workspace';
import type { MapInput } from './map';
import { buildMonthlyReport, type MonthlyReport } from './monthly';
import { listSnapshots, parseMonth, saveSnapshot, snapshotBefore, snapshotForMonth, snapshotFromReport, type Snapshot } from './snapshot';

export interface ReportSources {
  workspaceName: string;
  synthetic: boolean;
  current: Snapshot;
  /** False when the month had no saved snapshot and the current analysis stands in for it. */
  currentSaved: boolean;
  previous: Snapshot | null;
  /** Every saved snapshot, for the trend. */
  history: Snapshot[];
  counties: County[];
  countyPolygons: Feature[];
  townshipPolygons: Feature[];
  /** Layer names and sources, for the maps' data-source line. */
  layerSources: string[];
  ledger: LedgerItem[];
  /** Opens the coverage layers lazily (they are large); valid until close(). */
  coverage(): Pick<MapInput, 'mobile' | 'broadband'>;
  close(): void;
}

/** Analyses the workspace now and stores the result as a snapshot; returns it with its run id. */
export async function takeSnapshot(path: string, label: string, date?: string): Promise<{ runId: number; snapshot: Snapshot }> {
  parseMonth(label);
  const service = AtlasService.open(path);
  let report;
  let synthetic;
  try {
    report = await service.analyze();
    synthetic = (await service.workspace()).synthetic;
  } finally {
    service.close();
  }
  const snapshot = snapshotFromReport(report, { label, date, synthetic });
  const ws = Workspace.open(path);
  try {
    if (ws.readOnly) throw new Error(`${path}: 工作空间只读，不能保存快照 (read-only: ${ws.readOnlyReason ?? ''})`);
    return { runId: saveSnapshot(ws, snapshot), snapshot };
  } finally {
    ws.close();
  }
}

export async function openReportSources(path: string, month: string): Promise<ReportSources> {
  parseMonth(month);
  const ws = Workspace.open(path, { readOnly: true });
  try {
    const info = ws.info();
    const snaps = listSnapshots(ws);
    let current: Snapshot | null = snapshotForMonth(snaps, month);
    const currentSaved = current !== null;
    if (!current) {
      const service = AtlasService.open(path);
      try {
        // The stand-in is today's analysis: its data date is today, not the month's end.
        current = snapshotFromReport(await service.analyze(), { label: month, date: chinaDate(new Date()), synthetic: info.synthetic });
      } finally {
        service.close();
      }
    }
    const boundaries = info.layers.filter((l) => l.role === 'boundaries').flatMap((l) => [...ws.readFeatures(l.id)]);
    const level = (f: Feature) => String(f.properties?.level ?? '');
    // Layers without a level column are taken as county polygons.
    const countyPolygons = boundaries.filter((f) => level(f) === 'county' || level(f) === '');
    const townshipPolygons = boundaries.filter((f) => level(f) === 'township');
    const hasLedger = ws.sqlite().prepare("SELECT 1 FROM sqlite_schema WHERE name = 'atlas_ledger'").get() !== undefined;
    const ledger = hasLedger ? new Ledger(ws.sqlite()).list() : [];
    const layerSources = info.layers.filter((l) => ['settlements', 'mobile', 'broadband', 'boundaries'].includes(l.role))
      .map((l) => l.name);
    return {
      workspaceName: info.name, synthetic: info.synthetic || current.synthetic, current, currentSaved,
      previous: snapshotBefore(snaps, month), history: snaps, counties: seedCounties(), countyPolygons, townshipPolygons, layerSources, ledger,
      coverage: () => ({
        mobile: info.layers.filter((l) => l.role === 'mobile').flatMap((l) => [...ws.readFeatures(l.id)]),
        broadband: info.layers.filter((l) => l.role === 'broadband').flatMap((l) => [...ws.readFeatures(l.id)]),
      }),
      close: () => ws.close(),
    };
  } catch (e) {
    ws.close();
    throw e;
  }
}

export function monthlyFromSources(src: ReportSources, now?: Date): MonthlyReport {
  return buildMonthlyReport({ current: src.current, previous: src.previous, history: src.history, counties: src.counties, ledger: src.ledger, now });
}
