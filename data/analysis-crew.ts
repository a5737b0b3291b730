// Threads that share one analysis: each claims coverage inputs (GeoJSON files or workspace layers) from a shared
// counter, packs them and publishes their polygons in shared memory; once the settlements' points are out, every
// thread classifies ranges of points against any input, so the inputs packed last do not keep one thread busy
// while the others wait. The masks are the same whichever thread classified which range. For a JSON report the
// first worker then writes the rates (writeRatesJson) from the groups the first thread sends it.
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { groupRatesJson, type AnalysisOptions, type SettlementGroups } from '../gis';
import { classifyRange } from '../gis/classify';
import { combineCoverage, CoverageFile, type Classifier, type CoverageFileResult, type CoverageKind } from '../gis/scan';
import { scanGeoJsonFile } from './fast-read';
import { takeSpareWorker } from './crew-start';
import { startDataWorker } from './node-worker';
import type { StoredColumns } from './workspace/layer-writer';

/** Points per classification range: small enough to balance the threads at the end, big enough to be cheap. */
export const RANGE_POINTS = 2048;

/** A workspace layer to read (each thread opens the file read-only). */
export interface LayerSource { workspace: string; table: string; columns: StoredColumns; source: number }

/** One coverage input: a GeoJSON file (`path`) or a workspace layer (`layer`); `name` is what messages say. */
export interface CoverageJob { kind: CoverageKind; name: string; slot: number; path?: string; layer?: LayerSource }

/** control[CLAIM]: next job to pack. control[PUBLISHED]: bumped at every message. control[FAILED]: 1 once a
 * worker failed. control[RANGES + k] / control[RANGES + jobs + k]: next range of job k to claim / ranges done. */
const CLAIM = 0;
const PUBLISHED = 1;
const FAILED = 2;
const RANGES = 3;

/** The settlements' positions, their Hilbert order and one mask per job. */
export interface SharedPoints { lon: Float64Array; lat: Float64Array; order: Uint32Array; masks: Uint8Array[] }

type Packed = { result: CoverageFileResult; classifier: Classifier | null };

/** What the rates writer needs from the thread that read the settlements (null: the settlements had problems). */
export interface RatesInput { groups: SettlementGroups; households: Float64Array }

export type CrewMessage =
  | { kind: 'points'; points: SharedPoints | null }
  | ({ kind: 'job'; job: number } & Packed)
  | { kind: 'groups'; input: RatesInput | null }
  | { kind: 'rates'; json: Uint8Array | null }
  | { kind: 'failed'; message: string }
  | { kind: 'done' };

export interface CrewData {
  jobs: CoverageJob[];
  options: AnalysisOptions;
  control: Int32Array;
  peers: MessagePort[];
  rangePoints: number;
  /** This worker writes the rates as JSON for the first thread, once every range is classified (writeRatesJson). */
  writesRates?: boolean;
}

/**
 * `a` in shared memory, copied unless it is there already (coverage packed for the crew is): a thread's typed arrays
 * are its own, a SharedArrayBuffer's are everyone's.
 */
export function shared<T extends Float64Array | Uint32Array | Uint8Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const copy = new Ctor(new SharedArrayBuffer(a.length * Ctor.BYTES_PER_ELEMENT));
  copy.set(a);
  return copy;
}

/**
 * Reads and packs one job's polygons on this thread: packFileJob, or workspace/layer-crew.ts's layerPacker.
 * `share`: other threads classify against them too, so they are packed in shared memory.
 */
export type PackJob = (job: CoverageJob, options: AnalysisOptions, share: boolean) => CoverageFile;

export function packFileJob(job: CoverageJob, options: AnalysisOptions, share: boolean): CoverageFile {
  const file = new CoverageFile(job.kind, job.name, options, share);
  file.scanned(scanGeoJsonFile(job.path!, file.scanner()));
  return file;
}

/** One thread's part: packing claimed jobs, publishing them to the others, classifying claimed ranges. */
export class CrewMember {
  readonly packed: (Packed | undefined)[];
  points: SharedPoints | null | undefined;
  ratesInput: RatesInput | null | undefined;
  ratesJson: Uint8Array | null | undefined;

  constructor(
    private readonly data: Omit<CrewData, 'peers'>,
    private readonly peers: readonly MessagePort[],
    private readonly pack: PackJob,
  ) {
    this.packed = new Array(data.jobs.length);
  }

  get control(): Int32Array {
    return this.data.control;
  }

  /** Packs jobs from the shared counter until none is left; each is published as soon as packed. */
  packClaimed(): void {
    const { jobs, control, options } = this.data;
    const share = this.peers.length > 0;
    for (let k = Atomics.add(control, CLAIM, 1); k < jobs.length; k = Atomics.add(control, CLAIM, 1)) {
      const released = this.pack(jobs[k], options, share).release(share ? shared : undefined);
      this.packed[k] = released;
      this.publish({ kind: 'job', job: k, ...released });
    }
  }

