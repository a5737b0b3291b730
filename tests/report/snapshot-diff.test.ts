import { describe, expect, it } from 'vitest';
import { diffSnapshots, snapshotRates } from '../../data/report/diff';
import { buildMonthlyReport, dueReminder, trendSeries } from '../../data/report/monthly';
import { monthEnd, parseMonth, previousMonth, snapshotFromReport } from '../../data/report/snapshot';
import type { LedgerItem } from '../../data/ledger';
import { counties } from '../../seeds/campaign';
import { JUNE, MAY } from './fixtures';

const may = snapshotFromReport(MAY, { label: '2020-05', synthetic: true });
const june = snapshotFromReport(JUNE, { label: '2020年6月', synthetic: true });

describe('month labels', () => {
  it('parses both spellings and rejects others, naming the label', () => {
    expect(parseMonth('2020-06')).toBe('2020-06');
    expect(parseMonth('2020年6月')).toBe('2020-06');
    expect(parseMonth('2020-6')).toBe('2020-06');
    expect(() => parseMonth('2020-13')).toThrow(/"2020-13".*expected a month/);
    expect(() => parseMonth('June')).toThrow(/label/);
    expect(monthEnd('2020-02')).toBe('2020-02-29');
    expect(previousMonth('2020-01')).toBe('2019-12');
  });
});

describe('snapshots', () => {
  it('store ids, households, status bits and listed villages compactly', () => {
    expect(june.month).toBe('2020-06');
    expect(june.date).toBe('2020-06-30');
    expect(june.ids).toEqual(['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7']);
    // S1: eligible|4G|宽带 = 7; S2: eligible|4G|committee = 11 (b); S4: eligible|宽带 = 5; S7: eligible = 1.
    expect(june.status).toBe('7b35771');
    expect(june.villages).toEqual(['于都县/贡江镇/甲村', '宁都县/梅江镇/乙村']);
    expect(june.listed).toEqual([{ village: 0, category: '甲类' }]);
    expect(JSON.stringify(june).length).toBeLessThan(800);
  });

  it('rates by count from the bits (hand-computed)', () => {
    const r = snapshotRates(may);
    expect(r.city).toMatchObject({ settlements: 5, mobileCovered: 3, broadbandCovered: 3, mobile: 0.6, broadband: 0.6, blindSpots: 3 });
    expect(r.counties.get('于都县')).toMatchObject({ settlements: 3, households: 130, mobileCovered: 2, broadbandCovered: 1, blindSpots: 2 });
    expect(r.counties.get('于都县')?.mobile).toBeCloseTo(2 / 3, 12);
    expect(r.counties.get('宁都县')).toMatchObject({ settlements: 2, mobile: 0.5, broadband: 1, blindSpots: 1 });
  });
});

describe('diffSnapshots', () => {
  const d = diffSnapshots(may, june);
  it('classifies every settlement as in the fixture table', () => {
    expect(d.city).toMatchObject({ newlyCovered: ['S1', 'S6'], newlyLost: ['S2'], stillUncovered: ['S3'], newBlind: ['S4', 'S7'] });
    const yudu = d.counties.find((c) => c.key === '于都县');
    expect(yudu).toMatchObject({ newlyCovered: ['S1'], newlyLost: ['S2'], stillUncovered: ['S3'], newBlind: ['S4'] });
    expect(d.counties.find((c) => c.key === '宁都县')).toMatchObject({ newlyCovered: ['S6'], newlyLost: [], stillUncovered: [], newBlind: ['S7'] });
  });

  it('gives rates then and now per county and listed village', () => {
    const yudu = d.counties.find((c) => c.key === '于都县');
    expect(yudu?.before.mobile).toBeCloseTo(2 / 3, 12);
    expect(yudu?.after).toMatchObject({ settlements: 4, mobile: 0.75, broadband: 0.5, blindSpots: 3 }); // 宽带: S1, S4 of four
    expect(d.city.after.mobile).toBeCloseTo(5 / 7, 12);
    expect(d.city.after.broadband).toBeCloseTo(4 / 7, 12); // S1, S4, S5, S6
    expect(d.listedVillages).toHaveLength(1);
    expect(d.listedVillages[0]).toMatchObject({ key: '于都县/贡江镇/甲村', category: '甲类', newlyCovered: ['S1'], newlyLost: ['S2'] });
    expect(d.before).toEqual({ label: '2020-05', month: '2020-05', date: '2020-05-31' });
  });

  it('does not change its inputs', () => {
    const copy = structuredClone(may);
    diffSnapshots(may, june);
    expect(may).toEqual(copy);
  });
});

