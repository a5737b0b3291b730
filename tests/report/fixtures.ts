// Two hand-made monthly analyses (2020-05, 2020-06) over seven settlements; the expected numbers in the tests
// are worked out by hand from the table below.
//
//  id  county  village      hh(May→Jun)  May 4G/宽带   June 4G/宽带   change
//  S1  于都县  贡江镇/甲村   60           有/无 (盲点)   有/有          newly covered
//  S2  于都县  贡江镇/甲村   40           有/有          有/无 (盲点)   newly lost
//  S3  于都县  贡江镇/甲村   30           无/无 (盲点)   有/无 (盲点)   still uncovered
//  S4  于都县  贡江镇/甲村   10 → 30      无/无 (<25户)  无/有 (盲点)   new blind spot
//  S5  宁都县  梅江镇/乙村   50           有/有          有/有          —
//  S6  宁都县  梅江镇/乙村   26           无/有 (盲点)   有/有          newly covered
//  S7  宁都县  梅江镇/乙村   — → 80       absent         无/无 (盲点)   new blind spot
// 甲村 is a listed village (category 甲类).
import { DEFAULT_OPTIONS, type AnalysisReport, type SettlementResult } from '../../gis/report';

type Row = [id: string, county: string, township: string, village: string, households: number, mobile: boolean, broadband: boolean];

function report(rows: Row[]): AnalysisReport {
  const settlements: SettlementResult[] = rows.map(([id, county, township, village, households, mobile, broadband], i) => ({
    id, name: `聚居区${id}`, households, county, township, village, committee: id === 'S2', lon: 115.4 + i * 0.01, lat: 25.9 + i * 0.01,
    eligible: households >= 25, mobile, mobileOperators: mobile ? ['CMCC'] : [], broadband, broadbandOperators: broadband ? ['CT'] : [],
    listed: village === '甲村', focusCounty: true,
  }));
  return {
    options: DEFAULT_OPTIONS,
    settlements,
    rates: {
      city: {} as AnalysisReport['rates']['city'], counties: {}, townships: {},
      villages: { '于都县/贡江镇/甲村': { listed: true, listedCategory: '甲类' } as AnalysisReport['rates']['city'] },
    },
    committeeSeats: { seats: [], total: 0, mobileCovered: 0, broadbandCovered: 0, met: null, listedVillagesWithoutSeat: [] },
    inputs: { settlements: rows.length, mobilePolygons: 0, broadbandPolygons: 0 },
  };
}

export const MAY = report([
  ['S1', '于都县', '贡江镇', '甲村', 60, true, false],
  ['S2', '于都县', '贡江镇', '甲村', 40, true, true],
  ['S3', '于都县', '贡江镇', '甲村', 30, false, false],
  ['S4', '于都县', '贡江镇', '甲村', 10, false, false],
  ['S5', '宁都县', '梅江镇', '乙村', 50, true, true],
  ['S6', '宁都县', '梅江镇', '乙村', 26, false, true],
]);

export const JUNE = report([
  ['S1', '于都县', '贡江镇', '甲村', 60, true, true],
  ['S2', '于都县', '贡江镇', '甲村', 40, true, false],
  ['S3', '于都县', '贡江镇', '甲村', 30, true, false],
  ['S4', '于都县', '贡江镇', '甲村', 30, false, true],
  ['S5', '宁都县', '梅江镇', '乙村', 50, true, true],
  ['S6', '宁都县', '梅江镇', '乙村', 26, true, true],
  ['S7', '宁都县', '梅江镇', '乙村', 80, false, false],
]);
