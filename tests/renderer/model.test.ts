// Dashboard rows, number formatting, popup content and GeoJSON conversion: pure functions of the report.
import { describe, expect, it } from 'vitest';
import type { BlindSpot, CampaignSeeds, ListedVillage } from '../../api/contract';
import { blindSpotOf, countyRows, isDoubtful, listedRows, rateCells, sortBlindSpots } from '../../renderer/dashboard/model';
import { en } from '../../renderer/i18n/en';
import { formatInt, formatPercent, makeI18n, translate } from '../../renderer/i18n/format';
import { zhCN } from '../../renderer/i18n/zh-CN';
import { countyBbox, featuresBbox, settlementStatus, statusCounts, workspaceBbox } from '../../renderer/map/data';
import { buildTileIndex, tileProperties, tileRows } from '../../renderer/map/settlement-tiles';
import { popupContent } from '../../renderer/map/popup';
import { NO_FILTERS } from '../../renderer/map/style';
import { FLAG, toColumns } from '../../api/columns';
import type { SettlementResult } from '../../gis/report';
import { groupRate, layerRate, report, settlement } from './fixtures';

const cols = (list: SettlementResult[]) => toColumns(list, 'test');

const zh = makeI18n('zh-CN');
const english = makeI18n('en');

describe('formatPercent', () => {
  it('formats the report fraction with one decimal, rounding like the CLI ((rate*100).toFixed(1))', () => {
    for (const rate of [0, 1, 0.953, 0.9535, 0.95349, 0.75, 0.123456, 2 / 3, 0.0005, 0.99951, 19 / 20, 37 / 39, 0.145, 0.285]) {
      expect(formatPercent(rate, 'zh-CN')).toBe(`${(rate * 100).toFixed(1)}%`);
      expect(formatPercent(rate, 'en')).toBe(`${(rate * 100).toFixed(1)}%`);
    }
  });

  it('has no rate for an empty group, never NaN', () => {
    expect(formatPercent(null, 'zh-CN')).toBeNull();
    expect(formatPercent(NaN, 'en')).toBeNull();
  });

  it('formats dates per language and keeps unreadable ones', () => {
    const iso = '2026-03-05T08:30:00Z';
    expect(makeI18n('zh-CN').date(iso)).toMatch(/2026年3月5日/);
    expect(makeI18n('en').date(iso)).toMatch(/Mar 5, 2026/);
    expect(makeI18n('en').date('not a date')).toBe('not a date');
  });

  it('groups integers per language', () => {
    expect(formatInt(123456, 'zh-CN')).toBe('123,456');
    expect(formatInt(123456, 'en')).toBe('123,456');
  });
});

describe('dictionaries', () => {
  it('have the same keys and no empty message', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const v of [...Object.values(en), ...Object.values(zhCN)]) expect(v.trim()).not.toBe('');
  });

  it('fill placeholders and leave unknown ones alone', () => {
    expect(translate('zh-CN', 'shortfall', { n: 3, h: 120 })).toBe('差 3 个聚居区 / 120 户');
    expect(translate('en', 'urlTemplate')).toContain('{z}/{x}/{y}');
  });
});

describe('rateCells', () => {
  it('formats rates, status and shortfall from the report', () => {
    const cells = rateCells(layerRate({ rate: 0.9123, householdRate: 0.95, met: false, shortfall: 4, householdShortfall: 210 }), zh);
    expect(cells).toEqual({ byCount: '91.2%', byHouseholds: '95.0%', status: 'notMet', shortfall: '差 4 个聚居区 / 210 户' });
    expect(rateCells(layerRate({ rate: 1, householdRate: 1, met: true, shortfall: 0, householdShortfall: 0 }), english))
      .toEqual({ byCount: '100.0%', byHouseholds: '100.0%', status: 'met', shortfall: '—' });
    expect(rateCells(layerRate({ rate: 0.9, householdRate: 0.96, met: false, shortfall: 7, householdShortfall: 0 }), zh)?.shortfall).toBe('差 7 个聚居区');
  });

  it('returns null (「无符合条件的聚居区」) when the group has no rate', () => {
    expect(rateCells(layerRate({}), zh)).toBeNull();
  });
});

const seeds: CampaignSeeds = {
  counties: [
    { code: '360731', name: '于都县', focus: true, leader: '甲', quota: 10, seat: null },
    { code: '360730', name: '宁都县', focus: true, leader: '乙', quota: 10, seat: null },
    { code: '360702', name: '章贡区', focus: false, leader: null, quota: 0, seat: null },
  ],
  listedVillages: [],
  unnamedQuota: [],
};

