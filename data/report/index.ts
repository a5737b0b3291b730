// Reports over a workspace file: the entry points the CLI and the app's service call (same code, same output).
import { existsSync, writeFileSync } from 'node:fs';
import { chinaDate } from '../ledger';
import { writeCsvFiles, writeXlsx } from './exports';
import { writeGeoJSONFiles, writeResultsGeoPackage } from './geo';
import { mapSheet, PAPER } from './map';
import type { MonthlyReport } from './monthly';
import { writeAtlasPdf } from './pdf';
import { svgToPng } from './png';
import { monthLabelZh, parseMonth } from './snapshot';
import { monthlyFromSources, openReportSources } from './sources';
import { sceneToSvg } from './svg';
import { reportTables } from './tables';

export { takeSnapshot } from './sources';
export { listSnapshots, parseMonth, type Snapshot, type StoredSnapshot } from './snapshot';
export { diffSnapshots, snapshotRates, type SnapshotDiff } from './diff';
export { buildMonthlyReport, dueReminder, type MonthlyReport } from './monthly';

export const REPORT_FORMATS = ['pdf', 'xlsx', 'csv', 'geojson', 'gpkg'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOutcome {
  report: MonthlyReport;
  /** Files written (csv and geojson write several). */
  files: string[];
  /** PDF page count. */
  pages?: number;
  /** Set when the month had no snapshot and today's analysis stood in for it. */
  note?: string;
}

/** Writes the month's report in one format. A GeoPackage is never written over an existing file. */
export async function exportMonthlyReport(path: string, opts: { month: string; format: ReportFormat; out: string; now?: Date }): Promise<ReportOutcome> {
  const month = parseMonth(opts.month);
  if (!(REPORT_FORMATS as readonly string[]).includes(opts.format)) throw new RangeError(`format: found "${opts.format}"; expected ${REPORT_FORMATS.join('|')}`);
  if (opts.format === 'gpkg' && existsSync(opts.out)) throw new RangeError(`out: ${opts.out} exists; a GeoPackage is never overwritten`);
  const src = await openReportSources(path, month);
  try {
    const report = monthlyFromSources(src, opts.now);
    const note = src.currentSaved ? undefined
      : `注意：${monthLabelZh(month)}尚未保存快照，本报告使用当前分析结果（保存快照：snapshot 工作空间 --label ${month}）。`;
    const out = opts.out;
    switch (opts.format) {
      case 'pdf': {
        const pages = await writeAtlasPdf({
          report, note, sources: src.layerSources, generatedAt: opts.now,
          map: { counties: src.countyPolygons, townships: src.townshipPolygons, snapshot: src.current, ...src.coverage() },
        }, out);
        return { report, files: [out], pages, note };
      }
      case 'xlsx':
        await writeXlsx(reportTables(report), out, { title: `${report.monthZh} 月报`, synthetic: report.synthetic });
        return { report, files: [out], note };
      case 'csv':
        return { report, files: writeCsvFiles(reportTables(report), out), note };
      case 'geojson':
        return { report, files: writeGeoJSONFiles(report, src.current, out), note };
      case 'gpkg':
        await writeResultsGeoPackage(out, report, src.current, src.countyPolygons);
        return { report, files: [out], note };
    }
  } finally {
    src.close();
  }
}

export interface MapOptions {
  /** One county's map; the city otherwise. */
  county?: string;
  /** YYYY-MM: that month's snapshot; default: the current analysis. */
  month?: string;
  dpi: number;
  paper: keyof typeof PAPER;
  /** .png or .svg */
  out: string;
}

/** Renders a map sheet with title, legend, scale bar, north arrow, date and sources. */
export async function renderMap(path: string, opts: MapOptions): Promise<void> {
  if (!/\.(png|svg)$/i.test(opts.out)) throw new RangeError(`out: found "${opts.out}"; expected a .png or .svg file`);
  if (!(opts.dpi >= 72 && opts.dpi <= 300)) throw new RangeError(`dpi: found ${opts.dpi}; expected 72..300`);
  if (!(opts.paper in PAPER)) throw new RangeError(`paper: found "${opts.paper}"; expected A3 or A4`);
  const month = opts.month ? parseMonth(opts.month) : chinaDate(new Date()).slice(0, 7);
  const src = await openReportSources(path, month);
  try {
    const county = opts.county;
    const known = new Set(src.current.villages.map((k) => k.slice(0, k.indexOf('/'))));
    if (county && !known.has(county)) throw new RangeError(`county: found "${county}"; expected one of ${[...known].join(', ')}`);
    const focus = src.counties.filter((c) => c.focus).map((c) => c.name);
    const sheet = mapSheet(
      { counties: src.countyPolygons, townships: county ? src.townshipPolygons : [], snapshot: src.current, county,
        emphasise: county ? [] : focus, rasterScale: Math.min(opts.dpi / 72, 3), ...src.coverage() },
      { title: `${county ?? '赣州市'} 4G与宽带覆盖 · ${monthLabelZh(src.current.month)}`, date: src.current.date, sources: src.layerSources, synthetic: src.synthetic },
      opts.paper,
    );
    const svg = sceneToSvg(sheet.prims, sheet.width, sheet.height);
    writeFileSync(opts.out, /\.svg$/i.test(opts.out) ? svg : await svgToPng(svg, sheet.width, sheet.height, opts.dpi));
  } finally {
    src.close();
  }
}
