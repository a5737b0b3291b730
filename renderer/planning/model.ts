// Pure helpers behind the 规划, 台账 and 报告 tabs: scenario layers for the map, plan summaries, the report
// reminder, the trend chart's geometry and the ledger's default measure. No DOM, no API: unit-tested.
import type {
  BlindSpot, LedgerMeasure, LedgerRow, LedgerStatus, PlannedBuildData, ReachPlanData, TrendPoint,
} from '../../api/contract';
import type { Feature, FeatureCollection } from '../../gis/types';

/** A scenario's builds for the map: their polygons (coverage added) and one point per build (the site or the splice). */
export function scenarioLayer(builds: readonly PlannedBuildData[]): FeatureCollection {
  const features: Feature[] = [];
  builds.forEach((b, k) => {
    const props = { build: b.id, kind: b.kind, label: b.label, order: k + 1, cost: b.cost, operator: b.operator };
    for (const f of b.features) features.push({ type: 'Feature', geometry: f.geometry, properties: { ...props, part: 'area' } });
    features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [b.lon, b.lat] }, properties: { ...props, part: 'site' } });
  });
  return { type: 'FeatureCollection', features };
}

export interface PlanSummary {
  towers: number;
  towerCost: number;
  fiber: number;
  fiberCost: number;
  mobileSettlements: number;
  mobileHouseholds: number;
  broadbandSettlements: number;
  broadbandHouseholds: number;
  cost: number;
}

/** Totals by kind, as the headline shows them. */
export function planSummary(plan: ReachPlanData): PlanSummary {
  const s: PlanSummary = { towers: 0, towerCost: 0, fiber: 0, fiberCost: 0, mobileSettlements: 0, mobileHouseholds: 0, broadbandSettlements: 0, broadbandHouseholds: 0, cost: plan.cost };
  for (const b of plan.builds) {
    if (b.build.kind === 'tower') {
      s.towers++;
      s.towerCost += b.build.cost;
    } else {
      s.fiber++;
      s.fiberCost += b.build.cost;
    }
    s.mobileSettlements += b.mobileSettlements;
    s.mobileHouseholds += b.mobileHouseholds;
    s.broadbandSettlements += b.broadbandSettlements;
    s.broadbandHouseholds += b.broadbandHouseholds;
  }
  return s;
}

/** Yuan in 万元 with one decimal, as the CLI prints it (295,123 → "29.5 万元"); English: "¥295.1k". */
export function formatYuan(yuan: number, lang: 'zh-CN' | 'en'): string {
  return lang === 'en' ? `¥${(yuan / 1000).toFixed(1)}k` : `${(yuan / 10_000).toFixed(1)} 万元`;
}

/** Whole days from `today` to `due` (both YYYY-MM-DD); negative once past. */
export function daysBetween(today: string, due: string): number {
  return Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

/**
 * The banner: shown from `window` days before the 25th through the 25th itself, and after it while late,
 * until the month's report has been exported. Null when nothing is due.
 */
export function dueBanner(today: string, exportedAt: string | null, window = 5): { month: string; due: string; days: number } | null {
  const month = today.slice(0, 7);
  const due = `${month}-25`;
  const days = daysBetween(today, due);
  if (exportedAt !== null || days > window) return null;
  return { month, due, days };
}

/** Today in China Standard Time (UTC+8), YYYY-MM-DD: the 25th is the city's date, not the viewer's. */
export function chinaToday(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** What a blind spot needs, as a ledger measure: no 4G → a tower; broadband only → fiber. */
export function defaultMeasure(s: Pick<BlindSpot, 'missingMobile' | 'missingBroadband'>): LedgerMeasure {
  return s.missingMobile ? '新建基站' : '光纤延伸';
}

export function filterLedger(rows: readonly LedgerRow[], status: LedgerStatus | 'all' | 'overdue'): LedgerRow[] {
  if (status === 'all') return [...rows];
  if (status === 'overdue') return rows.filter((r) => r.overdue);
  return rows.filter((r) => r.status === status);
}

export interface ChartSeries { name: string; color: string; points: TrendPoint[]; key: 'mobile' | 'broadband' }

export interface ChartGeometry {
  width: number;
  height: number;
  /** x positions of the months, with their labels. */
  ticks: { x: number; label: string }[];
  /** y of a rate (0..1). */
  y: (rate: number) => number;
  lines: { name: string; color: string; path: string; dots: { x: number; y: number; rate: number }[] }[];
  /** Horizontal target lines. */
  targets: { y: number; label: string }[];
  yTicks: { y: number; label: string }[];
}

/**
 * Geometry of a small line chart of rates by month against target lines. The y axis starts at the lowest
 * rate or target rounded down to 10 %, so a county at 70–97 % is not squashed against 100 %.
 */
export function trendChart(series: readonly ChartSeries[], targets: { rate: number; label: string }[], width = 560, height = 200): ChartGeometry {
  const pad = { left: 40, right: 34, top: 10, bottom: 24 };
  const months = [...new Set(series.flatMap((s) => s.points.map((p) => p.month)))].sort();
  const labels = new Map(series.flatMap((s) => s.points.map((p) => [p.month, p.label] as const)));
  const values = [...series.flatMap((s) => s.points.map((p) => p[s.key]).filter((v): v is number => v !== null)), ...targets.map((t) => t.rate)];
  const lo = values.length ? Math.max(0, Math.floor(Math.min(...values) * 10) / 10) : 0;
  const hi = 1;
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const x = (i: number) => pad.left + (months.length <= 1 ? innerW / 2 : (i / (months.length - 1)) * innerW);
  const y = (rate: number) => pad.top + (1 - (rate - lo) / (hi - lo || 1)) * innerH;
  const index = new Map(months.map((m, i) => [m, i]));
  const lines = series.map((s) => {
    const dots = s.points.filter((p) => p[s.key] !== null).map((p) => ({ x: x(index.get(p.month)!), y: y(p[s.key]!), rate: p[s.key]! }));
    const path = dots.map((d, i) => `${i ? 'L' : 'M'}${d.x.toFixed(1)},${d.y.toFixed(1)}`).join('');
    return { name: s.name, color: s.color, path, dots };
  });
  const yTicks: ChartGeometry['yTicks'] = [];
  for (let r = lo; r <= hi + 1e-9; r += 0.1) yTicks.push({ y: y(r), label: `${Math.round(r * 100)}%` });
  return {
    width, height, y, lines, yTicks,
    ticks: months.map((m, i) => ({ x: x(i), label: labels.get(m) ?? m })),
    targets: targets.map((t) => ({ y: y(t.rate), label: t.label })),
  };
}

/** The bounding box of a scenario's builds (their polygons), or null without builds. */
export function scenarioBbox(builds: readonly PlannedBuildData[]): [number, number, number, number] | null {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const b of builds) {
    for (const f of b.features) {
      for (const ring of f.geometry.coordinates) {
        for (const [x, y] of ring) {
          if (x < minX) minX = x;
          if (y < minY) minY = y;
          if (x > maxX) maxX = x;
          if (y > maxY) maxY = y;
        }
      }
    }
  }
  return minX <= maxX ? [minX, minY, maxX, maxY] : null;
}
