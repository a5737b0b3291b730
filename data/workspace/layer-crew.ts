// Workspace coverage layers as jobs of an analysis crew (data/analysis-crew.ts): each thread reads the layers it
// claims through a read-only connection of its own.
import Database from 'better-sqlite3';
import type { AnalysisOptions } from '../../gis';
import { CoverageFile } from '../../gis/scan';
import type { CoverageJob, PackJob } from '../analysis-crew';
import { feedCoverage } from './layer-tables';

/** Packs layer jobs through `db`, or through a read-only connection opened on first use and kept by this thread. */
export function layerPacker(db?: Database.Database): PackJob {
  return (job: CoverageJob, options: AnalysisOptions, share: boolean) => {
    const { workspace, table, columns, source } = job.layer!;
    db ??= new Database(workspace, { readonly: true, fileMustExist: true });
    const file = new CoverageFile(job.kind, job.name, options, share);
    file.filled((builder) => feedCoverage(db!, table, columns, builder, source, job.name));
    return file;
  };
}
