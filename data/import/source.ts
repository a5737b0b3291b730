// What every format reader hands to the common import pipeline.
import type { CrsChoice } from '../../api/contract';

export interface SourceRecord {
  /** 1-based sheet/file row for tables, 0-based feature index for feature formats. */
  row: number;
  /** Source geometry (GeoJSON-shaped, source CRS); absent for tables, whose coordinates are columns. */
  geometry?: unknown;
  properties: Record<string, unknown>;
  /** Feature id outside the properties (GeoJSON `id`, KML `id` attribute). */
  id?: string | number;
  /** Set when the record itself is malformed; the pipeline records it as an issue and skips the record. */
  problem?: { field: string; message: string };
}

export interface SourceOptions {
  /** Name used in messages (the path as the caller gave it). */
  displayName: string;
  encoding?: 'utf8' | 'gbk' | 'auto';
  sheet?: string;
  signal?: AbortSignal;
}

export interface Source {
  format: string;
  kind: 'table' | 'features';
  /** Column headers (tables). Feature formats leave this empty: the pipeline collects keys from a first sample. */
  columns: string[];
  sheets?: string[];
  encoding?: string;
  /** WKT from a .prj beside a shapefile. */
  prj?: string;
  /** CRS the file itself declares (GeoJSON `crs` member, KML is always WGS-84). */
  declaredCrs?: { choice: CrsChoice; reason: string };
  warnings: string[];
  /** Iterates once. Throws FileProblem for faults that end the file (bad JSON, truncated .shp…). */
  records: AsyncIterable<SourceRecord>;
  /**
   * The record `records` would yield next when it is already read, without awaiting; undefined when the iterator
   * has to run (to read more, or for anything but a plain record). An await per record was a tenth of reading a
   * large GeoJSON.
   */
  takeRecord?(): SourceRecord | undefined;
  /** Fraction of the file read so far, when known. */
  progress(): number | null;
  close?(): Promise<void>;
}

export interface FormatModule {
  open(path: string, options: SourceOptions): Promise<Source>;
}

/**
 * `records` of a reader that makes records as it reads: the ones already read are taken (`take`, its `takeRecord`),
 * then `more` reads on until it says nothing is left; `close` runs however the iteration ends.
 */
export async function* readRecords(
  take: () => SourceRecord | undefined,
  more: () => Promise<boolean>,
  close: () => Promise<void>,
): AsyncGenerator<SourceRecord> {
  try {
    for (;;) {
      const rec = take();
      if (rec) yield rec;
      else if (!(await more())) return;
    }
  } finally {
    await close();
  }
}

/**
 * takeRecord() over a queue a reader fills as it reads: the records in order, without awaiting; undefined when all
 * are taken (the queue is then emptied for the next piece's records).
 */
export function takeFrom(queue: SourceRecord[]): () => SourceRecord | undefined {
  let head = 0;
  return () => {
    if (head < queue.length) return queue[head++];
    if (head > 0) queue.length = head = 0;
    return undefined;
  };
}
