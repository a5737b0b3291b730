// Which county, township and village each settlement's rates add to, and what the campaign says of it: the part
// of the rates that reads names. Computed once per settlement table, it leaves the rates themselves to sums over
// typed arrays (gis/rates.ts), which any thread can take once the coverage masks are known.
import { campaignMatcher, type CampaignContext, type CampaignVillage } from './campaign';
import { StringDictionary } from './dictionary';
import type { SettlementTable } from './settlement-table';

export interface SettlementGroups {
  /** Per settlement: its cell, one distinct county/township/village triple. */
  cell: Int32Array;
  /** Per cell: the county, township and village group it adds to (groups are keyed by their joined names). */
  cellCounty: Int32Array;
  cellTownship: Int32Array;
  cellVillage: Int32Array;
  /** Group keys as the report's rates records name them (于都县, 于都县/贡江镇, 于都县/贡江镇/红卫村), in zh-CN order. */
  countyKeys: string[];
  townshipKeys: string[];
  villageKeys: string[];
  /** Per county group: 1 for a focus county; its supervising leader (null when it has none, or is not one). */
  countyLeader: (string | null)[];
  countyFocus: Uint8Array;
  /** Per village group: the category of the listed village its settlements matched (the last one, in table order). */
  villageCategory: (string | null)[];
  /** Per settlement: 1 in a listed key village; 1 in a focus county. */
  listed: Uint8Array;
  focus: Uint8Array;
  /** Settlements that are the committee seat of a listed village, in table order. */
  seats: Int32Array;
  /** Listed villages (county + township + name as the campaign lists them) without a committee seat among the settlements. */
  listedVillagesWithoutSeat: string[];
}

/** Groups `table`'s settlements and matches them against the campaign's lists. */
export function groupSettlements(table: SettlementTable, campaign: CampaignContext): SettlementGroups {
  const match = campaignMatcher(campaign);
  const n = table.count;
  const cell = new Int32Array(n);
  const listed = new Uint8Array(n);
  const focus = new Uint8Array(n);
  const cellCounty: number[] = [];
  const cellTownship: number[] = [];
  const cellVillage: number[] = [];
  const cellFocus: boolean[] = [];
  const cellListed: (CampaignVillage | null)[] = [];
  const counties = new StringDictionary();
  const townships = new StringDictionary();
  const villages = new StringDictionary();
  /** Village group → the category of the listed village its settlements matched last. */
  const categories = new Map<number, string>();
  const seats: number[] = [];
  const seatedVillages = new Set<string>();
  // Settlements of one village share their cell: names are joined and matched once per village, not per settlement.
  const cells = new Map<string, Map<string, Map<string, number>>>();
  const cellOf = (county: string, township: string, village: string): number => {
    let byTownship = cells.get(county);
    if (!byTownship) cells.set(county, (byTownship = new Map()));
    let byVillage = byTownship.get(township);
    if (!byVillage) byTownship.set(township, (byVillage = new Map()));
    let c = byVillage.get(village);
    if (c === undefined) {
      c = cellCounty.length;
      byVillage.set(village, c);
      cellCounty.push(counties.add(county));
      cellTownship.push(townships.add(`${county}/${township}`));
      cellVillage.push(villages.add(`${county}/${township}/${village}`));
      cellFocus.push(match.county(county)?.focus === true);
      cellListed.push(match.listedByName(county, township, village));
    }
    return c;
  };

  // A village's settlements usually come together: the previous row's cell and code match are tried first.
  let lastCounty: string | undefined, lastTownship: string | undefined, lastVillage: string | undefined;
  let lastCell = -1;
  let lastCode: string | undefined;
  let lastByCode: CampaignVillage | null = null;
  for (let i = 0; i < n; i++) {
    const county = table.county[i], township = table.township[i], village = table.village[i], code = table.code[i];
    if (county !== lastCounty || township !== lastTownship || village !== lastVillage) {
      lastCounty = county;
      lastTownship = township;
      lastVillage = village;
      lastCell = cellOf(county, township, village);
    }
    if (code !== lastCode) {
      lastCode = code;
      lastByCode = match.listedByCode(code);
    }
    const c = lastCell;
    cell[i] = c;
    if (cellFocus[c]) focus[i] = 1;
    const hit = lastByCode ?? cellListed[c];
    if (hit) {
      listed[i] = 1;
      categories.set(cellVillage[c], hit.category);
      if (table.committee[i] === 1) {
        seats.push(i);
        seatedVillages.add(listedKey(hit));
      }
    }
  }

  // Renumbered in the order of their keys: the rates list them in that order, and the thread that writes them
  // (often another one) then need not sort.
  const byCounty = sortedKeys(counties), byTownship = sortedKeys(townships), byVillage = sortedKeys(villages);
  const countyEntries = byCounty.keys.map((name) => match.county(name));
  return {
    cell,
    cellCounty: Int32Array.from(cellCounty, (g) => byCounty.rank[g]),
    cellTownship: Int32Array.from(cellTownship, (g) => byTownship.rank[g]),
    cellVillage: Int32Array.from(cellVillage, (g) => byVillage.rank[g]),
    countyKeys: byCounty.keys,
    townshipKeys: byTownship.keys,
    villageKeys: byVillage.keys,
    countyFocus: Uint8Array.from(countyEntries, (c) => (c?.focus ? 1 : 0)),
    countyLeader: countyEntries.map((c) => (c?.focus ? c.leader ?? null : null)),
    villageCategory: byVillage.order.map((g) => categories.get(g) ?? null),
    listed,
    focus,
    seats: Int32Array.from(seats),
    listedVillagesWithoutSeat: campaign.listedVillages
      .filter((v) => !seatedVillages.has(listedKey(v)))
      .map((v) => `${v.county}${v.listedTownship}${v.listedName}`),
  };
}

/** A listed village's identity: its code, else where and how the campaign lists it. */
function listedKey(v: CampaignVillage): string {
  return v.code ?? `${v.county}/${v.listedTownship}/${v.listedName}`;
}

/**
 * One collator for every sort: localeCompare builds one per comparison. Built on first use: loading the zh-CN
 * collation took ~7 ms, which the analysis worker (it never sorts names) paid at start-up.
 */
let zhOrder: Intl.Collator | undefined;

/** The keys of `dict` in zh-CN order; order[r]: the index of the r-th; rank[k]: where index k went. */
function sortedKeys(dict: StringDictionary): { keys: string[]; order: number[]; rank: Int32Array } {
  const keys = dict.strings;
  const collator = (zhOrder ??= new Intl.Collator('zh-CN'));
  const order = keys.map((_, k) => k).sort((a, b) => collator.compare(keys[a], keys[b]));
  const rank = new Int32Array(order.length);
  order.forEach((k, r) => (rank[k] = r));
  return { keys: order.map((k) => keys[k]), order, rank };
}
