// The file-based analysis on every core. The settlements file and the coverage files are scanned as
// independent units (gis/scan): this thread takes the settlements, then every thread claims coverage files,
// biggest first, from a shared counter. Each scanned file's polygons go into shared memory, so that the
// classification is cut into ranges of points that any thread claims: the last files do not keep one thread
// busy while the others wait. The report is the same as from one thread reading the files in order.
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import type { AnalysisOptions, AnalysisReport, CampaignContext } from '../gis';
import { classifyRange } from '../gis/classify';
import { CoverageFile, finishAnalysis, SettlementFile, type Classifier, type CoverageFileResult, type CoverageKind } from '../gis/scan';
import { scanGeoJsonFile } from './fast-read';
import { startDataWorker } from './node-worker';

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

/** Points per classification range: small enough to balance the threads at the end, big enough to be cheap. */
export const RANGE_POINTS = 8192;

/** One coverage file to scan; `slot` is its place among the results (mobile files first, in the user's order). */
export interface CoverageJob { kind: CoverageKind; path: string; slot: number }

/** control[CLAIM]: the next job to scan. control[POINTS]: 1 once the points are out. control[PUBLISHED]:
 * bumped at every message between threads. control[RANGES + k]: the next range of job k to classify. */
export const CLAIM = 0;
export const POINTS = 1;
export const PUBLISHED = 2;
const RANGES = 3;

/** The settlements' positions, their Hilbert order and one mask per job, all in shared memory. */
export interface SharedPoints { lon: Float64Array; lat: Float64Array; order: Uint32Array; masks: Uint8Array[] }

export type CrewMessage =
  | { kind: 'points'; points: SharedPoints | null }
  | { kind: 'file'; job: number; result: CoverageFileResult; classifier: Classifier | null }
  | { kind: 'done' };

/** What a worker gets: the jobs, biggest first, the shared counters, and one port to each other thread. */
export interface WorkerData { jobs: CoverageJob[]; options: AnalysisOptions; control: Int32Array; peers: MessagePort[]; rangePoints: number }

export function controlArray(jobs: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (RANGES + jobs)));
}

