import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildCampaign, buildDivisions } from '../../seeds/build';
import { readSources } from '../../seeds/build-campaign';
import {
  campaignSeeds, countyByName, countySeats, focusCounties, listedVillageFindings, listedVillages, unnamedQuota,
} from '../../seeds/campaign';
import { divisions2020 } from '../../seeds/divisions';
import { CATEGORY_FACILITIES, CATEGORY_POOR, matchListedVillages, parseListedVillagesCsv } from '../../seeds/listed';

describe('campaign facts', () => {
  it('committed JSON is exactly what the source CSVs build', () => {
    const texts = readSources();
    const committed = JSON.parse(readFileSync(new URL('../../seeds/data/campaign.json', import.meta.url), 'utf8'));
    expect(buildCampaign(texts)).toEqual(committed);
    const divisions = JSON.parse(readFileSync(new URL('../../seeds/data/divisions-2020.json', import.meta.url), 'utf8'));
    expect(buildDivisions(texts)).toEqual(divisions);
  });

  it('has 18 counties, quotas summing to 100 with the two development zones', () => {
    const s = campaignSeeds();
    expect(s.counties).toHaveLength(18);
    const named = s.listedVillages.length;
    const unnamed = s.unnamedQuota.reduce((a, q) => a + q.count, 0);
    expect(named + unnamed).toBe(100);
    expect(s.counties.reduce((a, c) => a + c.quota, 0)).toBe(98);
    expect(unnamed).toBe(38);
    expect(s.unnamedQuota).toContainEqual({ county: '赣州经开区', count: 1 });
    expect(s.unnamedQuota).toContainEqual({ county: '赣州蓉江新区', count: 1 });
    expect(countyByName('于都县')?.quota).toBe(17);
    expect(countyByName('龙南县')?.code).toBe('360783');
    expect(countyByName('章贡区')?.quota).toBe(1);
    expect(unnamedQuota().find((q) => q.county === '章贡区')).toBeUndefined();
  });

  it('names the four focus counties with their leaders', () => {
    const f = Object.fromEntries(focusCounties().map((c) => [c.name, c.leader]));
    expect(f).toEqual({ 宁都县: '李鉴庆', 于都县: '周光仁', 兴国县: '张来玉', 赣县区: '周光仁' });
  });

  it('has a seat for every county; only 兴国县 is approximate', () => {
    const seats = countySeats();
    expect(seats).toHaveLength(18);
    expect(seats.filter((s) => s.approximate).map((s) => s.county)).toEqual(['兴国县']);
    for (const c of campaignSeeds().counties) {
      expect(c.seat).not.toBeNull();
      expect(c.seat!.lon).toBeGreaterThan(113.9);
      expect(c.seat!.lon).toBeLessThan(116.6);
      expect(c.seat!.lat).toBeGreaterThan(24.5);
      expect(c.seat!.lat).toBeLessThan(27.2);
    }
  });

  it('has 62 named villages, 30 + 32 by category, each with a 2020 村委会 code', () => {
    const v = listedVillages();
    expect(v).toHaveLength(62);
    expect(v.filter((x) => x.category === CATEGORY_POOR)).toHaveLength(30);
    expect(v.filter((x) => x.category === CATEGORY_FACILITIES)).toHaveLength(32);
    const codes = new Map(divisions2020().villages.map((x) => [x.code, x]));
    for (const x of v) {
      expect(x.code).toMatch(/^\d{12}$/);
      const d = codes.get(x.code!);
      expect(d?.name, x.listedName).toBe(x.officialName);
      expect(d?.kind).toBe('village');
    }
    expect(new Set(v.map((x) => x.code)).size).toBe(62);
  });

  it('keeps the data-quality findings visible', () => {
    const v = listedVillages();
    const cang = v.find((x) => x.listedName === '仓前镇')!;
    expect(cang).toMatchObject({ officialName: '仓前村委会', code: '360722101207', matchStatus: 'typo corrected' });
    const shanghe = v.find((x) => x.listedName === '上禾村')!;
    expect(shanghe).toMatchObject({ listedTownship: '水西镇', township: '湖边镇', matchStatus: 'exact village; different township' });
    expect(v.filter((x) => x.matchStatus === 'probable (1-character variant)').map((x) => x.listedName).sort())
      .toEqual(['上焦村', '洋塘村', '白洞村', '磻脑村', '坵下村'].sort());
    expect(listedVillageFindings().length).toBeGreaterThanOrEqual(12);
  });
});

describe('parseListedVillagesCsv / matchListedVillages', () => {
  it('reproduces the hand-checked match of all 62 named villages', () => {
    const text = readSources()['listed-villages-2020.csv'];
    const { rows, issues } = parseListedVillagesCsv(text, 'listed-villages-2020.csv');
    expect(issues).toEqual([]);
    const auto = matchListedVillages(rows, divisions2020());
    const curated = listedVillages();
    expect(auto.map((x) => [x.code, x.matchStatus])).toEqual(curated.map((x) => [x.code, x.matchStatus]));
  });

  it('reports missing columns, empty cells and repeats with file, row and field', () => {
    expect(parseListedVillagesCsv('县,村\n于都县,潮溪村\n', 'a.csv').issues).toEqual([
      expect.objectContaining({ source: 'a.csv', feature: -1, field: '乡镇' }),
      expect.objectContaining({ source: 'a.csv', feature: -1, field: '类别' }),
    ]);
    const r = parseListedVillagesCsv('\ufeff县,乡镇,村,类别\r\n于都县,车溪乡,潮溪村,三类\r\n于都县,,船坑村,三类\r\n于都县,车溪乡,潮溪村,三类\r\n', 'b.csv');
    expect(r.rows).toHaveLength(1);
    expect(r.issues.map((i) => [i.feature, i.field])).toEqual([[1, '乡镇'], [2, '村']]);
    expect(r.issues[0].message).toContain('row 3');
    expect(r.issues[1].message).toContain('repeats row 2');
    expect(parseListedVillagesCsv('县,乡镇,村,类别\n"于都县,车溪乡\n', 'c.csv').issues[0].message).toMatch(/c\.csv: line 2: unterminated/);
  });

  it('leaves an unknown village unmatched instead of guessing', () => {
    const { rows } = parseListedVillagesCsv('县,乡镇,村,类别\n于都县,车溪乡,不存在村,三类\n');
    expect(matchListedVillages(rows, divisions2020())[0]).toMatchObject({ code: null, matchStatus: 'unmatched' });
  });
});
