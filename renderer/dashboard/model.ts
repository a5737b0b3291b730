// Table rows for the dashboard, derived from the analysis summary without recomputing any rate:
// the UI only orders, joins and formats what the back end reported.
import type { AnalysisSummary, BlindSpot, CampaignSeeds, County, ListedVillage } from '../../api/contract';
import type { CommitteeSeatCheck, GroupRate, LayerRate, SettlementResult } from '../../gis/report';
import type { I18n } from '../i18n/format';

export interface CountyRow {
  /** Key in report.rates.counties. */
  key: string;
  name: string;
  focus: boolean;
  leader: string | null;
  rate: GroupRate;
}

function seedFor(key: string, counties: readonly County[]): County | undefined {
  return counties.find((c) => c.name === key || c.code === key);
}

/** Focus counties first (in the seeds' order, with their supervising leader), then the others by seeds order, then by name. */
export function countyRows(report: AnalysisSummary, seeds: CampaignSeeds | null): CountyRow[] {
  const counties = seeds?.counties ?? [];
  const rows = Object.entries(report.rates.counties).map(([key, rate]): CountyRow => {
    const seed = seedFor(key, counties);
    return {
      key,
      name: seed?.name ?? key,
      focus: seed?.focus ?? rate.focus ?? false,
      leader: seed?.leader ?? rate.leader ?? null,
      rate,
    };
  });
  const order = (r: CountyRow) => {
    const i = counties.findIndex((c) => c.name === r.key || c.code === r.key);
    return i < 0 ? counties.length : i;
  };
  return rows.sort((a, b) => Number(b.focus) - Number(a.focus) || order(a) - order(b) || a.name.localeCompare(b.name, 'zh-CN'));
}

export interface RateCells {
  byCount: string;
  byHouseholds: string;
  /** 'met' / 'notMet'; null when the group has nothing to count. */
  status: 'met' | 'notMet' | null;
  shortfall: string;
}

/** Formatted cells of one layer kind; null when the group has no eligible settlement (never NaN). */
export function rateCells(rate: LayerRate, i18n: I18n): RateCells | null {
  const byCount = i18n.pct(rate.rate);
  if (byCount === null) return null;
  const byHouseholds = i18n.pct(rate.householdRate) ?? '—';
  const status = rate.met === null ? null : rate.met ? 'met' : 'notMet';
  const n = rate.shortfall ?? 0;
  const h = rate.householdShortfall ?? 0;
  // The household gap is shown only when there is one: "0 户" next to a settlement gap reads as an error.
  const shortfall = n === 0 && h === 0 ? i18n.t('noShortfall')
    : h === 0 ? i18n.t('shortfallCount', { n: i18n.int(n) })
      : i18n.t('shortfall', { n: i18n.int(n), h: i18n.int(h) });
  return { byCount, byHouseholds, status, shortfall };
}

export interface ListedRow {
  village: ListedVillage;
  rate: GroupRate | null;
  /** The village's committee seat (村委会所在地) as the 100% check saw it; null when none was found. */
  seat: CommitteeSeatCheck | null;
  /** The listing text differs from the official name by one character (名称存疑). */
  doubtful: boolean;
  matched: boolean;
}

/** Keys a village's rates may be filed under in report.rates.villages, most specific first. */
export function villageKeys(v: ListedVillage): string[] {
  const keys: string[] = [];
  if (v.code) keys.push(v.code);
  if (v.officialName) {
    keys.push(`${v.county}/${v.township}/${v.officialName}`, `${v.county}${v.township}${v.officialName}`, v.officialName);
  }
  return keys;
}

export function isDoubtful(v: ListedVillage): boolean {
  return /存疑|doubt|variant|one-character|一字/i.test(`${v.matchStatus} ${v.matchNote}`);
}

export function listedRows(seeds: CampaignSeeds, report: AnalysisSummary | null): ListedRow[] {
  const villages = report?.rates.villages ?? {};
  const seats = new Map<string, CommitteeSeatCheck>();
  for (const s of report?.committeeSeats.seats ?? []) seats.set(`${s.county}/${s.township}/${s.village}`, s);
  return seeds.listedVillages.map((village) => {
    const key = villageKeys(village).find((k) => k in villages);
    return {
      village,
      rate: key === undefined ? null : villages[key],
      seat: key === undefined ? null : seats.get(key) ?? null,
      doubtful: isDoubtful(village),
      matched: village.code !== null,
    };
  });
}

/** The blind-spot row of a settlement (as AtlasApi.blindSpots lists it), or null when it is not one. */
export function blindSpotOf(s: SettlementResult): BlindSpot | null {
  if (!s.eligible || (s.mobile && s.broadband)) return null;
  return {
    id: s.id, name: s.name, county: s.county, township: s.township, village: s.village, households: s.households,
    lon: s.lon, lat: s.lat, listed: s.listed, focusCounty: s.focusCounty, committee: s.committee,
    missingMobile: !s.mobile, missingBroadband: !s.broadband,
  };
}

export type BlindSortKey = 'households' | 'county' | 'listed' | 'name';

/** A sorted copy (ties broken by households then id so the order is stable across reloads). */
export function sortBlindSpots(list: readonly BlindSpot[], key: BlindSortKey, descending: boolean): BlindSpot[] {
  const dir = descending ? -1 : 1;
  const cmp = (a: BlindSpot, b: BlindSpot): number => {
    switch (key) {
      case 'households': return a.households - b.households;
      case 'county': return a.county.localeCompare(b.county, 'zh-CN');
      case 'listed': return Number(a.listed) - Number(b.listed);
      case 'name': return a.name.localeCompare(b.name, 'zh-CN');
    }
  };
  return [...list].sort((a, b) => dir * cmp(a, b) || b.households - a.households || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
