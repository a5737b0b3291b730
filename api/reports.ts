// The AtlasApi's reports, planning and ledger data: plain, serialisable shapes. Report shapes are defined here
// and data/report re-exports them; planning shapes are the planner's own (gis/planning); the ledger's are restated
// because api/ may not import data/ (the compiler checks the back end's values fit where the service returns them).
import type { BlindSpot } from './contract';
import type { GroupRate } from '../gis/report';
import type { Operator } from '../gis/types';
import type { RankedBlindSpot } from '../gis/planning/rank';
import type { PlannedBuild } from '../gis/planning/builds';
import type { ReachBuild, ReachPlan } from '../gis/planning/reach';

// ---- Snapshots and the monthly report (data/report) ----

export const REPORT_FORMATS = ['pdf', 'xlsx', 'csv', 'geojson', 'gpkg'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface SnapshotInfo {
  runId: number;
  label: string;
  /** YYYY-MM. */
  month: string;
  /** Date of the data, YYYY-MM-DD. */
  date: string;
  createdAt: string;
  settlements: number;
  synthetic: boolean;
}

export interface SnapshotRate {
  /** Eligible settlements (≥ minHouseholds) and their households. */
  settlements: number;
  households: number;
  mobileCovered: number;
  broadbandCovered: number;
  /** Rates by count, as the campaign counts them; null with no eligible settlement. */
  mobile: number | null;
  broadband: number | null;
  blindSpots: number;
}

export interface GroupChange {
  /** County name, or `county/township/village` for villages; '' for the city. */
  key: string;
  before: SnapshotRate;
  after: SnapshotRate;
  /** Settlement ids: blind spot before, eligible and covered by both now. */
  newlyCovered: string[];
  /** Eligible and covered by both before, blind spot now. */
  newlyLost: string[];
  /** Blind spot before and now. */
  stillUncovered: string[];
  /** Blind spot now, absent or not eligible before (new or grown settlements). */
  newBlind: string[];
}

export interface SnapshotDiff {
  before: { label: string; month: string; date: string };
  after: { label: string; month: string; date: string };
  city: GroupChange;
  counties: GroupChange[];
  /** Listed key villages only, in the order of the later snapshot's list. */
  listedVillages: (GroupChange & { category: string })[];
}

export interface RateRow {
  /** County name or `county/township/village`. */
  key: string;
  county: string;
  township: string;
  village: string;
  focus: boolean;
  leader: string | null;
  category: string;
  settlements: number;
  households: number;
  mobile: number | null;
  mobilePrevious: number | null;
  broadband: number | null;
  broadbandPrevious: number | null;
  mobileMet: boolean | null;
  broadbandMet: boolean | null;
  /** Blind spots closed since the previous snapshot (0 without one), opened again, and open now. */
  closed: number;
  lost: number;
  remaining: number;
}

export interface BlindSpotRow extends BlindSpot {
  /** Not a blind spot in the previous snapshot. */
  isNew: boolean;
}

export interface TrendPoint { month: string; label: string; mobile: number | null; broadband: number | null }

export interface MonthlyReport {
  month: string;
  monthZh: string;
  label: string;
  date: string;
  previous: { label: string; month: string; date: string } | null;
  synthetic: boolean;
  targets: { mobile: number; broadband: number; minHouseholds: number };
  city: RateRow;
  counties: RateRow[];
  listedVillages: RateRow[];
  blindSpots: BlindSpotRow[];
  /** Open ledger items whose deadline falls on or before the month's end (overdue ones included). */
  ledgerDue: LedgerItem[];
  /** Rates month by month up to this month (one snapshot per month), for the trend charts. */
  trend: { city: TrendPoint[]; counties: Record<string, TrendPoint[]> };
  /** YYYY-MM-25: the report goes to the city by then. */
  dueDate: string;
  reminder: string;
}

export interface MonthlyReportView extends MonthlyReport {
  /** Set when the month has no snapshot and today's analysis stands in for it. */
  note: string | null;
  /** When the month's report was last exported from this workspace (any format), or null. */
  exportedAt: string | null;
}

// ---- Exports ----

/**
 * `out` is filled in by the transport, never by the page: the browser-mode server writes into its private
 * export folder, Electron's main process where the user chose in a save dialog, the CLI where it was told.
 */
export interface ReportExportRequest { month: string; format: ReportFormat; out?: string }
export interface MapExportRequest { county?: string; month?: string; dpi: number; paper: 'A3' | 'A4'; out?: string }
export interface ScenarioExportRequest { name: string; builds: PlannedBuildData[]; out?: string }
export interface LedgerExportRequest { filter?: LedgerFilter; out?: string }

export interface ExportedFile {
  /** The file's name as offered to the user. */
  fileName: string;
  bytes: number;
  /** Browser mode: a same-origin URL (GET) that downloads the file once or more until the server stops. */
  url?: string;
  /** Electron and CLI: where the file was written. */
  path?: string;
}

/** Default file names (Chinese, dated) for each export, shared by the save dialog and downloads. */
export function exportFileName(kind: 'report' | 'map' | 'scenario' | 'ledger', request: Partial<ReportExportRequest & MapExportRequest & ScenarioExportRequest>): string {
  const safe = (s: string) => s.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 60);
  switch (kind) {
    case 'report': {
      const ext = request.format === 'csv' || request.format === 'geojson' ? 'zip' : request.format ?? 'xlsx';
      return `月报_${request.month ?? ''}.${ext}`;
    }
    case 'map':
      return `覆盖图_${safe(request.county ?? '赣州市')}_${request.paper ?? 'A3'}_${request.dpi ?? 150}dpi.png`;
    case 'scenario':
      return `规划方案_${safe(request.name ?? '方案')}.geojson`;
    case 'ledger':
      return '整改台账.xlsx';
  }
}

