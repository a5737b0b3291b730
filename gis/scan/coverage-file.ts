// One coverage file's (or layer's) share of a streamed analysis: scanned, packed, indexed and classified on its own, so
// that files can be spread over threads. A point's operators are the union over files, so masks combine by OR.
import { classifyRange, indexPolygons, type ClassifiableSet, type PolygonIndex } from '../classify';
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

  /** `shared`: the polygons are packed in shared memory, for release() to hand to other threads uncopied. */
  constructor(readonly kind: CoverageKind, readonly name: string, options: AnalysisOptions, shared = false) {
    this.builder = new PolygonSetBuilder(coverageBuildOptions(kind, options.mobileTechs), this.issues, shared);
  }

  /** The scanner to feed this file's bytes to. */
  scanner(): GeoJsonScanner {
    return new GeoJsonScanner(this.name, (f, i, reader) => this.builder.add(0, this.name, i, f, reader), COVERAGE_FIELDS);
  }

  /** Feeds the features another way than as bytes (e.g. a workspace layer's rows), then packs them as scanned() does. */
  filled(feed: (builder: PolygonSetBuilder) => void): void {
    feed(this.builder);
    this.scanned(null);
  }

  /** Records the scanner's whole-file problem, then packs and indexes the polygons (no points needed yet). */
  scanned(fileIssue: InputIssue | null): void {
    if (this.packed) throw new Error(`CoverageFile ${this.name}: scanned() twice`);
    this.fileIssue = fileIssue;
    const set = this.builder.finish();
    this.packed = { set, index: this.usable ? indexPolygons(set) : null };
  }

  /**
   * The file's result without its mask, and what classifying points against it needs: null when the file
   * had problems or no polygons (its mask is then all zeros or null). Lets go of the polygons here. `copy`
   * receives each array kept, e.g. to move it into shared memory so that other threads classify too.
   */
  release(copy: <T extends TypedArray>(a: T) => T = (a) => a): { result: CoverageFileResult; classifier: Classifier | null } {
    if (!this.packed) throw new Error(`CoverageFile ${this.name}: released before scanned(), or twice`);
    const { set, index } = this.packed;
    this.packed = null;
    const result: CoverageFileResult = {
      kind: this.kind,
      name: this.name,
      fileIssue: this.fileIssue,
      issues: this.issues.items,
      issueCount: this.issues.count,
      polygons: set.polygonCount,
      mask: null,
    };
    if (!index || !this.usable) return { result, classifier: null };
    return {
      result,
      classifier: {
        set: { polygonCount: set.polygonCount, ringOffsets: copy(set.ringOffsets), vertexOffsets: copy(set.vertexOffsets), coords: copy(set.coords), mask: copy(set.mask) },
        index: {
          count: index.count, boxes: copy(index.boxes), ids: copy(index.ids), levelEnds: index.levelEnds,
          grid: index.grid && { ...index.grid, starts: copy(index.grid.starts), items: copy(index.grid.items) },
        },
      },
    };
  }

  /** True when the file had no problems: its mask counts (all zeros when it has no polygons). */
  get usable(): boolean {
    return !this.fileIssue && this.issues.count === 0;
  }

  /** Classifies all the points on this thread and lets go of the polygons. */
  classify(points: OrderedPoints | null): CoverageFileResult {
    const usable = this.usable && points !== null;
    const { result, classifier } = this.release();
    if (!usable) return result;
    const mask = new Uint8Array(points.lon.length);
    if (classifier) classifyRange(points.lon, points.lat, classifier.set, classifier.index, points.order, 0, mask.length, mask);
    return { ...result, mask };
  }
}

/** A coverage file's polygons as classification reads them; classifyRange over any range of the points. */
export interface Classifier {
  set: ClassifiableSet;
  index: PolygonIndex;
}

type TypedArray = Float64Array | Uint32Array | Uint8Array;
