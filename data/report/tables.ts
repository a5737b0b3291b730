// The monthly report as plain tables with Chinese headers: one model for XLSX sheets, CSV files and the PDF.
import type { MonthlyReport, RateRow } from './monthly';

/** text; int: whole number; percent: a fraction shown as %; delta: a change in fractions shown as ±pp. */
export type ColumnKind = 'text' | 'int' | 'percent' | 'delta';
export type Cell = string | number | null;

export interface Column { header: string; kind: ColumnKind; width: number }

export interface Table {
  /** Sheet and file name (Chinese). */
  name: string;
  columns: Column[];
  rows: Cell[][];
}

const col = (header: string, kind: ColumnKind, width = 12): Column => ({ header, kind, width });

function delta(now: number | null, then: number | null): number | null {
  return now === null || then === null ? null : now - then;
}

function met(m: boolean | null): string {
  return m === null ? '—' : m ? '达标' : '未达标';
}

const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;

function rateColumns(t: MonthlyReport['targets']): Column[] {
  return [
    col(`聚居区数(≥${t.minHouseholds}户)`, 'int', 14), col('户数', 'int', 10),
    col('4G覆盖率', 'percent', 11), col('上月4G覆盖率', 'percent', 13), col('4G变化', 'delta', 10), col(`4G达标(${pct(t.mobile)})`, 'text', 12),
    col('宽带覆盖率', 'percent', 11), col('上月宽带覆盖率', 'percent', 14), col('宽带变化', 'delta', 10), col(`宽带达标(${pct(t.broadband)})`, 'text', 13),
    col('本月消除盲点', 'int', 12), col('新增失覆盖', 'int', 11), col('剩余盲点', 'int', 10),
  ];
}

function rateCells(r: RateRow): Cell[] {
  return [r.settlements, r.households, r.mobile, r.mobilePrevious, delta(r.mobile, r.mobilePrevious), met(r.mobileMet),
    r.broadband, r.broadbandPrevious, delta(r.broadband, r.broadbandPrevious), met(r.broadbandMet), r.closed, r.lost, r.remaining];
}

export function countyTable(m: MonthlyReport): Table {
  return {
    name: '县区',
    columns: [col('县（市、区）', 'text', 12), col('重点县', 'text', 8), col('挂点领导', 'text', 16), ...rateColumns(m.targets)],
    rows: [
      ...m.counties.map((r) => [r.county, r.focus ? '是' : '', r.leader ?? '', ...rateCells(r)]),
      ['全市合计', '', '', ...rateCells(m.city)],
    ],
  };
}

export function listedVillageTable(m: MonthlyReport): Table {
  return {
    name: '重点村',
    columns: [col('县（市、区）', 'text', 12), col('乡镇', 'text', 12), col('村', 'text', 16), col('类别', 'text', 30), ...rateColumns(m.targets)],
    rows: m.listedVillages.map((r) => [r.county, r.township, r.village, r.category, ...rateCells(r)]),
  };
}

export function blindSpotTable(m: MonthlyReport): Table {
  return {
    name: '盲点',
    columns: [col('编号', 'text', 10), col('聚居区', 'text', 12), col('县（市、区）', 'text', 12), col('乡镇', 'text', 12),
      col('村', 'text', 16), col('户数', 'int', 8), col('缺4G', 'text', 7), col('缺宽带', 'text', 7), col('村委会所在地', 'text', 12),
      col('重点村', 'text', 8), col('本月新增', 'text', 9), col('经度', 'text', 11), col('纬度', 'text', 11)],
    rows: m.blindSpots.map((b) => [b.id, b.name, b.county, b.township, b.village, b.households, b.missingMobile ? '是' : '',
      b.missingBroadband ? '是' : '', b.committee ? '是' : '', b.listed ? '是' : '', b.isNew ? '是' : '', b.lon.toFixed(5), b.lat.toFixed(5)]),
  };
}

export function ledgerTable(m: MonthlyReport): Table {
  return {
    name: '台账',
    columns: [col('条目', 'text', 18), col('聚居区编号', 'text', 12), col('运营商', 'text', 8), col('整改措施', 'text', 10),
      col('责任人', 'text', 12), col('完成时限', 'text', 12), col('状态', 'text', 8), col('逾期', 'text', 6)],
    rows: m.ledgerDue.map((i) => [i.itemId, i.settlementId, i.operator ?? '', i.measure, i.responsible, i.deadline ?? '', i.status, i.overdue ? '逾期' : '']),
  };
}

/** County table, listed villages, blind spots, ledger items due: the sheets of the XLSX, in order. */
export function reportTables(m: MonthlyReport): Table[] {
  return [countyTable(m), listedVillageTable(m), blindSpotTable(m), ledgerTable(m)];
}

/** A cell as text, as CSV and the PDF show it: percentages with one decimal, changes as ±pp. */
export function formatCell(value: Cell, kind: ColumnKind): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (kind === 'percent') return `${(value * 100).toFixed(1)}%`;
  if (kind === 'delta') return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}pp`;
  return String(value);
}
