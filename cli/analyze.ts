// `analyze`: the coverage question from GeoJSON files or from a workspace.
import { writeFileSync } from 'node:fs';
import { completeReport, resolveOptions, type AnalysisOptions, type AnalysisReport, type CampaignContext } from '../gis';
import { analyzeGeoJsonFilesPending, writeGeoJsonAnalysisJson } from '../data/analyze-files';
import { FILE_ANALYZE_OPTIONS, threadsOption } from './analyze-options';
import { numberOption, parseArgs, single, UsageError, type ParsedArgs } from './args';
import { formatCsv, formatTable } from './format';

export type OutputFormat = 'table' | 'json' | 'csv';

export function analysisOptionsFrom(args: ParsedArgs): Partial<AnalysisOptions> {
  const fraction = (n: number) => n >= 0 && n <= 1;
  const techs = single(args, 'mobile-tech');
  return {
    minHouseholds: numberOption(args, 'min-households', (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0'),
    targetMobile: numberOption(args, 'target-mobile', fraction, 'a fraction between 0 and 1, e.g. 0.95'),
    targetBroadband: numberOption(args, 'target-broadband', fraction, 'a fraction between 0 and 1, e.g. 0.75'),
    mobileTechs: techs === undefined ? undefined : techs.split(',').map((t) => t.trim()).filter(Boolean),
  };
}

export function outputFormat(args: ParsedArgs): OutputFormat {
  const f = single(args, 'format') ?? 'table';
  if (f !== 'table' && f !== 'json' && f !== 'csv') throw new UsageError(`--format: found "${f}"; expected table, json or csv`);
  return f;
}

export function renderReport(report: AnalysisReport, format: OutputFormat, focusOrder: readonly string[]): string {
  if (format === 'json') return JSON.stringify(report) + '\n';
  if (format === 'csv') return formatCsv(report);
  return formatTable(report, focusOrder);
}

export function emit(text: string, out: string | undefined): void {
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

/** File-based analysis: reads every file first, so that all problems of all files are reported together. */
export async function analyzeFiles(argv: readonly string[], campaign: CampaignContext, focusOrder: readonly string[]): Promise<void> {
  const args = parseArgs(argv, FILE_ANALYZE_OPTIONS);
  if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const settlements = single(args, 'settlements');
  const mobile = args.options.mobile ?? [];
  const broadband = args.options.broadband ?? [];
  if (!settlements) throw new UsageError('--settlements FILE is required');
  if (!mobile.length) throw new UsageError('at least one --mobile FILE is required');
  if (!broadband.length) throw new UsageError('at least one --broadband FILE is required');
  const format = outputFormat(args);
  const options = resolveOptions(analysisOptionsFrom(args));
  const threads = threadsOption(args);

  // Streamed: each file passes once through a reused buffer into typed arrays, on every core (data/analyze-files).
  const out = single(args, 'out');
  if (format === 'json' && out) return writeGeoJsonAnalysisJson({ settlements, mobile, broadband }, options, campaign, out, { threads });
  const report = await analyzeGeoJsonFilesPending({ settlements, mobile, broadband }, options, campaign, { threads });
  // The table shows rates and seats only: its report needs no settlement list.
  emit(renderReport(format === 'table' ? report.report : completeReport(report), format, focusOrder), out);
}
