// The file-based analysis fed from bytes: each file's features are validated and packed as they arrive,
// with the same checks and messages as analyzeCoverage() over parsed objects. Files are independent units
// (SettlementFile, CoverageFile), so that a caller may scan them on several threads; finishAnalysis()
// puts the pieces together in the files' order, as if they had been read one after another.
import { completeReport, summarizeRates, summarizeSeats, type PendingReport } from '../analyze';
import { EMPTY_CAMPAIGN, type CampaignContext } from '../campaign';
import { hilbertOrder } from '../classify';
import { IssueList } from '../issues';
import type { AnalysisOptions, AnalysisReport } from '../report';
import type { SettlementGroups } from '../settlement-groups';
import { SETTLEMENT_FIELDS, SettlementTableBuilder, type SettlementTable } from '../settlement-table';
import type { InputIssue } from '../types';
import type { CoverageFileResult, OrderedPoints } from './coverage-file';
import { GeoJsonScanner } from './scanner';

export { GeoJsonScanner, LOOKAHEAD, type FeatureSink } from './scanner';
export { CoverageFile, type Classifier, type CoverageFileResult, type CoverageKind, type OrderedPoints } from './coverage-file';
export { PackedCoordinates } from './coordinates';
export { MAX_DEPTH } from './parser';
export { decodeUtf8 } from './utf8';

/** The settlements file of a streamed analysis. */
export class SettlementFile {
  readonly issues = new IssueList();
  private readonly builder: SettlementTableBuilder;
  private fileIssue: InputIssue | null = null;
  private table: SettlementTable | null = null;

  constructor(readonly name: string) {
    this.builder = new SettlementTableBuilder(name, this.issues);
  }

  scanner(): GeoJsonScanner {
    return new GeoJsonScanner(this.name, (f, _i, reader) => this.builder.add(f, reader), SETTLEMENT_FIELDS);
  }

  /** Records the scanner's whole-file problem; returns the points to classify, or null when the file had problems. */
  scanned(fileIssue: InputIssue | null): OrderedPoints | null {
    if (this.table) throw new Error(`SettlementFile ${this.name}: scanned() twice`);
    this.fileIssue = fileIssue;
    const table = (this.table = this.builder.finish());
    if (fileIssue || this.issues.count > 0) return null;
    return { lon: table.lon, lat: table.lat, order: hilbertOrder(table.lon, table.lat) };
  }

  result(): { table: SettlementTable; fileIssue: InputIssue | null; issues: IssueList } {
    if (!this.table) throw new Error(`SettlementFile ${this.name}: result() before scanned()`);
    return { table: this.table, fileIssue: this.fileIssue, issues: this.issues };
  }
}

/**
 * The report from a scanned settlements file and every coverage file's result, given mobile files first, each
 * kind in the order the user named them. Throws InputError: whole-file problems first (alone), then feature
 * problems, in file order, capped as one list.
 */
export function finishAnalysis(...args: Parameters<typeof finishAnalysisPending>): AnalysisReport {
  return completeReport(finishAnalysisPending(...args));
}

/** finishAnalysis() with the settlement list left to be built from its columns (see PendingReport). */
export function finishAnalysisPending(
  settlements: SettlementFile,
  coverage: readonly CoverageFileResult[],
  options: AnalysisOptions,
  campaign: CampaignContext = EMPTY_CAMPAIGN,
  groups?: SettlementGroups,
): PendingReport {
  const { table, mobile, broadband, inputs } = checkedCoverage(settlements, coverage);
  return summarizeRates(table, mobile, broadband, campaign, options, inputs, groups);
}

/** finishAnalysisPending() but for the rates, which another thread computes from the same groups (summarizeSeats). */
export function finishAnalysisSeats(
  settlements: SettlementFile,
  coverage: readonly CoverageFileResult[],
  options: AnalysisOptions,
  groups: SettlementGroups,
): PendingReport<null> {
  const { table, mobile, broadband, inputs } = checkedCoverage(settlements, coverage);
  return summarizeSeats(table, mobile, broadband, options, inputs, groups);
}

/** The settlements and each kind's combined mask; throws the inputs' problems (see finishAnalysis). */
function checkedCoverage(settlements: SettlementFile, coverage: readonly CoverageFileResult[]) {
  const { table, fileIssue, issues } = settlements.result();
  const fileIssues = new IssueList();
  for (const p of [fileIssue, ...coverage.map((c) => c.fileIssue)]) if (p) fileIssues.add(p.source, p.feature, p.field, p.message);
  fileIssues.throwIfAny();
  const featureIssues = new IssueList();
  featureIssues.absorb(issues.items, issues.count);
  for (const c of coverage) featureIssues.absorb(c.issues, c.issueCount);
  featureIssues.throwIfAny();

  for (const c of coverage) if (!c.mask) throw new Error(`finishAnalysis: ${c.name} was not classified`);
  const { mobile, broadband, mobilePolygons, broadbandPolygons } = combineCoverage(table.count, coverage);
  return { table, mobile, broadband, inputs: { settlements: table.count, mobilePolygons, broadbandPolygons } };
}

/** into[i] |= mask[i] for every i < into.length. */
function orInto(into: Uint8Array, mask: Uint8Array): void {
  for (let i = 0; i < into.length; i++) into[i] |= mask[i];
}

export interface CombinedCoverage { mobile: Uint8Array; broadband: Uint8Array; mobilePolygons: number; broadbandPolygons: number }

/** Each kind's mask is the OR of its inputs' masks (inputs without one add nothing); polygons are counted per kind. */
export function combineCoverage(count: number, coverage: readonly CoverageFileResult[]): CombinedCoverage {
  const out: CombinedCoverage = { mobile: new Uint8Array(count), broadband: new Uint8Array(count), mobilePolygons: 0, broadbandPolygons: 0 };
  for (const c of coverage) {
    const into = c.kind === 'mobile' ? out.mobile : out.broadband;
    if (c.mask) orInto(into, c.mask);
    if (c.kind === 'mobile') out.mobilePolygons += c.polygons;
    else out.broadbandPolygons += c.polygons;
  }
  return out;
}
