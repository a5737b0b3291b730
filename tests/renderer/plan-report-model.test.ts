// The planning/ledger/report helpers of the renderer: scenario layers, plan totals, the 25th reminder,
// the trend chart's geometry, ledger filters and default measures. Hand-computed expectations.
import { describe, expect, it } from 'vitest';
import type { LedgerRow, PlannedBuildData, ReachPlanData } from '../../api/contract';
import { exportFileName } from '../../api/contract';
import {
  chinaToday, daysBetween, defaultMeasure, dueBanner, filterLedger, formatYuan, planSummary, scenarioBbox, scenarioLayer, trendChart,
} from '../../renderer/planning/model';
import { groupRate } from './fixtures';

const square = (x: number, y: number, d: number) => ({
  type: 'Feature' as const, properties: null,
  geometry: { type: 'Polygon' as const, coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] },
});
const tower: PlannedBuildData = { id: 'T1', kind: 'tower', label: '新建基站 T1', operator: 'CMCC', cost: 400_000, lon: 115.41, lat: 25.91, features: [square(115.4, 25.9, 0.02)] };
const fiber: PlannedBuildData = { id: 'F1', kind: 'fiber', label: '光纤延伸 F1', operator: 'CT', cost: 6_543, lon: 115.5, lat: 25.8, features: [square(115.49, 25.79, 0.01), square(115.3, 26, 0.01)] };

describe('scenario layer', () => {
  it('gives each build its polygons and one numbered site point, leaving the builds untouched', () => {
    const before = JSON.stringify([tower, fiber]);
    const fc = scenarioLayer([tower, fiber]);
    expect(fc.features.map((f) => [f.geometry?.type, f.properties?.part, f.properties?.order])).toEqual([
      ['Polygon', 'area', 1], ['Point', 'site', 1], ['Polygon', 'area', 2], ['Polygon', 'area', 2], ['Point', 'site', 2],
    ]);
    expect(fc.features[4].geometry).toEqual({ type: 'Point', coordinates: [115.5, 25.8] });
    expect(JSON.stringify([tower, fiber])).toBe(before);
  });

  it('has the bounding box of all polygons, null without builds', () => {
    expect(scenarioBbox([tower, fiber])).toEqual([115.3, 25.79, 115.5, 26.01]);
    expect(scenarioBbox([])).toBeNull();
  });
});

describe('plan summary and money', () => {
  it('adds cost and gains by kind', () => {
    const plan: ReachPlanData = {
      scope: '于都县', before: groupRate({}), after: groupRate({}), need: { mobile: 1, broadband: 1 }, reached: true, cost: 406_543,
      candidates: { towers: 5, fiber: 9 },
      builds: [
        { order: 1, build: tower, cumulativeCost: 400_000, mobileSettlements: 3, mobileHouseholds: 120, broadbandSettlements: 0, broadbandHouseholds: 0, settlementIds: ['a', 'b', 'c'] },
        { order: 2, build: fiber, cumulativeCost: 406_543, mobileSettlements: 0, mobileHouseholds: 0, broadbandSettlements: 1, broadbandHouseholds: 31, settlementIds: ['d'] },
      ],
    };
    expect(planSummary(plan)).toEqual({
      towers: 1, towerCost: 400_000, fiber: 1, fiberCost: 6_543, mobileSettlements: 3, mobileHouseholds: 120,
      broadbandSettlements: 1, broadbandHouseholds: 31, cost: 406_543,
    });
  });

  it('writes yuan as the CLI does (万元, one decimal) and in thousands in English', () => {
    expect(formatYuan(295_123, 'zh-CN')).toBe('29.5 万元');
    expect(formatYuan(6_543, 'zh-CN')).toBe('0.7 万元');
    expect(formatYuan(0, 'zh-CN')).toBe('0.0 万元');
    expect(formatYuan(295_123, 'en')).toBe('¥295.1k');
  });
});

