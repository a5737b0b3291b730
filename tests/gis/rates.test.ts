// The rates from grouped columns (groupSettlements + groupRates) against a reference that adds settlement by
// settlement into groups keyed by name, as the report defines them; and groupRatesJson byte for byte against
// JSON.stringify of the rates. Tables are random, with the names that break naive code: joined keys that collide,
// escapes, surrogates, empty townships, groups without an eligible settlement.
import { describe, expect, it } from 'vitest';
import {
  buildSettlementTable, campaignMatcher, groupRates, groupRatesJson, groupSettlements, IssueList, OPERATORS, OPERATOR_BIT,
  requiredCount, summarizeRates, type AnalysisOptions, type CampaignContext, type Feature, type GroupRate, type LayerRate,
  type SettlementTable,
} from '../../gis';
import { ascii, NUMBER_BOUND, putNumber, putString, stringBound } from '../../gis/json-bytes';
import { mulberry32 } from './helpers';

const CAMPAIGN: CampaignContext = {
  counties: [
    { name: '于都县', focus: true, leader: '周光仁' },
    { name: '宁都县', focus: true, leader: null },
    { name: '章贡区', focus: false, leader: null },
  ],
  listedVillages: [
    { code: '360731105201', county: '于都县', township: '贡江镇', officialName: '红卫村委会', listedName: '红卫村', listedTownship: '贡江镇', category: '深度贫困村' },
    { code: null, county: '宁都县', township: '黄陂镇', officialName: null, listedName: '"引号"村', listedTownship: '黄陂镇', category: '一般村' },
    { code: '360730111222', county: '宁都县', township: 'A/B', officialName: 'C村', listedName: 'C村', listedTownship: 'A/B', category: '深度贫困村\n' },
  ],
};

// Joined keys collide: 宁都县/A + B/C村 and 宁都县/A/B + C村 are one village key, two townships.
const PLACES: [string, string, string, string?][] = [
  ['于都县', '贡江镇', '红卫村委会', '360731105201'],
  ['于都县', '贡江镇', '红卫村'],
  ['于都县', '', '红卫村'],
  ['宁都县', '黄陂镇', '"引号"村'],
  // Listed by code alone; listed by name, but the code names another listed village (the code wins).
  ['于都县', '贡江镇', '别名村', '360731105201'],
  ['宁都县', '黄陂镇', '"引号"村', '360730111222'],
  ['宁都县', 'A/B', 'C村', '360730111222'],
  ['宁都县', 'A', 'B/C村'],
  ['章贡区', '南外街道', 'back\\slash'],
  ['章贡区', '南外街道', '😀 emoji'],
  ['章贡区', '\ud800lone', '村'],
  ['寻乌县', '澄江镇', '空村'],
];

function randomTable(seed: number, n: number): { table: SettlementTable; mobile: Uint8Array; broadband: Uint8Array } {
  const r = mulberry32(seed);
  const features: Feature[] = Array.from({ length: n }, (_, i) => {
    const [county, township, village, code] = PLACES[Math.floor(r() * PLACES.length)];
    // 空村 never has an eligible settlement: its rates are null, with a note.
    const households = village === '空村' ? Math.floor(r() * 25) : Math.floor(r() * 60);
    return {
      type: 'Feature', geometry: { type: 'Point', coordinates: [114 + r(), 25 + r()] },
      properties: { id: `S${i}`, name: `聚居区${i}`, households, county, township, village, ...(code && r() < 0.8 ? { code } : {}), committee: r() < 0.2 },
    };
  });
  const issues = new IssueList();
  const table = buildSettlementTable('s', features, issues);
  expect(issues.count).toBe(0);
  return { table, mobile: Uint8Array.from({ length: n }, () => Math.floor(r() * 8)), broadband: Uint8Array.from({ length: n }, () => Math.floor(r() * 8)) };
}