  publishPoints(points: SharedPoints | null): void {
    this.points = points;
    this.publish({ kind: 'points', points });
  }

  publish(message: CrewMessage): void {
    for (const peer of this.peers) peer.postMessage(message);
    this.bump();
  }

  /** Sends to one thread: peers[k] is the port to the k-th other thread (a worker's peers[0] is the first thread). */
  sendTo(k: number, message: CrewMessage, transfer: ArrayBuffer[] = []): void {
    this.peers[k].postMessage(message, transfer);
    this.bump();
  }

  private bump(): void {
    Atomics.add(this.control, PUBLISHED, 1);
    Atomics.notify(this.control, PUBLISHED);
  }

  /** Takes in what the other threads have published so far; throws when one of them failed. */
  receive(): void {
    this.drain();
    if (Atomics.load(this.control, FAILED)) {
      // The failing thread posts its error before it raises the flag: it is in the queue by now.
      this.drain();
      throw new Error('an analysis worker failed');
    }
  }

  private drain(): void {
    for (const peer of this.peers) {
      for (let m = receiveMessageOnPort(peer); m; m = receiveMessageOnPort(peer)) {
        const message = m.message as CrewMessage;
        if (message.kind === 'points') this.points = message.points;
        else if (message.kind === 'job') this.packed[message.job] = { result: message.result, classifier: message.classifier };
        else if (message.kind === 'groups') this.ratesInput = message.input;
        else if (message.kind === 'rates') this.ratesJson = message.json;
        else if (message.kind === 'failed') throw new Error(message.message);
      }
    }
  }

  /**
   * Classifies ranges of every job known here until none is left to claim. True when no range is left for any
   * thread to start; false while the points or some job have not arrived.
   */
  classifyClaimed(): boolean {
    this.receive();
    const points = this.points;
    if (points === undefined) return false;
    const { jobs, control, rangePoints } = this.data;
    const n = points ? points.lon.length : 0;
    const ranges = Math.ceil(n / rangePoints);
    let complete = true;
    for (let k = 0; k < jobs.length; k++) {
      const job = this.packed[k];
      if (!job) {
        complete = false;
        continue;
      }
      if (!job.classifier || !points) continue;
      const { set, index } = job.classifier;
      for (let r = Atomics.add(control, RANGES + k, 1); r < ranges; r = Atomics.add(control, RANGES + k, 1)) {
        classifyRange(points.lon, points.lat, set, index, points.order, r * rangePoints, Math.min(n, (r + 1) * rangePoints), points.masks[k]);
        Atomics.add(control, RANGES + jobs.length + k, 1);
        Atomics.notify(control, RANGES + jobs.length + k);
      }
      // Every range is taken: the polygons are freed once no thread holds them.
      job.classifier = null;
    }
    return complete;
  }

  /** Claims work until none is left, blocking this thread while others pack (workers, and callers that cannot await). */
  workUntilDone(): void {
    this.packClaimed();
    this.waitFor(() => this.classifyClaimed());
  }

  /** workUntilDone() for a thread whose event loop must keep turning (to hear of a worker's failure). */
  async workUntilDoneAsync(failed: Promise<never>): Promise<void> {
    this.packClaimed();
    await this.waitForAsync(() => this.classifyClaimed(), failed);
  }

  /** Blocks until `ready()` holds after taking in what other threads published. */
  waitFor(ready: () => boolean): void {
    for (let seen = this.published(); !ready(); seen = this.published()) Atomics.wait(this.control, PUBLISHED, seen, 1000);
  }

  /** waitFor() without blocking the event loop: settles when `ready()` holds, rejects with `failed`. */
  async waitForAsync(ready: () => boolean, failed: Promise<never>): Promise<void> {
    for (let seen = this.published(); !ready(); seen = this.published()) {
      await Promise.race([Atomics.waitAsync(this.control, PUBLISHED, seen, 1000).value, failed]);
    }
  }

  /** The count of messages published so far, read before taking them in: one published after it ends a wait at once. */
  private published(): number {
    const seen = Atomics.load(this.control, PUBLISHED);
    this.receive();
    return seen;
  }