describe('countyRows', () => {
  it('puts focus counties first in the seeds order with their leaders, then the others', () => {
    const r = report({ counties: { 章贡区: groupRate({}), 于都县: groupRate({}), 宁都县: groupRate({}), 会昌县: groupRate({}) } });
    const rows = countyRows(r, seeds);
    expect(rows.map((x) => [x.name, x.focus, x.leader])).toEqual([
      ['于都县', true, '甲'], ['宁都县', true, '乙'], ['章贡区', false, null], ['会昌县', false, null],
    ]);
  });

  it('falls back to the report when seeds are missing', () => {
    const r = report({ counties: { B: groupRate({}), A: groupRate({ focus: true, leader: '丙' }) } });
    expect(countyRows(r, null).map((x) => [x.name, x.leader])).toEqual([['A', '丙'], ['B', null]]);
  });
});

describe('listedRows', () => {
  const village = (p: Partial<ListedVillage>): ListedVillage => ({
    code: '360731101201', county: '于都县', township: '岭背镇', officialName: '潮溪村委会', listedName: '潮溪村',
    listedTownship: '岭背镇', category: '一类', matchStatus: 'matched', matchNote: '', ...p,
  });

  it('joins each listed village with its rates under the analysis key county/township/village', () => {
    const rate = groupRate({ settlements: 3, mobile: layerRate({ rate: 1 }) });
    const r = report({ villages: { '于都县/岭背镇/潮溪村委会': rate } });
    const seat = { id: 's9', name: '上屋', county: '于都县', township: '岭背镇', village: '潮溪村委会', mobile: true, broadband: false };
    r.committeeSeats.seats.push(seat);
    const rows = listedRows({ ...seeds, listedVillages: [village({}), village({ code: null, officialName: null, listedName: '无名村', matchStatus: 'unmatched' })] }, r);
    expect(rows[0].rate).toBe(rate);
    expect(rows[0].seat).toBe(seat);
    expect(rows[1].seat).toBeNull();
    expect(rows[0].matched).toBe(true);
    expect(rows[1].rate).toBeNull();
    expect(rows[1].matched).toBe(false);
  });

  it('flags one-character name variants as 名称存疑', () => {
    expect(isDoubtful(village({ matchStatus: 'variant', matchNote: '文件写作“潮西村”，一字之差' }))).toBe(true);
    expect(isDoubtful(village({ matchNote: '名称存疑' }))).toBe(true);
    expect(isDoubtful(village({}))).toBe(false);
  });
});