describe('the 25th reminder', () => {
  it('counts days to the 25th', () => {
    expect(daysBetween('2020-06-20', '2020-06-25')).toBe(5);
    expect(daysBetween('2020-06-27', '2020-06-25')).toBe(-2);
  });

  it('shows within 5 days before, on the day and when late, until the month is exported', () => {
    expect(dueBanner('2020-06-19', null)).toBeNull();
    expect(dueBanner('2020-06-20', null)).toEqual({ month: '2020-06', due: '2020-06-25', days: 5 });
    expect(dueBanner('2020-06-25', null)?.days).toBe(0);
    expect(dueBanner('2020-06-30', null)?.days).toBe(-5);
    expect(dueBanner('2020-06-22', '2020-06-21T09:00:00Z')).toBeNull();
    expect(dueBanner('2020-06-01', null)).toBeNull();
  });

  it('uses the date in China (UTC+8)', () => {
    expect(chinaToday(new Date('2020-06-24T15:59:00Z'))).toBe('2020-06-24');
    expect(chinaToday(new Date('2020-06-24T16:00:00Z'))).toBe('2020-06-25');
  });
});

describe('ledger helpers', () => {
  it('picks the measure from what is missing', () => {
    expect(defaultMeasure({ missingMobile: true, missingBroadband: true })).toBe('新建基站');
    expect(defaultMeasure({ missingMobile: false, missingBroadband: true })).toBe('光纤延伸');
  });

  it('filters by status and overdue', () => {
    const row = (itemId: string, status: LedgerRow['status'], overdue: boolean) => ({ itemId, status, overdue }) as LedgerRow;
    const rows = [row('a', '待整改', true), row('b', '整改中', false), row('c', '已销号', false)];
    expect(filterLedger(rows, 'all').map((r) => r.itemId)).toEqual(['a', 'b', 'c']);
    expect(filterLedger(rows, '整改中').map((r) => r.itemId)).toEqual(['b']);
    expect(filterLedger(rows, 'overdue').map((r) => r.itemId)).toEqual(['a']);
  });

  it('names export files in Chinese, with the month, and never with path characters', () => {
    expect(exportFileName('report', { month: '2020-06', format: 'pdf' })).toBe('月报_2020-06.pdf');
    expect(exportFileName('report', { month: '2020-06', format: 'csv' })).toBe('月报_2020-06.zip');
    expect(exportFileName('map', { county: '于都县', dpi: 300, paper: 'A3' })).toBe('覆盖图_于都县_A3_300dpi.png');
    expect(exportFileName('scenario', { name: '../../etc/passwd' })).toBe('规划方案_.._.._etc_passwd.geojson');
    expect(exportFileName('ledger', {})).toBe('整改台账.xlsx');
  });
});

describe('trend chart', () => {
  const points = [
    { month: '2020-05', label: '2020年5月', mobile: 0.9, broadband: 0.7 },
    { month: '2020-06', label: '2020年6月', mobile: 0.95, broadband: null },
  ];
  const g = trendChart([{ name: '全市 4G', color: '#000', points, key: 'mobile' }, { name: '全市 宽带', color: '#111', points, key: 'broadband' }],
    [{ rate: 0.95, label: '4G 目标' }, { rate: 0.75, label: '宽带目标' }], 540, 200);

  it('starts the y axis at the lowest value rounded down to 10 %, ends at 100 %', () => {
    expect(g.yTicks.map((t) => t.label)).toEqual(['70%', '80%', '90%', '100%']);
    expect(g.y(1)).toBe(10);
    expect(g.y(0.7)).toBe(176);
  });

  it('places months evenly between the margins and skips missing values', () => {
    expect(g.ticks).toEqual([{ x: 40, label: '2020年5月' }, { x: 506, label: '2020年6月' }]);
    expect(g.lines[0].dots.map((d) => d.rate)).toEqual([0.9, 0.95]);
    expect(g.lines[1].dots).toHaveLength(1);
    expect(g.lines[0].path).toBe(`M40.0,${g.y(0.9).toFixed(1)}L506.0,${g.y(0.95).toFixed(1)}`);
    expect(g.targets.map((t) => t.y)).toEqual([g.y(0.95), g.y(0.75)]);
  });
});
