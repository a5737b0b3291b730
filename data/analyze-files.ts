// The file-based analysis on every core: this thread scans the settlements file while worker threads claim the
// coverage files, biggest first; then every thread claims files left and ranges of points to classify
// (data/analysis-crew.ts). The report is the same as from one thread reading the files in order. Written as JSON,
// the first worker computes the rates while this thread writes the settlement list.
import { completeReport, groupSettlements, type AnalysisOptions, type AnalysisReport, type CampaignContext, type PendingReport, type SettlementGroups } from '../gis';
import { finishAnalysisPending, finishAnalysisSeats, SettlementFile } from '../gis/scan';
import { controlArray, CrewMember, crewFailure, packFileJob, portMesh, RANGE_POINTS, sharedPoints, startCrewWorker, type CoverageJob } from './analysis-crew';
import { crewWorkerCount, fileSize } from './crew-start';
import { scanGeoJsonFile, writeReportJson } from './fast-read';

export interface AnalysisFiles {
  settlements: string;
  mobile: readonly string[];
  broadband: readonly string[];
}

export interface ParallelOptions {
  /** Threads in all, this one included (default: the machine's parallelism). 1 never starts a worker. */
  threads?: number;
  /** Below this many input bytes one thread is faster than starting a worker (default MIN_PARALLEL_BYTES). */
  minParallelBytes?: number;
  /** Points per classification range (default RANGE_POINTS). */
  rangePoints?: number;
}

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
  const crew = await classifyFiles(files, options, campaign, parallel, false);
  await crew.finished;
  return finishAnalysisPending(crew.settlements, crew.self.results(), options, campaign, crew.groups);
}

/**
 * JSON.stringify(analyzeGeoJsonFiles(...)) + "\n" written to `path`. With workers, one of them computes the rates
 * and writes them as JSON bytes while this thread writes the settlement list (the two largest parts of the report).
 */
export async function writeGeoJsonAnalysisJson(
  files: AnalysisFiles,
  options: AnalysisOptions,
  campaign: CampaignContext,
  path: string,
  parallel: ParallelOptions = {},
): Promise<void> {
  const crew = await classifyFiles(files, options, campaign, parallel, true);
  const { self, settlements, groups } = crew;
  if (!crew.ratesByWorker || !groups) {
    await crew.finished;
    return writeReportJson(path, finishAnalysisPending(settlements, self.results(), options, campaign, groups));
  }
  try {
    // Waits that let the event loop turn: a worker that stops without a word is heard of (crew.failed).
    await self.waitForRangesAsync(crew.failed);
    const pending = finishAnalysisSeats(settlements, self.results(), options, groups);
    await writeReportJson(path, pending, () => self.ratesJsonAsync(crew.failed));
  } catch (e) {
    crew.stop();
    throw e;
  }
  await crew.finished;
}

interface ClassifiedFiles {
  settlements: SettlementFile;
  /** This thread's part of the crew, with every job's result once `finished`. */
  self: CrewMember;
  /** Undefined when the settlements had problems (then reported by finishAnalysis). */
  groups: SettlementGroups | undefined;
  /** Whether a worker computes the rates (writeRatesJson). */
  ratesByWorker: boolean;
  /** Settles when every worker has finished its part. */
  finished: Promise<void>;
  /** Rejects when a worker fails or stops early; never settles otherwise. */
  failed: Promise<never>;
  stop(): void;
}

/** Reads the files and classifies the settlements against every coverage file, on every core. */
async function classifyFiles(
  files: AnalysisFiles,
  options: AnalysisOptions,
  campaign: CampaignContext,
  parallel: ParallelOptions,
  ratesByWorker: boolean,
): Promise<ClassifiedFiles> {
  const paths = [...files.mobile.map((path) => ['mobile', path] as const), ...files.broadband.map((path) => ['broadband', path] as const)];
  const inputs: CoverageJob[] = paths.map(([kind, path], slot) => ({ kind, path, name: path, slot }));
  const bytes = new Map(paths.map(([, path]) => [path, fileSize(path)]));
  const jobs = [...inputs].sort((a, b) => bytes.get(b.path!)! - bytes.get(a.path!)! || a.slot - b.slot);
  const workers = crewWorkerCount([files.settlements, ...files.mobile, ...files.broadband], jobs.length, parallel.threads, parallel.minParallelBytes);
  const data = { jobs, options, control: controlArray(jobs.length), rangePoints: parallel.rangePoints ?? RANGE_POINTS };
  const mesh = portMesh(workers + 1);
  const writesRates = ratesByWorker && workers > 0;
  const crews = mesh.slice(1).map((peers, k) => startCrewWorker({ ...data, peers, writesRates: writesRates && k === 0 }));
  const self = new CrewMember(data, mesh[0], packFileJob);
  // A worker may be waiting for points, files or groups that will never come: stop them all, or the process would not exit.
  const stop = () => { for (const crew of crews) void crew.worker.terminate(); };

  const settlements = new SettlementFile(files.settlements);
  try {
    const points = settlements.scanned(scanGeoJsonFile(files.settlements, settlements.scanner()));
    self.publishPoints(sharedPoints(points, jobs.length, crews.length > 0));
    // Only this thread has the settlements' names: it groups them while the others start classifying (alone, it
    // groups them after classifying: the same work, and ~10 MB less at the peak for S, measured).
    const group = () => (points ? groupSettlements(settlements.result().table, campaign) : undefined);
    let groups = crews.length ? group() : undefined;
    if (writesRates) self.sendTo(0, { kind: 'groups', input: groups ? { groups, households: settlements.result().table.households } : null });
    const failed = crewFailure(crews);
    await self.workUntilDoneAsync(failed);
    if (!crews.length) groups = group();
    const finished = Promise.all(crews.map((c) => c.done)).then(() => undefined);
    finished.catch(stop);
    return { settlements, self, groups, ratesByWorker: writesRates, finished, failed, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