describe('sortBlindSpots', () => {
  const spot = (id: string, p: Partial<BlindSpot>): BlindSpot => ({
    id, name: id, county: '于都县', township: '', village: '', households: 30, lon: 0, lat: 0, listed: false,
    focusCounty: true, committee: false, missingMobile: true, missingBroadband: false, ...p,
  });
  const list = [spot('a', { households: 40 }), spot('b', { households: 90, county: '宁都县', listed: true }), spot('c', { households: 60, county: '章贡区' })];

  it('are the eligible settlements missing 4G or broadband, as the blind-spot list has them', () => {
    const gap = settlement({ id: 'g', households: 40, mobile: true, mobileOperators: ['CT'], listed: true, committee: true });
    expect(blindSpotOf(gap)).toEqual({
      id: 'g', name: 'g', county: '于都县', township: '岭背镇', village: '潮溪村委会', households: 40, lon: 115.4, lat: 25.9,
      listed: true, focusCounty: true, committee: true, missingMobile: false, missingBroadband: true,
    });
    expect(blindSpotOf(settlement({ id: 'small', eligible: false }))).toBeNull();
    expect(blindSpotOf(settlement({ id: 'ok', mobile: true, broadband: true }))).toBeNull();
  });

  it('sorts by households, county or listed without mutating the input', () => {
    expect(sortBlindSpots(list, 'households', true).map((s) => s.id)).toEqual(['b', 'c', 'a']);
    expect(sortBlindSpots(list, 'households', false).map((s) => s.id)).toEqual(['a', 'c', 'b']);
    expect(sortBlindSpots(list, 'listed', true).map((s) => s.id)).toEqual(['b', 'c', 'a']);
    expect(sortBlindSpots(list, 'county', false).map((s) => s.county)).toEqual([...list.map((s) => s.county)].sort((x, y) => x.localeCompare(y, 'zh-CN')));
    expect(list.map((s) => s.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('settlement points', () => {
  const s = settlement({ id: 's1', mobile: true, mobileOperators: ['CMCC', 'CU'], broadband: true, broadbandOperators: ['CT'], listed: true, committee: true });

  it('carry the flags the style reads', () => {
    const c = cols([s]);
    expect(tileProperties(c, 0)).toEqual({
      f: FLAG.eligible | FLAG.listed | FLAG.committee | FLAG.focus | FLAG.mobile | FLAG.mobileCMCC | FLAG.mobileCU | FLAG.broadband | FLAG.broadbandCT,
      h: 30, county: '于都县', name: 's1',
    });
    expect(tileProperties(c, 0, 8)).not.toHaveProperty('name');
  });

  it('classify and count statuses like the style', () => {
    expect(settlementStatus(s)).toBe('both');
    expect(settlementStatus(s, 'CU')).toBe('mobile');
    expect(settlementStatus(s, 'CT')).toBe('broadband');
    const small = settlement({ id: 's2', households: 5, eligible: false });
    expect(statusCounts(cols([s, small]), NO_FILTERS)).toEqual({ both: 1, mobile: 0, broadband: 0, none: 1 });
    expect(statusCounts(cols([s, small]), { ...NO_FILTERS, eligibleOnly: true })).toEqual({ both: 1, mobile: 0, broadband: 0, none: 0 });
    expect(statusCounts(cols([s, small]), { ...NO_FILTERS, operator: 'CT' })).toEqual({ both: 0, mobile: 0, broadband: 1, none: 1 });
    expect(statusCounts(cols([s, small]), { ...NO_FILTERS, county: '宁都县' })).toEqual({ both: 0, mobile: 0, broadband: 0, none: 0 });
    expect(statusCounts(cols([s, settlement({ id: 's3', listed: false, focusCounty: false })]), { ...NO_FILTERS, listedOnly: true })).toEqual({ both: 1, mobile: 0, broadband: 0, none: 0 });
    expect(statusCounts(cols([s, settlement({ id: 's4', focusCounty: false })]), { ...NO_FILTERS, focusOnly: true })).toEqual({ both: 1, mobile: 0, broadband: 0, none: 0 });
  });

  // Speed is measured by the benchmark, not asserted here.
  it('index 200,000 settlements and find each in its tile', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => settlement({ id: `s${i}`, lon: 114 + (i % 1000) / 500, lat: 25 + i / 200_000 }));
    const c = cols(many);
    const index = buildTileIndex(c);
    // Zoom 5 tiles 26/13 and 26/14 hold the area; every settlement is in exactly one of them.
    const rows = [...tileRows(index, 5, 26, 13), ...tileRows(index, 5, 26, 14)].sort((a, b) => a - b);
    expect(rows).toHaveLength(200_000);
    expect(rows[199_999]).toBe(199_999);
  });
});

describe('popupContent', () => {
  it('lists the settlement details and the operators covering it', () => {
    const s = settlement({ id: 'p', name: '上屋', households: 48, mobile: true, mobileOperators: ['CU', 'CMCC'], listed: true, committee: true });
    const c = popupContent(s, zh, 25);
    expect(c.title).toBe('上屋');
    expect(c.status).toBe('mobile');
    expect(Object.fromEntries(c.rows.map((r) => [r.key, r.value]))).toEqual({
      households: '48', village: '潮溪村委会', township: '岭背镇', county: '于都县', listed: '是', committee: '是', eligible: '是',
      mobile: '移动、联通', broadband: '无覆盖',
    });
    expect(c.rows.find((r) => r.key === 'eligible')?.label).toBe('纳入考核（≥ 25 户）');
    expect(popupContent(s, english, 25).rows.find((r) => r.key === 'mobile')?.value).toBe('China Mobile、China Unicom');
    expect(c.rows.find((r) => r.key === 'measured')).toBeUndefined();
  });

  it('shows field measurements and where they came from', () => {
    const s = settlement({ id: 'm', name: '下屋', mobile: false, mobileOperators: [],
      measured: { sources: ['路测6月.csv'], operators: [{ operator: 'CMCC', bestRsrp: -112, readings: 3, covered: false, lastTime: '2020-06-11 09:00' }] } });
    expect(popupContent(s, zh, 25).rows.find((r) => r.key === 'measured')).toEqual({
      key: 'measured', label: '4G 实测', value: '移动 -112 dBm（3 次，2020-06-11 09:00）无覆盖（路测6月.csv）' });
  });
});

describe('bounding boxes', () => {
  it('zooms to a county boundary, else to its settlements', () => {
    const boundaries = {
      type: 'FeatureCollection' as const,
      features: [{ type: 'Feature' as const, properties: { level: 'county', name: '于都县', code: '360731' },
        geometry: { type: 'Polygon' as const, coordinates: [[[115, 25], [116, 25], [116, 26.5], [115, 25]]] } }],
    };
    expect(countyBbox(boundaries, cols([]), '于都县')).toEqual([115, 25, 116, 26.5]);
    expect(countyBbox(boundaries, cols([settlement({ id: 'x', county: '宁都县', lon: 116, lat: 26 }), settlement({ id: 'y', county: '宁都县', lon: 116.2, lat: 26.4 })]), '宁都县'))
      .toEqual([116, 26, 116.2, 26.4]);
    expect(countyBbox(null, null, '章贡区')).toBeNull();
    expect(featuresBbox({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: null }] })).toBeNull();
  });
});

describe('workspaceBbox', () => {
  it('spans the settlement and boundary layers only', () => {
    expect(workspaceBbox([
      { role: 'settlements', bbox: [115, 25.5, 115.5, 26] },
      { role: 'boundaries', bbox: [114.9, 25.4, 115.2, 26.2] },
      { role: 'mobile', bbox: [100, 10, 120, 40] },
      { role: 'sites', bbox: null },
    ])).toEqual([114.9, 25.4, 115.5, 26.2]);
    expect(workspaceBbox([{ role: 'mobile', bbox: [1, 2, 3, 4] }])).toBeNull();
  });
});