describe('buildMonthlyReport', () => {
  const item = (itemId: string, settlementId: string, deadline: string | null, status: LedgerItem['status']): LedgerItem => ({
    itemId, settlementId, operator: 'CT', measure: '光纤延伸', responsible: '县电信分公司', deadline, status, evidence: [],
    createdAt: '2020-05-01T00:00:00Z', updatedAt: '2020-05-01T00:00:00Z', overdue: false,
  });
  const ledger = [
    item('ZG-S3-01', 'S3', '2020-06-20', '待整改'),
    item('ZG-S2-01', 'S2', '2020-07-10', '整改中'),
    item('ZG-S1-01', 'S1', '2020-06-01', '已销号'),
    item('ZG-S7-01', 'S7', null, '待整改'),
  ];
  const m = buildMonthlyReport({ current: june, previous: may, counties: counties(), ledger, now: new Date('2020-06-19T18:00:00Z') });

  it('rows per county with this month, last month, closed and remaining', () => {
    expect(m.counties.map((c) => c.county)).toEqual(['于都县', '宁都县']);
    const yudu = m.counties[0];
    expect(yudu).toMatchObject({ focus: true, mobile: 0.75, broadband: 0.5, closed: 1, lost: 1, remaining: 3, mobileMet: false, broadbandMet: false });
    expect(yudu.leader).toBeTruthy();
    expect(yudu.mobilePrevious).toBeCloseTo(2 / 3, 12);
    expect(m.city).toMatchObject({ closed: 2, lost: 1, remaining: 4 });
    expect(m.listedVillages.map((v) => [v.village, v.category, v.closed, v.remaining])).toEqual([['甲村', '甲类', 1, 3]]);
  });

  it('blind spots by households, new ones marked', () => {
    expect(m.blindSpots.map((b) => [b.id, b.isNew])).toEqual([['S7', true], ['S2', true], ['S3', false], ['S4', true]]);
    expect(m.blindSpots[0]).toMatchObject({ missingMobile: true, missingBroadband: true, listed: false });
    expect(m.blindSpots[1]).toMatchObject({ missingMobile: false, missingBroadband: true, listed: true, committee: true });
  });

  it('ledger items due by the month end, open only', () => {
    expect(m.ledgerDue.map((i) => i.itemId)).toEqual(['ZG-S3-01']);
  });

  it('reminds that the report is due on the 25th (China date)', () => {
    // 2020-06-19T18:00Z is 2020-06-20 in China: five days left.
    expect(m.reminder).toBe('月报须于每月25日前报送市里：2020年6月月报截止 2020-06-25。还剩 5 天。');
    expect(dueReminder('2020-06', '2020-06-27')).toMatch(/已逾期 2 天/);
    expect(dueReminder('2020-06', '2020-07-02')).toBe('月报须于每月25日前报送市里：2020年6月月报截止 2020-06-25。');
  });

  it('trend: one point per month, the current snapshot last; later months ignored', () => {
    const july = snapshotFromReport(MAY, { label: '2020-07' });
    const t = trendSeries([july, may], june);
    expect(t.city.map((p) => p.month)).toEqual(['2020-05', '2020-06']);
    expect(t.city[0]).toMatchObject({ mobile: 0.6, broadband: 0.6 });
    expect(t.city[1].mobile).toBeCloseTo(5 / 7, 12);
    expect(t.counties['于都县'].map((p) => p.broadband)).toEqual([1 / 3, 0.5]);
    expect(m.trend.city).toHaveLength(2);
  });

  it('without a previous snapshot: no changes, nothing closed', () => {
    const first = buildMonthlyReport({ current: may, previous: null, counties: counties() });
    expect(first.previous).toBeNull();
    expect(first.city).toMatchObject({ closed: 0, lost: 0, remaining: 3, mobilePrevious: null });
    expect(first.blindSpots.every((b) => !b.isNew)).toBe(true);
  });
});