/** A copy in shared memory: a thread's typed arrays are its own, a SharedArrayBuffer's are everyone's. */
export function shared<T extends Float64Array | Uint32Array | Uint8Array>(a: T): T {
  const Ctor = a.constructor as { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const copy = new Ctor(new SharedArrayBuffer(a.length * Ctor.BYTES_PER_ELEMENT));
  copy.set(a);
  return copy;
}

/** One thread's part: scanning claimed files, publishing them to the others, classifying claimed ranges. */
export class CrewMember {
  readonly files: ({ result: CoverageFileResult; classifier: Classifier | null } | undefined)[];
  points: SharedPoints | null | undefined;

  constructor(
    private readonly jobs: readonly CoverageJob[],
    private readonly options: AnalysisOptions,
    private readonly control: Int32Array,
    private readonly peers: readonly MessagePort[],
    private readonly rangePoints = RANGE_POINTS,
  ) {
    this.files = new Array(jobs.length);
  }

  /** Scans coverage files from the shared counter until none is left; each is published as soon as packed. */
  scanClaimed(): void {
    const { jobs, control } = this;
    for (let k = Atomics.add(control, CLAIM, 1); k < jobs.length; k = Atomics.add(control, CLAIM, 1)) {
      const file = new CoverageFile(jobs[k].kind, jobs[k].path, this.options);
      file.scanned(scanGeoJsonFile(jobs[k].path, file.scanner()));
      const released = file.release(this.peers.length ? shared : undefined);
      this.files[k] = released;
      this.publish({ kind: 'file', job: k, ...released });
    }
  }

  publish(message: CrewMessage): void {
    for (const peer of this.peers) peer.postMessage(message);
    Atomics.add(this.control, PUBLISHED, 1);
    Atomics.notify(this.control, PUBLISHED);
  }

  /** Takes in what the other threads have published so far. */
  receive(): void {
    for (const peer of this.peers) {
      for (let m = receiveMessageOnPort(peer); m; m = receiveMessageOnPort(peer)) {
        const message = m.message as CrewMessage;
        if (message.kind === 'points') this.points = message.points;
        else if (message.kind === 'file') this.files[message.job] = { result: message.result, classifier: message.classifier };
      }
    }
  }

  /**
   * Classifies ranges of every file known here until none is left to claim. Returns true when nothing is left
   * for any thread to start; false while the points or some file have not arrived yet.
   */
  classifyClaimed(): boolean {
    this.receive();
    const points = this.points;
    if (points === undefined) return false;
    let complete = true;
    const n = points ? points.lon.length : 0;
    const step = this.rangePoints;
    const ranges = Math.ceil(n / step);
    for (let k = 0; k < this.jobs.length; k++) {
      const file = this.files[k];
      if (!file) {
        complete = false;
        continue;
      }
      if (!file.classifier || !points) continue;
      const { set, index } = file.classifier;
      for (let r = Atomics.add(this.control, RANGES + k, 1); r < ranges; r = Atomics.add(this.control, RANGES + k, 1)) {
        classifyRange(points.lon, points.lat, set, index, points.order, r * step, Math.min(n, (r + 1) * step), points.masks[k]);
      }
      // Every range is taken: the polygons are freed once no thread holds them.
      file.classifier = null;
    }
    return complete;
  }
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
  const control = controlArray(jobs.length);
  const mesh = portMesh(workers + 1);
  const rangePoints = parallel.rangePoints ?? RANGE_POINTS;
  const crews = mesh.slice(1).map((peers) => startWorker({ jobs, options, control, peers, rangePoints }));
  const self = new CrewMember(jobs, options, control, mesh[0], rangePoints);

  const settlements = new SettlementFile(files.settlements);
  try {
    const points = settlements.scanned(scanGeoJsonFile(files.settlements, settlements.scanner()));
    const n = points ? points.lon.length : 0;
    // Masks are shared even without workers: classifyRange writes straight into them.
    self.points = points && {
      lon: crews.length ? shared(points.lon) : points.lon,
      lat: crews.length ? shared(points.lat) : points.lat,
      order: crews.length ? shared(points.order) : points.order,
      masks: jobs.map(() => (crews.length ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n))),
    };
    self.publish({ kind: 'points', points: self.points });
    Atomics.store(control, POINTS, 1);
    Atomics.notify(control, POINTS);

    self.scanClaimed();
    // Rejects when a worker fails; never resolves otherwise.
    const failed = Promise.race(crews.map((c) => c.done.then(() => new Promise<never>(() => undefined))));
    failed.catch(() => undefined);
    for (;;) {
      const seen = Atomics.load(control, PUBLISHED);
      if (self.classifyClaimed()) break;
      // Waits for another thread's next file without blocking this thread's event loop, so that a worker's
      // failure is still heard.
      const wait = Atomics.waitAsync(control, PUBLISHED, seen, 1000);
      await Promise.race([wait.value, failed]);
    }
    await Promise.all(crews.map((c) => c.done));
  } catch (e) {
    // A worker may be waiting for points or files that will never come: stop them all, or the process would not exit.
    for (const crew of crews) {
      crew.done.catch(() => undefined);
      void crew.worker.terminate();
    }
    throw e;
  }
  const results: CoverageFileResult[] = new Array(jobs.length);
  jobs.forEach((job, k) => {
    const file = self.files[k]!;
    results[job.slot] = { ...file.result, mask: file.result.fileIssue || file.result.issueCount || !self.points ? null : self.points.masks[k] };
  });
  return finishAnalysis(settlements, results, options, campaign);
}

/** ports[i]: thread i's port to each other thread (one MessageChannel per pair). */
function portMesh(threads: number): MessagePort[][] {
  const ports: MessagePort[][] = Array.from({ length: threads }, () => []);
  for (let i = 0; i < threads; i++) {
    for (let j = i + 1; j < threads; j++) {
      const { port1, port2 } = new MessageChannel();
      ports[i].push(port1);
      ports[j].push(port2);
    }
  }
  return ports;
}

function startWorker(workerData: WorkerData): { worker: Worker; done: Promise<void> } {
  const worker = startDataWorker('analyze-files-worker', { workerData, transferList: workerData.peers });
  const done = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: CrewMessage) => {
      if (m.kind === 'done') {
        resolve();
        void worker.terminate();
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`an analysis worker stopped early (exit code ${code})`)));
  });
  return { worker, done };
}