  /**
   * The rates writer's last part: once every range is classified and the settlements' groups have come, the rates
   * of every group as JSON bytes, sent to the first thread (null when some input had problems: that thread then
   * reports them).
   */
  writeRatesJson(): void {
    this.waitForRanges();
    this.waitFor(() => this.ratesInput !== undefined);
    const input = this.ratesInput;
    const results = this.results();
    let json: Uint8Array | null = null;
    if (input && results.every((r) => r.mask)) {
      const { mobile, broadband } = combineCoverage(input.households.length, results);
      json = groupRatesJson(input.groups, input.households, mobile, broadband, this.data.options);
    }
    // Moved, not copied: a copy of the JSON's whole buffer (3.5 MB at M) cost ~5 ms between the two threads.
    this.sendTo(0, { kind: 'rates', json }, json ? [json.buffer as ArrayBuffer] : []);
  }

  /** The rates JSON the rates writer sends (writeRatesJson), once it comes; rejects with `failed`, or when it sent none. */
  async ratesJsonAsync(failed: Promise<never>): Promise<Uint8Array> {
    await this.waitForAsync(() => this.ratesJson !== undefined, failed);
    if (!this.ratesJson) throw new Error('the analysis worker wrote no rates');
    return this.ratesJson;
  }

  /** Blocks until the ranges other threads took are classified too. */
  waitForRanges(): void {
    for (let w = this.rangesLeft(); w; w = this.rangesLeft()) Atomics.wait(this.control, w.at, w.done, 1000);
  }

  /** waitForRanges() without blocking the event loop; rejects with `failed`. */
  async waitForRangesAsync(failed: Promise<never>): Promise<void> {
    for (let w = this.rangesLeft(); w; w = this.rangesLeft()) {
      await Promise.race([Atomics.waitAsync(this.control, w.at, w.done, 1000).value, failed]);
    }
  }

  /** The first job with ranges still being classified: its done-counter's index and value; null when none is left. */
  private rangesLeft(): { at: number; done: number } | null {
    this.receive();
    const { jobs, control, rangePoints } = this.data;
    const ranges = this.points ? Math.ceil(this.points.lon.length / rangePoints) : 0;
    for (let k = 0; k < jobs.length; k++) {
      if (!this.classified(k)) continue;
      const done = Atomics.load(control, RANGES + jobs.length + k);
      if (done < ranges) return { at: RANGES + jobs.length + k, done };
    }
    return null;
  }

  /** Whether job k's ranges are classified at all: a file without problems and polygons, and points to classify. */
  private classified(k: number): boolean {
    const r = this.packed[k]?.result;
    return !!r && !r.fileIssue && r.issueCount === 0 && r.polygons > 0 && !!this.points;
  }

  /** Each job's result with its mask (null when the job or the settlements had problems), in slot order. */
  results(): CoverageFileResult[] {
    const out = new Array<CoverageFileResult>(this.packed.length);
    this.packed.forEach((p, k) => {
      const r = p!.result;
      out[this.data.jobs[k].slot] = { ...r, mask: r.fileIssue || r.issueCount || !this.points ? null : this.points.masks[k] };
    });
    return out;
  }
}

/** The shared counters of a crew for `jobs` jobs. */
export function controlArray(jobs: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (RANGES + 2 * jobs)));
}

/** The points to publish: shared copies when there are other threads; one mask per job. */
export function sharedPoints(points: { lon: Float64Array; lat: Float64Array; order: Uint32Array } | null, jobs: number, share: boolean): SharedPoints | null {
  if (!points) return null;
  const n = points.lon.length;
  return {
    lon: share ? shared(points.lon) : points.lon,
    lat: share ? shared(points.lat) : points.lat,
    order: share ? shared(points.order) : points.order,
    masks: Array.from({ length: jobs }, () => (share ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n))),
  };
}

/** ports[i]: thread i's port to each other thread (one MessageChannel per pair). */
export function portMesh(threads: number): MessagePort[][] {
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

/** Starts one crew worker (or hands a prestarted one its part); `done` settles when it has finished its part or failed. */
export function startCrewWorker(data: CrewData): { worker: Worker; done: Promise<void> } {
  const spare = takeSpareWorker();
  spare?.postMessage(data, data.peers);
  const worker = spare ?? startDataWorker('analysis-crew-worker', { workerData: data, transferList: data.peers });
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
  done.catch(() => undefined);
  return { worker, done };
}

/** Rejects when one of the crews' workers fails or stops early; never settles otherwise (for the *Async waits). */
export function crewFailure(crews: readonly { done: Promise<void> }[]): Promise<never> {
  const failed = Promise.race(crews.map((c) => c.done.then(() => new Promise<never>(() => undefined))));
  failed.catch(() => undefined);
  return failed;
}

/** Marks the crew failed (from a worker), so that threads waiting on it stop. */
export function failCrew(member: CrewMember, error: unknown): void {
  member.publish({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  Atomics.store(member.control, FAILED, 1);
  Atomics.add(member.control, PUBLISHED, 1);
  Atomics.notify(member.control, PUBLISHED);
  for (let i = RANGES; i < member.control.length; i++) Atomics.notify(member.control, i);
}
