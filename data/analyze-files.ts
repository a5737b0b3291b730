// The file-based analysis on every core: this thread scans the settlements file while worker threads claim the
// coverage files, biggest first; then every thread claims files left and ranges of points to classify
// (data/analysis-crew.ts). The report is the same as from one thread reading the files in order.
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { completeReport, type AnalysisOptions, type AnalysisReport, type CampaignContext, type PendingReport } from '../gis';
import { finishAnalysisPending, SettlementFile } from '../gis/scan';
import { controlArray, CrewMember, packFileJob, portMesh, RANGE_POINTS, sharedPoints, startCrewWorker, type CoverageJob } from './analysis-crew';
import { scanGeoJsonFile } from './fast-read';

export interface AnalysisFiles {
  settlements: string;
  mobile: readonly string[];
  broadband: readonly string[];
}

export interface ParallelOptions {
  /** Threads in all, this one included (default: the machine's parallelism). 1 never starts a worker. */
  threads?: number;
  /** Below this many input bytes one thread is faster than starting a worker (measured: see bench/RESULTS.md). */
  minParallelBytes?: number;
  /** Points per classification range (default RANGE_POINTS). */
  rangePoints?: number;
}

export const MIN_PARALLEL_BYTES = 64 * 1024 * 1024;

export async function analyzeGeoJsonFiles(...args: Parameters<typeof analyzeGeoJsonFilesPending>): Promise<AnalysisReport> {
  return completeReport(await analyzeGeoJsonFilesPending(...args));
}

/** analyzeGeoJsonFiles() with the settlement list still to be built (writeReportJson builds it batch by batch). */
export async function analyzeGeoJsonFilesPending(
  files: AnalysisFiles,
  options: AnalysisOptions,
  campaign: CampaignContext,
  parallel: ParallelOptions = {},
): Promise<PendingReport> {
  const paths = [...files.mobile.map((path) => ['mobile', path] as const), ...files.broadband.map((path) => ['broadband', path] as const)];
  const inputs: CoverageJob[] = paths.map(([kind, path], slot) => ({ kind, path, name: path, slot }));
  const size = (path: string) => { try { return statSync(path).size; } catch { return 0; } };
  const bytes = new Map(paths.map(([, path]) => [path, size(path)]));
  const jobs = [...inputs].sort((a, b) => bytes.get(b.path!)! - bytes.get(a.path!)! || a.slot - b.slot);
  const total = size(files.settlements) + [...bytes.values()].reduce((a, b) => a + b, 0);

  const threads = Math.max(1, Math.min(parallel.threads ?? availableParallelism(), jobs.length + 1));
  const workers = total >= (parallel.minParallelBytes ?? MIN_PARALLEL_BYTES) ? threads - 1 : 0;
  const data = { jobs, options, control: controlArray(jobs.length), rangePoints: parallel.rangePoints ?? RANGE_POINTS };
  const mesh = portMesh(workers + 1);
  const crews = mesh.slice(1).map((peers) => startCrewWorker({ ...data, peers }));
  const self = new CrewMember(data, mesh[0], packFileJob);

  const settlements = new SettlementFile(files.settlements);
  try {
    self.publishPoints(sharedPoints(settlements.scanned(scanGeoJsonFile(files.settlements, settlements.scanner())), jobs.length, crews.length > 0));
    // Rejects when a worker fails; never resolves otherwise.
    const failed = Promise.race(crews.map((c) => c.done.then(() => new Promise<never>(() => undefined))));
    failed.catch(() => undefined);
    await self.workUntilDoneAsync(failed);
    await Promise.all(crews.map((c) => c.done));
  } catch (e) {
    // A worker may be waiting for points or files that will never come: stop them all, or the process would not exit.
    for (const crew of crews) void crew.worker.terminate();
    throw e;
  }
  return finishAnalysisPending(settlements, self.results(), options, campaign);
}
