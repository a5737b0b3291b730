// The file-based analysis on every core: the settlements file and the coverage files are scanned as
// independent units (gis/scan), biggest coverage files first, by this thread and by worker threads that
// claim files from a shared counter. The report is the same as from one thread reading the files in order.
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { AnalysisOptions, AnalysisReport, CampaignContext } from '../gis';
import { CoverageFile, finishAnalysis, SettlementFile, type CoverageFileResult, type CoverageKind } from '../gis/scan';
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
}

export const MIN_PARALLEL_BYTES = 64 * 1024 * 1024;

/** One coverage file to scan; `slot` is its place among the results (mobile files first, in the user's order). */
export interface CoverageJob { kind: CoverageKind; path: string; slot: number }

/** What a worker gets: the jobs, biggest first, claimed through control[CLAIM]; points arrive on `port`. */
export interface WorkerData { jobs: CoverageJob[]; options: AnalysisOptions; control: Int32Array; port: MessagePort }
export type WorkerMessage = { kind: 'result'; slot: number; result: CoverageFileResult } | { kind: 'done' };

/** control[CLAIM]: the next job to take. control[POINTS]: 0 until the settlements are scanned, then 1. */
export const CLAIM = 0;
export const POINTS = 1;

/** Scans, packs and indexes one coverage file: all but the classification, which needs the settlements. */
export function scanCoverageJob(job: CoverageJob, options: AnalysisOptions): CoverageFile {
  const file = new CoverageFile(job.kind, job.path, options);
  file.scanned(scanGeoJsonFile(job.path, file.scanner()));
  return file;
}

export async function analyzeGeoJsonFiles(
  files: AnalysisFiles,
  options: AnalysisOptions,
  campaign: CampaignContext,
  parallel: ParallelOptions = {},
): Promise<AnalysisReport> {
  const jobs: CoverageJob[] = [
    ...files.mobile.map((path) => ({ kind: 'mobile' as const, path })),
    ...files.broadband.map((path) => ({ kind: 'broadband' as const, path })),
  ].map((j, slot) => ({ ...j, slot }));
  const size = (path: string) => { try { return statSync(path).size; } catch { return 0; } };
  const bytes = new Map(jobs.map((j) => [j.path, size(j.path)]));
  jobs.sort((a, b) => bytes.get(b.path)! - bytes.get(a.path)! || a.slot - b.slot);
  const total = size(files.settlements) + [...bytes.values()].reduce((a, b) => a + b, 0);

  const threads = Math.max(1, Math.min(parallel.threads ?? availableParallelism(), jobs.length + 1));
  const workers = total >= (parallel.minParallelBytes ?? MIN_PARALLEL_BYTES) ? threads - 1 : 0;
  const control = new Int32Array(new SharedArrayBuffer(8));
  const results: CoverageFileResult[] = new Array(jobs.length);
  const crews = Array.from({ length: workers }, () => startWorker({ jobs, options, control }, results));

  const settlements = new SettlementFile(files.settlements);
  try {
    const points = settlements.scanned(scanGeoJsonFile(files.settlements, settlements.scanner()));
    for (const crew of crews) crew.port.postMessage(points);
    Atomics.store(control, POINTS, 1);
    Atomics.notify(control, POINTS);

    for (let k = Atomics.add(control, CLAIM, 1); k < jobs.length; k = Atomics.add(control, CLAIM, 1)) {
      results[jobs[k].slot] = scanCoverageJob(jobs[k], options).classify(points);
    }
    await Promise.all(crews.map((c) => c.done));
  } catch (e) {
    // A worker may be waiting for points that will never come: stop them all, or the process would not exit.
    for (const crew of crews) {
      crew.done.catch(() => undefined);
      void crew.worker.terminate();
    }
    throw e;
  }
  return finishAnalysis(settlements, results, options, campaign);
}

function startWorker(data: Omit<WorkerData, 'port'>, results: CoverageFileResult[]): { worker: Worker; port: MessagePort; done: Promise<void> } {
  const { port1, port2 } = new MessageChannel();
  const url = new URL(import.meta.url.endsWith('.ts') ? './analyze-files-worker.ts' : './analyze-files-worker.mjs', import.meta.url);
  const workerData: WorkerData = { ...data, port: port2 };
  // From TypeScript sources (tsx: the CLI, tests) the worker registers tsx itself: Node 20 does not apply
  // tsx's loader inside worker threads. Bundled, the worker is its own .mjs entry beside this chunk.
  const worker = url.pathname.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`,
      { eval: true, workerData, transferList: [port2] })
    : new Worker(url, { workerData, transferList: [port2] });
  const done = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'result') results[m.slot] = m.result;
      else {
        resolve();
        void worker.terminate();
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`an analysis worker stopped early (exit code ${code})`)));
  });
  return { worker, port: port1, done };
}
