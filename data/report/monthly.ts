// The monthly report (月报): for one month, per county and listed village, this month against the previous
// snapshot, blind spots closed and remaining, ledger items due, and the reminder that it is due by the 25th.
import type { County } from '../../api/contract';
import type { BlindSpotRow, MonthlyReport, RateRow, TrendPoint } from '../../api/reports';
import type { LedgerItem } from '../ledger';
import { chinaDate } from '../ledger';
import { countyOf, diffSnapshots, snapshotRates, type GroupChange, type SnapshotRate } from './diff';
import { COMMITTEE, isBlind, MOBILE, BROADBAND, monthEnd, monthLabelZh, statusAt, type Snapshot } from './snapshot';

// The report's shapes are part of the API (the app shows them): one definition, in api/reports.ts.
export type { BlindSpotRow, MonthlyReport, RateRow, TrendPoint } from '../../api/reports';

export interface MonthlyInput {
  current: Snapshot;
  previous: Snapshot | null;
  counties: readonly County[];
  ledger?: readonly LedgerItem[];
  /** Earlier snapshots for the trend (any order; later months and duplicates of a month are ignored). */
  history?: readonly Snapshot[];
  now?: Date;
}

/** One point per month up to `current` (the last snapshot given for a month wins; `current` wins its month). */
export function trendSeries(history: readonly Snapshot[], current: Snapshot): MonthlyReport['trend'] {
  const byMonth = new Map<string, Snapshot>();
  for (const s of history) if (s.month < current.month) byMonth.set(s.month, s);
  byMonth.set(current.month, current);
  const city: TrendPoint[] = [];
  const counties: Record<string, TrendPoint[]> = {};
  for (const snap of [...byMonth.values()].sort((a, b) => a.month.localeCompare(b.month))) {
    const r = snapshotRates(snap);
    const point = (x: SnapshotRate): TrendPoint => ({ month: snap.month, label: snap.label, mobile: x.mobile, broadband: x.broadband });
    city.push(point(r.city));
    for (const [name, x] of r.counties) (counties[name] ??= []).push(point(x));
  }
  return { city, counties };
}

/** `2020-06` → `2020-06-25`. */
export function reportDueDate(month: string): string {
  return `${month}-25`;
}

/** The reminder sentence; counts days left when `today` (China date) is in the report's month. */
export function dueReminder(month: string, today: string): string {
  const due = reportDueDate(month);
  const base = `月报须于每月25日前报送市里：${monthLabelZh(month)}月报截止 ${due}。`;
  if (today.slice(0, 7) !== month) return base;
  const days = Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (days > 0) return `${base}还剩 ${days} 天。`;
  if (days === 0) return `${base}今天截止。`;
  return `${base}已逾期 ${-days} 天。`;
}

function row(key: string, after: SnapshotRate, change: GroupChange | null, targets: MonthlyReport['targets'], extra: Partial<RateRow>): RateRow {
  const [county = '', township = '', village = ''] = key.split('/');
  return {
    key, county, township, village, focus: false, leader: null, category: '',
    settlements: after.settlements, households: after.households,
    mobile: after.mobile, mobilePrevious: change ? change.before.mobile : null,
    broadband: after.broadband, broadbandPrevious: change ? change.before.broadband : null,
    mobileMet: after.mobile === null ? null : after.mobile >= targets.mobile,
    broadbandMet: after.broadband === null ? null : after.broadband >= targets.broadband,
    closed: change ? change.newlyCovered.length : 0,
    lost: change ? change.newlyLost.length : 0,
    remaining: after.blindSpots,
    ...extra,
  };
}

export function buildMonthlyReport(input: MonthlyInput): MonthlyReport {
  const { current, previous } = input;
  const targets = {
    mobile: current.options.targetMobile, broadband: current.options.targetBroadband, minHouseholds: current.options.minHouseholds,
  };
  const rates = snapshotRates(current);
  const diff = previous ? diffSnapshots(previous, current) : null;
  const countyChanges = new Map(diff?.counties.map((c) => [c.key, c]));
  const villageChanges = new Map(diff?.listedVillages.map((c) => [c.key, c]));
  // Focus counties first, by quota as the key-village list orders them (于都县, 宁都县, 兴国县, 赣县区), then code order.
  const ordered = [...input.counties.filter((c) => c.focus).sort((a, b) => b.quota - a.quota), ...input.counties.filter((c) => !c.focus)];
  const seedOrder = new Map(ordered.map((c, i) => [c.name, i]));
  const countyInfo = new Map(input.counties.map((c) => [c.name, c]));

  const counties = [...rates.counties.entries()]
    .map(([name, r]) => row(name, r, diff ? (countyChanges.get(name) ?? null) : null, targets, {
      county: name, township: '', village: '', focus: countyInfo.get(name)?.focus ?? false, leader: countyInfo.get(name)?.leader ?? null,
    }))
    .sort((a, b) => (seedOrder.get(a.key) ?? 99) - (seedOrder.get(b.key) ?? 99) || a.key.localeCompare(b.key, 'zh-CN'));

  const listedVillages = current.listed.map(({ village, category }) => {
    const key = current.villages[village];
    const r = rates.villages.get(key) as SnapshotRate;
    return row(key, r, diff ? (villageChanges.get(key) ?? null) : null, targets, {
      category, focus: countyInfo.get(countyOf(key))?.focus ?? false,
    });
  }).sort((a, b) => (seedOrder.get(a.county) ?? 99) - (seedOrder.get(b.county) ?? 99) || a.key.localeCompare(b.key, 'zh-CN'));

  const listedSet = new Set(current.listed.map((l) => l.village));
  const before = new Map<string, number>();
  if (previous) previous.ids.forEach((id, i) => before.set(id, statusAt(previous, i)));
  const blindSpots: BlindSpotRow[] = [];
  for (let i = 0; i < current.ids.length; i++) {
    const bits = statusAt(current, i);
    if (!isBlind(bits)) continue;
    const key = current.villages[current.village[i]];
    const [county, township, village] = key.split('/');
    const then = before.get(current.ids[i]);
    blindSpots.push({
      id: current.ids[i], name: current.names[i], county, township, village, households: current.households[i],
      lon: current.lon[i] / 1e5, lat: current.lat[i] / 1e5,
      missingMobile: !(bits & MOBILE), missingBroadband: !(bits & BROADBAND), committee: (bits & COMMITTEE) !== 0,
      listed: listedSet.has(current.village[i]), focusCounty: countyInfo.get(county)?.focus ?? false,
      isNew: previous !== null && (then === undefined || !isBlind(then)),
    });
  }
  blindSpots.sort((a, b) => b.households - a.households || a.id.localeCompare(b.id));

  const end = monthEnd(current.month);
  const ledgerDue = (input.ledger ?? []).filter((i) => i.status !== '已销号' && i.deadline !== null && i.deadline <= end)
    .sort((a, b) => (a.deadline as string).localeCompare(b.deadline as string) || a.itemId.localeCompare(b.itemId));

  return {
    month: current.month, monthZh: monthLabelZh(current.month), label: current.label, date: current.date,
    previous: diff ? diff.before : null, synthetic: current.synthetic || (previous?.synthetic ?? false), targets,
    city: row('', rates.city, diff?.city ?? null, targets, { county: '全市', township: '', village: '' }),
    counties, listedVillages, blindSpots, ledgerDue,
    trend: trendSeries([...(input.history ?? []), ...(previous ? [previous] : [])], current),
    dueDate: reportDueDate(current.month),
    reminder: dueReminder(current.month, chinaDate(input.now ?? new Date())),
  };
}