/** The rates as the report defines them: every settlement added to its city, county, township and village, by name. */
function referenceRates(table: SettlementTable, mobile: Uint8Array, broadband: Uint8Array, campaign: CampaignContext, o: AnalysisOptions) {
  const match = campaignMatcher(campaign);
  type Totals = { all: number; eligible: number; households: number; m: number[]; b: number[] };
  const fresh = (): Totals => ({ all: 0, eligible: 0, households: 0, m: new Array(8).fill(0), b: new Array(8).fill(0) });
  const add = (t: Totals, hh: number, mm: number, bm: number) => {
    t.all++;
    if (hh < o.minHouseholds) return;
    t.eligible++;
    t.households += hh;
    for (const [layer, mask] of [[t.m, mm], [t.b, bm]] as const) {
      if (!mask) continue;
      layer[0]++;
      layer[1] += hh;
      OPERATORS.forEach((op, k) => {
        if (mask & OPERATOR_BIT[op]) {
          layer[2 + 2 * k]++;
          layer[3 + 2 * k] += hh;
        }
      });
    }
  };
  const city = fresh();
  const groups = { counties: new Map<string, Totals>(), townships: new Map<string, Totals>(), villages: new Map<string, Totals>() };
  const category = new Map<string, string>();
  for (let i = 0; i < table.count; i++) {
    const [c, t, v] = [table.county[i], table.township[i], table.village[i]];
    add(city, table.households[i], mobile[i], broadband[i]);
    for (const [map, key] of [[groups.counties, c], [groups.townships, `${c}/${t}`], [groups.villages, `${c}/${t}/${v}`]] as const) {
      if (!map.has(key)) map.set(key, fresh());
      add(map.get(key)!, table.households[i], mobile[i], broadband[i]);
    }
    const listed = match.listedVillage(table.code[i], c, t, v);
    if (listed) category.set(`${c}/${t}/${v}`, listed.category);
  }
  const layer = (l: number[], s: number, h: number, target: number): LayerRate => {
    const op = (covered: number, coveredHouseholds: number) => ({
      covered, coveredHouseholds, rate: s === 0 ? null : covered / s, householdRate: s === 0 || h === 0 ? null : coveredHouseholds / h,
    });
    const need = s === 0 ? null : requiredCount(target, s);
    const needHh = s === 0 ? null : requiredCount(target, h);
    return {
      ...op(l[0], l[1]), target, met: need === null ? null : l[0] >= need,
      shortfall: need === null ? null : Math.max(0, need - l[0]),
      householdShortfall: needHh === null ? null : Math.max(0, needHh - l[1]),
      byOperator: Object.fromEntries(OPERATORS.map((o, k) => [o, op(l[2 + 2 * k], l[3 + 2 * k])])) as LayerRate['byOperator'],
    };
  };
  const rate = (t: Totals): GroupRate => ({
    settlements: t.eligible, households: t.households, allSettlements: t.all,
    mobile: layer(t.m, t.eligible, t.households, o.targetMobile), broadband: layer(t.b, t.eligible, t.households, o.targetBroadband),
    ...(t.eligible === 0 ? { note: '无符合条件的聚居区，不计覆盖率 (no eligible settlement: no rate)' } : {}),
  });
  const record = (map: Map<string, Totals>, decorate: (key: string) => Partial<GroupRate> = () => ({})) =>
    Object.fromEntries([...map.keys()].sort(new Intl.Collator('zh-CN').compare).map((key) => [key, { ...rate(map.get(key)!), ...decorate(key) }]));
  return {
    city: rate(city),
    counties: record(groups.counties, (name) => {
      const c = match.county(name);
      return c?.focus ? { focus: true, ...(c.leader ? { leader: c.leader } : {}) } : {};
    }),
    townships: record(groups.townships),
    villages: record(groups.villages, (key) => (category.has(key) ? { listed: true, listedCategory: category.get(key)! } : {})),
  };
}

const OPTIONS: AnalysisOptions = { minHouseholds: 25, targetMobile: 0.95, targetBroadband: 0.75, mobileTechs: ['4G'] };

