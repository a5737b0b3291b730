// Rates of a snapshot per group, and the change between two snapshots: per county and listed village, the
// rates then and now, and which blind spots closed, opened or stayed.
import type { GroupChange, SnapshotDiff, SnapshotRate } from '../../api/reports';
import { BROADBAND, ELIGIBLE, isBlind, MOBILE, statusAt, type Snapshot } from './snapshot';

// The shapes are part of the API (the app shows them): one definition, in api/reports.ts.
export type { GroupChange, SnapshotDiff, SnapshotRate };

export interface SnapshotRates {
  city: SnapshotRate;
  counties: Map<string, SnapshotRate>;
  /** Keyed by `county/township/village`. */
  villages: Map<string, SnapshotRate>;
}

function emptyRate(): SnapshotRate {
  return { settlements: 0, households: 0, mobileCovered: 0, broadbandCovered: 0, mobile: null, broadband: null, blindSpots: 0 };
}

function add(r: SnapshotRate, bits: number, households: number): void {
  if (!(bits & ELIGIBLE)) return;
  r.settlements++;
  r.households += households;
  if (bits & MOBILE) r.mobileCovered++;
  if (bits & BROADBAND) r.broadbandCovered++;
  if (isBlind(bits)) r.blindSpots++;
}

function finish(r: SnapshotRate): void {
  r.mobile = r.settlements ? r.mobileCovered / r.settlements : null;
  r.broadband = r.settlements ? r.broadbandCovered / r.settlements : null;
}

export function countyOf(villageKey: string): string {
  return villageKey.slice(0, villageKey.indexOf('/'));
}

/** Rates by count per city, county and village, from the status bits alone. */
export function snapshotRates(snap: Snapshot): SnapshotRates {
  const city = emptyRate();
  const counties = new Map<string, SnapshotRate>();
  const villages = new Map<string, SnapshotRate>();
  const villageRates = snap.villages.map((key) => {
    const r = emptyRate();
    villages.set(key, r);
    const county = countyOf(key);
    if (!counties.has(county)) counties.set(county, emptyRate());
    return r;
  });
  const countyRates = snap.villages.map((key) => counties.get(countyOf(key)) as SnapshotRate);
  for (let i = 0; i < snap.ids.length; i++) {
    const bits = statusAt(snap, i);
    const h = snap.households[i];
    add(city, bits, h);
    add(countyRates[snap.village[i]], bits, h);
    add(villageRates[snap.village[i]], bits, h);
  }
  finish(city);
  for (const r of counties.values()) finish(r);
  for (const r of villages.values()) finish(r);
  return { city, counties, villages };
}

function change(key: string, before: SnapshotRate | undefined, after: SnapshotRate | undefined): GroupChange {
  return { key, before: before ?? emptyRate(), after: after ?? emptyRate(), newlyCovered: [], newlyLost: [], stillUncovered: [], newBlind: [] };
}

/** Compares two snapshots settlement by settlement (matched by id). Neither input is changed. */
export function diffSnapshots(before: Snapshot, after: Snapshot): SnapshotDiff {
  const ratesBefore = snapshotRates(before);
  const ratesAfter = snapshotRates(after);
  const city = change('', ratesBefore.city, ratesAfter.city);
  const counties = new Map<string, GroupChange>();
  for (const name of new Set([...ratesBefore.counties.keys(), ...ratesAfter.counties.keys()])) {
    counties.set(name, change(name, ratesBefore.counties.get(name), ratesAfter.counties.get(name)));
  }
  const listedKeys = new Map(after.listed.map((l) => [after.villages[l.village], l.category]));
  const villages = new Map<string, GroupChange & { category: string }>();
  for (const [key, category] of listedKeys) {
    villages.set(key, { ...change(key, ratesBefore.villages.get(key), ratesAfter.villages.get(key)), category });
  }
  const beforeIndex = new Map(before.ids.map((id, i) => [id, i]));
  for (let i = 0; i < after.ids.length; i++) {
    const id = after.ids[i];
    const now = statusAt(after, i);
    const j = beforeIndex.get(id);
    const then = j === undefined ? 0 : statusAt(before, j);
    const thenCovered = (then & ELIGIBLE) !== 0 && !isBlind(then);
    let list: keyof Pick<GroupChange, 'newlyCovered' | 'newlyLost' | 'stillUncovered' | 'newBlind'> | null = null;
    if (isBlind(then) && (now & ELIGIBLE) && !isBlind(now)) list = 'newlyCovered';
    else if (thenCovered && isBlind(now)) list = 'newlyLost';
    else if (isBlind(then) && isBlind(now)) list = 'stillUncovered';
    else if (!(then & ELIGIBLE) && isBlind(now)) list = 'newBlind';
    if (!list) continue;
    const key = after.villages[after.village[i]];
    city[list].push(id);
    counties.get(countyOf(key))?.[list].push(id);
    villages.get(key)?.[list].push(id);
  }
  const meta = (s: Snapshot) => ({ label: s.label, month: s.month, date: s.date });
  return {
    before: meta(before), after: meta(after), city,
    counties: [...counties.values()].sort((a, b) => a.key.localeCompare(b.key, 'zh-CN')),
    listedVillages: [...villages.values()],
  };
}
