// `snapshot`, `report` and `map`: save the analysis under a month label, write the monthly report (PDF
// atlas, XLSX, CSV, GeoJSON, GeoPackage) and render a map as PNG (or SVG).
import { existsSync } from 'node:fs';
import { exportMonthlyReport, renderMap, REPORT_FORMATS, type MapOptions, type ReportFormat } from '../data/report';
import { PAPER } from '../data/report/map';
import { monthLabelZh, parseMonth } from '../data/report/snapshot';
import { takeSnapshot } from '../data/report/sources';
import { numberOption, parseArgs, single, UsageError } from './args';

/** Usage lines for cli/main.ts. */
function onePath(positional: string[]): string {
  if (positional.length === 0) throw new UsageError('WORKSPACE.gpkg is required');
  if (positional.length > 1) throw new UsageError(`unexpected argument "${positional[1]}"`);
  return positional[0];
}

function month(raw: string | undefined, what: string): string {
  if (!raw) throw new UsageError(`${what} is required (e.g. 2020-06 or 2020年6月)`);
  try {
    return parseMonth(raw);
  } catch (e) {
    throw new UsageError(`${what}: ${(e as Error).message}`);
  }
}

/** `snapshot WORKSPACE.gpkg --label 2020-06 [--date YYYY-MM-DD]` */
export async function snapshotCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { label: { value: true }, date: { value: true } });
  const path = onePath(args.positional);
  const label = single(args, 'label');
  month(label, '--label');
  const date = single(args, 'date');
  if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new UsageError(`--date: found "${date}"; expected YYYY-MM-DD`);
  const { runId, snapshot } = await takeSnapshot(path, label as string, date);
  const blind = [...snapshot.status].filter((c) => { const b = parseInt(c, 16); return (b & 1) && (b & 6) !== 6; }).length;
  process.stdout.write(`已保存快照 (snapshot saved) "${snapshot.label}" ${monthLabelZh(snapshot.month)}，数据日期 ${snapshot.date}，` +
    `${snapshot.ids.length} 个聚居区，盲点 ${blind} 个 (run ${runId})${snapshot.synthetic ? '，演示数据' : ''}\n`);
}

/** `report WORKSPACE.gpkg --month 2020-06 --format pdf|xlsx|csv|geojson|gpkg --out FILE` */
export async function reportCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { month: { value: true }, format: { value: true }, out: { value: true } });
  const path = onePath(args.positional);
  const m = month(single(args, 'month'), '--month');
  const format = single(args, 'format') ?? 'pdf';
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: found "${format}"; expected ${REPORT_FORMATS.join('|')}`);
  const out = single(args, 'out');
  if (!out) throw new UsageError('--out FILE is required');
  if (format === 'gpkg' && existsSync(out)) throw new UsageError(`--out: ${out} exists; a GeoPackage is never overwritten`);
  const { report, files, pages, note } = await exportMonthlyReport(path, { month: m, format: format as ReportFormat, out });
  if (note) process.stderr.write(`${note}\n`);
  const c = report.city;
  process.stdout.write(`${report.monthZh}月报${report.previous ? `（对比 ${report.previous.label}）` : ''}：全市 4G ${pct(c.mobile)}，宽带 ${pct(c.broadband)}，` +
    `剩余盲点 ${c.remaining}${report.previous ? `，本月消除 ${c.closed}` : ''}；到期台账 ${report.ledgerDue.length} 条\n` +
    `${report.reminder}\n已写出 (written): ${files.join(', ')}${pages ? ` (${pages} 页)` : ''}\n`);
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

/** `map WORKSPACE.gpkg [--county 于都县] [--month 2020-06] [--dpi 300] [--paper A3|A4] --out FILE.png|FILE.svg` */
export async function mapCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { county: { value: true }, month: { value: true }, dpi: { value: true }, paper: { value: true }, out: { value: true } });
  const path = onePath(args.positional);
  const out = single(args, 'out');
  if (!out || !/\.(png|svg)$/i.test(out)) throw new UsageError('--out FILE.png (or FILE.svg) is required');
  const dpi = numberOption(args, 'dpi', (n) => n >= 72 && n <= 300, 'a resolution from 72 to 300') ?? 150;
  const paper = (single(args, 'paper') ?? 'A3').toUpperCase();
  if (!(paper in PAPER)) throw new UsageError(`--paper: found "${paper}"; expected A3 or A4`);
  // Without --month: the current analysis (this month has a snapshot only if one was saved).
  const m = single(args, 'month') ? month(single(args, 'month'), '--month') : undefined;
  const county = single(args, 'county');
  try {
    await renderMap(path, { county, month: m, dpi, paper: paper as MapOptions['paper'], out });
  } catch (e) {
    if (e instanceof RangeError && e.message.startsWith('county:')) throw new UsageError(`--${e.message}`);
    throw e;
  }
  process.stdout.write(`已写出 (written): ${out} (${paper}, ${dpi} dpi)\n`);
}