describe('groupRates', () => {
  it('equals settlement-by-settlement sums by name, for random tables with colliding and awkward names', () => {
    for (const [seed, n] of [[1, 0], [2, 1], [3, 7], [4, 300], [5, 5000]]) {
      const { table, mobile, broadband } = randomTable(seed, n);
      const rates = groupRates(groupSettlements(table, CAMPAIGN), table.households, mobile, broadband, OPTIONS);
      expect(rates).toEqual(referenceRates(table, mobile, broadband, CAMPAIGN, OPTIONS));
      expect(Object.keys(rates.villages)).toEqual(Object.keys(referenceRates(table, mobile, broadband, CAMPAIGN, OPTIONS).villages));
      if (n >= 300) {
        // The collision is there: one village key, two township keys.
        expect(rates.townships['宁都县/A/B'].allSettlements + rates.townships['宁都县/A'].allSettlements).toBe(rates.villages['宁都县/A/B/C村'].allSettlements);
        expect(rates.villages['寻乌县/澄江镇/空村'].mobile.rate).toBeNull();
        expect(rates.counties['宁都县']).toMatchObject({ focus: true });
        expect(rates.counties['宁都县']).not.toHaveProperty('leader', expect.anything());
      }
    }
  });

  it('summarizeRates lists the committee seats of listed villages and flags each settlement', () => {
    const { table, mobile, broadband } = randomTable(9, 2000);
    const { report, columns } = summarizeRates(table, mobile, broadband, CAMPAIGN, OPTIONS, { settlements: 2000, mobilePolygons: 0, broadbandPolygons: 0 });
    const match = campaignMatcher(CAMPAIGN);
    const listed = (i: number) => match.listedVillage(table.code[i], table.county[i], table.township[i], table.village[i]);
    const seats = [...Array(table.count).keys()].filter((i) => listed(i) && table.committee[i] === 1);
    expect(report.committeeSeats.seats.map((s) => s.id)).toEqual(seats.map((i) => table.id[i]));
    expect(report.committeeSeats.seats.every((s, k) => s.mobile === (mobile[seats[k]] !== 0))).toBe(true);
    expect(report.committeeSeats.listedVillagesWithoutSeat).toEqual([]);
    expect(Array.from(columns.listed)).toEqual([...Array(table.count).keys()].map((i) => (listed(i) ? 1 : 0)));
    expect(Array.from(columns.focus)).toEqual([...Array(table.count).keys()].map((i) => (match.county(table.county[i])?.focus ? 1 : 0)));
  });

  it('refuses masks shorter than the table', () => {
    const { table } = randomTable(1, 10);
    expect(() => groupRates(groupSettlements(table, CAMPAIGN), table.households, new Uint8Array(9), new Uint8Array(10), OPTIONS)).toThrow(/10 settlements/);
  });
});

describe('groupRatesJson', () => {
  it('writes JSON.stringify(groupRates(...)) byte for byte', () => {
    for (const [seed, n] of [[1, 0], [2, 1], [3, 7], [4, 300], [5, 5000]]) {
      const { table, mobile, broadband } = randomTable(seed, n);
      for (const options of [OPTIONS, { ...OPTIONS, minHouseholds: 0, targetMobile: 1, targetBroadband: 1 / 3 }]) {
        const groups = groupSettlements(table, CAMPAIGN);
        const bytes = groupRatesJson(groups, table.households, mobile, broadband, options);
        expect(Buffer.from(bytes).toString('utf8')).toBe(JSON.stringify(groupRates(groups, table.households, mobile, broadband, options)));
      }
    }
  });
});

describe('json-bytes', () => {
  const encode = (write: (out: Uint8Array, p: number) => number, bound: number) => {
    const out = new Uint8Array(bound + 8);
    return Buffer.from(out.subarray(0, write(out, 0))).toString('utf8');
  };

  it('putString writes what JSON.stringify writes, escapes and lone surrogates included', () => {
    for (const s of ['', '刘屋', 'a"b', 'back\\slash', 'tab\tnew\nline\u001f', '😀', '\ud800', 'x\udc00y', '\u2028\u2029', 'é ñ']) {
      expect(encode((out, p) => putString(s, out, p), stringBound(s.length))).toBe(JSON.stringify(s));
    }
  });

  it('putNumber writes what JSON.stringify writes', () => {
    const r = mulberry32(3);
    const values = [0, -0, 1, -1, 0.5, 1e-7, 123456789.123456, 1e9, 1e21, 1 / 3, 2 / 3, -114.123456, 25.1, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE];
    for (let k = 0; k < 2000; k++) values.push(Math.round(r() * 1e12) / 1e6, (r() - 0.5) * 10 ** Math.floor(r() * 30 - 10), Math.floor(r() * 100) / Math.ceil(r() * 100));
    for (const v of values) expect(encode((out, p) => putNumber(v, out, p), NUMBER_BOUND)).toBe(JSON.stringify(v));
  });

  it('ascii keeps code units below 0x100', () => {
    expect(Array.from(ascii('{"a":1}'))).toEqual(Array.from(Buffer.from('{"a":1}')));
  });
});
