// One coverage file's share of a streamed analysis: scanned, packed, indexed and classified on its own, so
// that files can be spread over threads. A point's operators are the union over files, so masks combine by OR.
import { classifyPoints, indexPolygons, type PolygonIndex } from '../classify';
import { IssueList } from '../issues';
import { COVERAGE_FIELDS, coverageBuildOptions, PolygonSetBuilder, type CoverageKind, type PolygonSet } from '../polygon-set';

export type { CoverageKind };
import type { AnalysisOptions } from '../report';
import type { InputIssue } from '../types';
import { GeoJsonScanner } from './scanner';


/** Settlement positions and their Hilbert order, computed once and shared by every file's classification. */
export interface OrderedPoints {
  lon: Float64Array;
  lat: Float64Array;
  order: Uint32Array;
}

export interface CoverageFileResult {
  kind: CoverageKind;
  name: string;
  /** Unreadable file, invalid JSON, not a FeatureCollection. */
  fileIssue: InputIssue | null;
  /** Feature problems, capped like an IssueList; `issueCount` counts them all. */
  issues: InputIssue[];
  issueCount: number;
  polygons: number;
  /** Operator bits per settlement; null when the file had problems (its polygons mean nothing then). */
  mask: Uint8Array | null;
}

export class CoverageFile {
  readonly issues = new IssueList();
  private readonly builder: PolygonSetBuilder;
  private fileIssue: InputIssue | null = null;
  private packed: { set: PolygonSet; index: PolygonIndex | null } | null = null;

  constructor(readonly kind: CoverageKind, readonly name: string, options: AnalysisOptions) {
    this.builder = new PolygonSetBuilder(coverageBuildOptions(kind, options.mobileTechs), this.issues);
  }

  /** The scanner to feed this file's bytes to. */
  scanner(): GeoJsonScanner {
    return new GeoJsonScanner(this.name, (f, i, reader) => this.builder.add(0, this.name, i, f, reader), COVERAGE_FIELDS);
  }

  /** Records the scanner's whole-file problem, then packs and indexes the polygons (no points needed yet). */
  scanned(fileIssue: InputIssue | null): void {
    if (this.packed) throw new Error(`CoverageFile ${this.name}: scanned() twice`);
    this.fileIssue = fileIssue;
    const set = this.builder.finish();
    const usable = !fileIssue && this.issues.count === 0;
    this.packed = { set, index: usable ? indexPolygons(set) : null };
  }

  /** Classifies the points and lets go of the polygons. */
  classify(points: OrderedPoints | null): CoverageFileResult {
    if (!this.packed) throw new Error(`CoverageFile ${this.name}: classify() before scanned(), or twice`);
    const { set, index } = this.packed;
    this.packed = null;
    const usable = !this.fileIssue && this.issues.count === 0 && points !== null;
    return {
      kind: this.kind,
      name: this.name,
      fileIssue: this.fileIssue,
      issues: this.issues.items,
      issueCount: this.issues.count,
      polygons: set.polygonCount,
      mask: usable ? classifyPoints(points.lon, points.lat, set, index, points.order) : null,
    };
  }
}
