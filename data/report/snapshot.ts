// Snapshots: an analysis frozen under a month label, stored in atlas_runs through Workspace.addRun so the
// workspace schema stays untouched. Per settlement only what a diff and a map need: id, name, village index,
// households, position and a status bitmask, in columns (one array per field) to keep the JSON compact.
import type { AnalysisOptions, AnalysisReport } from '../../gis/report';
import type { Workspace } from '../workspace';

export const SNAPSHOT_KIND = 'atlas-snapshot';

/** Status bits, one hex digit per settlement in `Snapshot.status`. */
export const ELIGIBLE = 1;
export const MOBILE = 2;
export const BROADBAND = 4;
export const COMMITTEE = 8;

export interface Snapshot {
  kind: typeof SNAPSHOT_KIND;
  version: 1;
  /** As given by the user: 2020-06 or 2020年6月. */
  label: string;
  /** YYYY-MM parsed from the label. */
  month: string;
  /** Date of the data (YYYY-MM-DD). */
  date: string;
  /** Built from demo data (演示数据). */
  synthetic: boolean;
  options: AnalysisOptions;
  /** `county/township/village` keys, as in AnalysisReport.rates.villages. */
  villages: string[];
  /** Indices into `villages` of the listed key villages, with their category. */
  listed: { village: number; category: string }[];
  ids: string[];
  names: string[];
  village: number[];
  households: number[];
  /** Longitude and latitude × 1e5 (about 1 m), rounded. */
  lon: number[];
  lat: number[];
  /** One hex digit per settlement: ELIGIBLE | MOBILE | BROADBAND | COMMITTEE. */
  status: string;
}

export interface StoredSnapshot extends Snapshot {
  /** atlas_runs row id. */
  runId: number;
  createdAt: string;
}

/** `2020-06`, `2020-6`, `2020年6月`, `2020年06月` → `2020-06`; throws naming the label otherwise. */
export function parseMonth(label: string): string {
  const m = /^\s*(\d{4})\s*(?:-|年)\s*(\d{1,2})\s*月?\s*$/.exec(label);
  const month = m ? Number(m[2]) : NaN;
  if (!m || month < 1 || month > 12) {
    throw new RangeError(`label: found ${JSON.stringify(label)}; expected a month such as 2020-06 or 2020年6月`);
  }
  return `${m[1]}-${String(month).padStart(2, '0')}`;
}

/** `2020-06` → `2020年6月`. */
export function monthLabelZh(month: string): string {
  const [y, m] = month.split('-');
  return `${y}年${Number(m)}月`;
}

/** The last day of a YYYY-MM month. */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** The month before a YYYY-MM month. */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export function villageKey(s: { county: string; township: string; village: string }): string {
  return `${s.county}/${s.township}/${s.village}`;
}

/** Freezes an analysis; `date` defaults to the month's last day. Does not touch the report. */
export function snapshotFromReport(report: AnalysisReport, meta: { label: string; date?: string; synthetic?: boolean }): Snapshot {
  const month = parseMonth(meta.label);
  const date = meta.date ?? monthEnd(month);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`date: found ${JSON.stringify(date)}; expected YYYY-MM-DD`);
  const villageIndex = new Map<string, number>();
  const snap: Snapshot = {
    kind: SNAPSHOT_KIND, version: 1, label: meta.label.trim(), month, date, synthetic: meta.synthetic ?? false,
    options: { ...report.options, mobileTechs: [...report.options.mobileTechs] },
    villages: [], listed: [], ids: [], names: [], village: [], households: [], lon: [], lat: [], status: '',
  };
  const status: string[] = [];
  for (const s of report.settlements) {
    const key = villageKey(s);
    let v = villageIndex.get(key);
    if (v === undefined) {
      v = snap.villages.length;
      villageIndex.set(key, v);
      snap.villages.push(key);
      const rate = report.rates.villages[key];
      if (rate?.listed) snap.listed.push({ village: v, category: rate.listedCategory ?? '' });
    }
    snap.ids.push(s.id);
    snap.names.push(s.name);
    snap.village.push(v);
    snap.households.push(s.households);
    snap.lon.push(Math.round(s.lon * 1e5));
    snap.lat.push(Math.round(s.lat * 1e5));
    status.push(((s.eligible ? ELIGIBLE : 0) | (s.mobile ? MOBILE : 0) | (s.broadband ? BROADBAND : 0) | (s.committee ? COMMITTEE : 0)).toString(16));
  }
  snap.status = status.join('');
  return snap;
}

function isSnapshot(x: unknown): x is Snapshot {
  const s = x as Partial<Snapshot> | null;
  return !!s && s.kind === SNAPSHOT_KIND && s.version === 1 && typeof s.status === 'string' && Array.isArray(s.ids)
    && s.ids.length === s.status.length;
}

/** Stores a snapshot as an analysis run; returns its run id. */
export function saveSnapshot(ws: Workspace, snap: Snapshot): number {
  return ws.addRun(snap.options, snap);
}

/** Snapshots in the workspace, oldest month first (ties: older run first). Other runs are skipped. */
export function listSnapshots(ws: Workspace): StoredSnapshot[] {
  const out: StoredSnapshot[] = [];
  for (const run of ws.runs(10_000)) {
    if (isSnapshot(run.summary)) out.push({ ...run.summary, runId: run.id, createdAt: run.createdAt });
  }
  return out.sort((a, b) => a.month.localeCompare(b.month) || a.runId - b.runId);
}

/** The latest snapshot saved for a month (a month saved twice: the later run wins). */
export function snapshotForMonth(snaps: readonly StoredSnapshot[], month: string): StoredSnapshot | null {
  const hits = snaps.filter((s) => s.month === month);
  return hits.length ? hits[hits.length - 1] : null;
}

/** The latest snapshot of a month before `month`. */
export function snapshotBefore(snaps: readonly StoredSnapshot[], month: string): StoredSnapshot | null {
  const earlier = snaps.filter((s) => s.month < month);
  if (!earlier.length) return null;
  return snapshotForMonth(earlier, earlier[earlier.length - 1].month);
}

/** Status bits of settlement i. */
export function statusAt(snap: Snapshot, i: number): number {
  return parseInt(snap.status[i], 16);
}

/** Eligible and missing 4G or broadband: a blind spot (盲点), as AtlasService.blindSpots counts them. */
export function isBlind(bits: number): boolean {
  return (bits & ELIGIBLE) !== 0 && (bits & (MOBILE | BROADBAND)) !== (MOBILE | BROADBAND);
}
