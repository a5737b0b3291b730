// The analysis report as a Chinese text table and as a per-settlement CSV.
import type { AnalysisReport, GroupRate, LayerRate, SettlementResult } from '../gis';
import { OPERATOR_NAMES_ZH } from '../gis';
import { renderTable, type Align } from './text-table';

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}

function metCell(layer: LayerRate): string {
  return layer.met === null ? '—' : layer.met ? '达标' : '未达标';
}

const count = (n: number | null) => (n === null ? '—' : String(n));

const GROUP_HEADER = ['聚居区', '户数', '4G覆盖', '4G率', '4G户数率', '4G达标', '缺口(个)', '缺口(户)',
  '宽带覆盖', '宽带率', '宽带户数率', '宽带达标', '缺口(个)', '缺口(户)'];
const GROUP_ALIGN: Align[] = ['right', 'right', 'right', 'right', 'right', 'left', 'right', 'right',
  'right', 'right', 'right', 'left', 'right', 'right'];

function layerCells(l: LayerRate): string[] {
  return [String(l.covered), percent(l.rate), percent(l.householdRate), metCell(l), count(l.shortfall), count(l.householdShortfall)];
}

function groupCells(r: GroupRate): string[] {
  return [String(r.settlements), String(r.households), ...layerCells(r.mobile), ...layerCells(r.broadband)];
}

/** Focus counties first (in the campaign's order), then the others by name. */
export function orderedCounties(report: AnalysisReport, focusOrder: readonly string[] = []): [string, GroupRate][] {
  const entries = Object.entries(report.rates.counties);
  const rank = (name: string, r: GroupRate) => (r.focus ? (focusOrder.indexOf(name) + 1 || focusOrder.length + 1) : 1000);
  return entries.sort(([a, ra], [b, rb]) => rank(a, ra) - rank(b, rb) || a.localeCompare(b, 'zh-CN'));
}

export function formatTable(report: AnalysisReport, focusOrder: readonly string[] = []): string {
  const o = report.options;
  const out: string[] = [];
  out.push(`覆盖分析：${o.minHouseholds}户以上聚居区，目标 4G ≥ ${percent(o.targetMobile)}，宽带 ≥ ${percent(o.targetBroadband)}`);
  out.push(`输入：聚居区 ${report.inputs.settlements} 个，4G 覆盖面 ${report.inputs.mobilePolygons} 个，宽带覆盖面 ${report.inputs.broadbandPolygons} 个`);
  out.push('');
  const rows = orderedCounties(report, focusOrder).map(([name, r]) => [
    (r.focus ? '★' : '') + name, r.leader ?? '', ...groupCells(r),
  ]);
  rows.push(['全市', '', ...groupCells(report.rates.city)]);
  out.push(renderTable(['县(市、区)', '督战领导', ...GROUP_HEADER], rows, ['left', 'left', ...GROUP_ALIGN]));
  const noRate = Object.entries(report.rates.counties).filter(([, r]) => r.settlements === 0).map(([n]) => n);
  if (noRate.length) out.push(`无符合条件的聚居区，不计覆盖率：${noRate.join('、')}`);
  out.push('★ 挂牌督战县（区）。达标按聚居区个数计；缺口(个) = 达到目标还需覆盖的聚居区个数，缺口(户) = 按户数覆盖率达到目标还需覆盖的户数');

  const listed = Object.entries(report.rates.villages).filter(([, r]) => r.listed);
  if (listed.length) {
    out.push('', `市级挂牌督战重点村（${listed.length} 个有聚居区数据）`);
    out.push(renderTable(['县/乡镇/村', ...GROUP_HEADER],
      listed.map(([key, r]) => [key, ...groupCells(r)]), ['left', ...GROUP_ALIGN]));
  }

  const seats = report.committeeSeats;
  out.push('', `挂牌村村委会所在地（目标 100%）：共 ${seats.total} 处，4G ${seats.mobileCovered}/${seats.total}，光宽带 ${seats.broadbandCovered}/${seats.total}` +
    (seats.met === null ? '' : seats.met ? '，达标' : '，未达标'));
  for (const s of seats.seats.filter((x) => !x.mobile || !x.broadband)) {
    out.push(`  ✗ ${s.county}${s.township}${s.village} ${s.name}：${[!s.mobile && '无4G', !s.broadband && '无宽带'].filter(Boolean).join('、')}`);
  }
  if (seats.listedVillagesWithoutSeat.length) {
    out.push(`  未找到村委会所在地的挂牌村 ${seats.listedVillagesWithoutSeat.length} 个：${seats.listedVillagesWithoutSeat.slice(0, 10).join('、')}` +
      (seats.listedVillagesWithoutSeat.length > 10 ? ' …' : ''));
  }
  const field = report.fieldVerification;
  if (field) {
    out.push('', `实测校核（RSRP ≥ ${field.thresholdDbm} dBm 视为覆盖，${field.radiusM} 米内）：测量 ${field.measurements} 条，` +
      `${field.settlementsMeasured} 个聚居区有实测，与覆盖预测不一致 ${field.disagreements.length} 处`);
    for (const d of field.disagreements.slice(0, 20)) {
      out.push(`  ${d.county}${d.township}${d.village} ${d.name}：${OPERATOR_NAMES_ZH[d.operator]} 预测${d.predicted ? '有' : '无'}覆盖，` +
        `实测${d.measured ? '有' : '无'}（最强 ${d.bestRsrp} dBm，${d.readings} 次）`);
    }
    if (field.disagreements.length > 20) out.push(`  … 另有 ${field.disagreements.length - 20} 处`);
  }
  return out.join('\n') + '\n';
}

const CSV_HEADER = ['编号', '名称', '县(市、区)', '乡镇', '行政村', '区划代码', '户数', '符合条件', '4G覆盖', '4G运营商',
  '宽带覆盖', '宽带运营商', '挂牌村', '督战县', '村委会所在地', '经度', '纬度', '4G实测'];

function csvCell(v: string | number | boolean): string {
  const s = typeof v === 'boolean' ? (v ? '是' : '否') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** 移动 -98 dBm 有 / 联通 -117 dBm 无: what the measurements near a settlement said. */
function measuredCell(s: SettlementResult): string {
  return s.measured?.operators.map((o) => `${OPERATOR_NAMES_ZH[o.operator]} ${o.bestRsrp} dBm ${o.covered ? '有' : '无'}`).join(' / ') ?? '';
}

/** One row per settlement, UTF-8 with a BOM so that Excel shows the Chinese. */
export function formatCsv(report: AnalysisReport): string {
  const ops = (list: readonly (keyof typeof OPERATOR_NAMES_ZH)[]) => list.map((o) => OPERATOR_NAMES_ZH[o]).join('/');
  const lines = [CSV_HEADER.join(',')];
  for (const s of report.settlements) {
    lines.push([s.id, s.name, s.county, s.township, s.village, s.code ?? '', s.households, s.eligible, s.mobile,
      ops(s.mobileOperators), s.broadband, ops(s.broadbandOperators), s.listed, s.focusCounty, s.committee, s.lon, s.lat,
      measuredCell(s)]
      .map(csvCell).join(','));
  }
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}
