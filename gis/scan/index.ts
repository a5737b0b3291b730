// The file-based analysis fed from bytes: each file's features are validated and packed as they arrive,
// with the same checks and messages as analyzeCoverage() over parsed objects.
import { resolveOptions, summarize } from '../analyze';
import { EMPTY_CAMPAIGN, type CampaignContext } from '../campaign';
import { classifyPoints } from '../classify';
import { IssueList } from '../issues';
import { COVERAGE_FIELDS, PolygonSetBuilder } from '../polygon-set';
import type { AnalysisOptions, AnalysisReport } from '../report';
import { SETTLEMENT_FIELDS, SettlementTableBuilder, type SettlementTable } from '../settlement-table';
import type { InputIssue } from '../types';
import { GeoJsonScanner } from './scanner';

export { GeoJsonScanner, type FeatureSink } from './scanner';
export { PackedCoordinates } from './coordinates';
export { MAX_DEPTH } from './parser';
export { decodeUtf8 } from './utf8';

/**
 * One analysis over streamed files. Open the settlements file first, then mobile files, then broadband
 * files (the order of their messages); feed each scanner, end it, and pass its result to fileProblem().
 */
export class CoverageScan {
  readonly options: AnalysisOptions;
  /** Whole-file problems (unreadable, invalid JSON, not a FeatureCollection): reported alone, like the object path. */
  readonly fileIssues = new IssueList();
  readonly featureIssues = new IssueList();
  private settlementBuilder: SettlementTableBuilder | null = null;
  private readonly mobileBuilder: PolygonSetBuilder;
  private readonly broadbandBuilder: PolygonSetBuilder;
  private mobileFiles = 0;
  private broadbandFiles = 0;

  constructor(options: Partial<AnalysisOptions> = {}) {
    this.options = resolveOptions(options);
    this.mobileBuilder = new PolygonSetBuilder({ techs: this.options.mobileTechs, defaultTech: '4G' }, this.featureIssues);
    this.broadbandBuilder = new PolygonSetBuilder({ defaultTech: 'FTTH' }, this.featureIssues);
  }

  settlements(name: string): GeoJsonScanner {
    if (this.settlementBuilder) throw new Error('CoverageScan: only one settlements file');
    const builder = (this.settlementBuilder = new SettlementTableBuilder(name, this.featureIssues));
    return new GeoJsonScanner(name, (f, _i, reader) => builder.add(f, reader), SETTLEMENT_FIELDS);
  }

  mobile(name: string): GeoJsonScanner {
    const s = this.mobileFiles++;
    return new GeoJsonScanner(name, (f, i, reader) => this.mobileBuilder.add(s, name, i, f, reader), COVERAGE_FIELDS);
  }

  broadband(name: string): GeoJsonScanner {
    const s = this.broadbandFiles++;
    return new GeoJsonScanner(name, (f, i, reader) => this.broadbandBuilder.add(s, name, i, f, reader), COVERAGE_FIELDS);
  }

  fileProblem(issue: InputIssue | null): void {
    if (issue) this.fileIssues.add(issue.source, issue.feature, issue.field, issue.message);
  }

  /** Throws InputError (whole-file problems first, alone), else classifies and summarizes. */
  finish(campaign: CampaignContext = EMPTY_CAMPAIGN): AnalysisReport {
    this.fileIssues.throwIfAny();
    if (!this.settlementBuilder) throw new Error('CoverageScan: no settlements file was scanned');
    this.featureIssues.throwIfAny();
    const table = this.settlementBuilder.finish();
    // Each layer's polygons are dropped once classified, before the report is built.
    const mobile = classifyLayer(this.mobileBuilder, table);
    const broadband = classifyLayer(this.broadbandBuilder, table);
    return summarize(table, mobile.mask, broadband.mask, campaign, this.options, {
      settlements: table.count,
      mobilePolygons: mobile.polygons,
      broadbandPolygons: broadband.polygons,
    });
  }
}

function classifyLayer(builder: PolygonSetBuilder, table: SettlementTable): { mask: Uint8Array; polygons: number } {
  const set = builder.finish();
  return { mask: classifyPoints(table.lon, table.lat, set), polygons: set.polygonCount };
}