// ---- Planning (gis/planning) ----

/** Planned builds and reach-the-target plans travel as the planner's own plain data. */
export type PlannedBuildData = PlannedBuild;

export type PlanScopeRequest = { county: string } | { village: string };

export type ReachBuildData = ReachBuild;
export type ReachPlanData = ReachPlan;

export interface TowerPlanRequest { county?: string; village?: string; k?: number; budget?: number; objective?: 'households' | 'settlements' }

export interface TowerPlanData {
  candidates: number;
  gapSettlements: number;
  gapHouseholds: number;
  chosen: { order: number; build: PlannedBuildData; newSettlements: number; newHouseholds: number; settlementIds: string[] }[];
  cost: number;
  rule: 'greedy' | 'best-single' | 'cardinality';
  counties: Record<string, { before: GroupRate; after: GroupRate }>;
  listedVillages: Record<string, { before: GroupRate; after: GroupRate }>;
}

export type { RankPartKey } from '../gis/planning/rank';

/** A ranked blind spot as the app receives it: the planner's record without its internal row index. */
export type RankedBlindSpotData = Omit<RankedBlindSpot, 'index'>;

export interface ScenarioData { name: string; builds: PlannedBuildData[] }

export interface ScenarioOutcome {
  cost: number;
  builds: number;
  city: GroupRate;
  counties: Record<string, GroupRate>;
  villages: Record<string, GroupRate>;
}

export interface ScenarioComparisonRow {
  scenario: string;
  cost: number;
  builds: number;
  city: GroupRate;
  counties: Record<string, GroupRate>;
}

// ---- Rectification ledger (data/ledger) ----

export const LEDGER_MEASURES = ['新建基站', '光纤延伸', '维修', '其他'] as const;
export type LedgerMeasure = (typeof LEDGER_MEASURES)[number];
export const LEDGER_STATUSES = ['待整改', '整改中', '已销号'] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

export type LedgerEvidence =
  | { kind: 'analysis'; analyzedAt: string; settlementId: string; mobileOperators: Operator[]; broadbandOperators: Operator[]; recordedAt: string }
  | { kind: 'field'; date: string; person: string; measurement: string; recordedAt: string };

export interface LedgerItem {
  itemId: string;
  settlementId: string;
  operator: Operator | null;
  measure: LedgerMeasure;
  responsible: string;
  deadline: string | null;
  status: LedgerStatus;
  evidence: LedgerEvidence[];
  createdAt: string;
  updatedAt: string;
  overdue: boolean;
}

/** A ledger item with its settlement's name and place, for lists. */
export interface LedgerRow extends LedgerItem {
  name: string;
  county: string;
  township: string;
  village: string;
  households: number;
}

export interface LedgerFilter { status?: LedgerStatus; overdue?: boolean; settlementId?: string; county?: string }

export interface LedgerNewItem {
  settlementId: string;
  operator?: Operator | null;
  measure: LedgerMeasure;
  responsible: string;
  deadline?: string | null;
}

export interface LedgerPatch {
  operator?: Operator | null;
  measure?: LedgerMeasure;
  responsible?: string;
  deadline?: string | null;
  status?: '待整改' | '整改中';
}

/** Closing evidence from the page: the latest analysis (run by the back end) or a field verification. */
export type LedgerCloseEvidence =
  | { kind: 'analysis' }
  | { kind: 'field'; date: string; person: string; measurement: string };

export interface LedgerAuditRow { who: string; at: string; field: string; before: string | null; after: string | null }
