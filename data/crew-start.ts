// How many workers a file analysis starts, and workers started before the analysis has loaded: a worker takes
// ~100 ms to boot and load the analysis, and the CLI can start it on the idle core while its own thread loads the
// same modules (cli/main.ts). A spare waits for its part by message (data/analysis-crew-worker.ts). This module
// loads nothing of the analysis itself.
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startDataWorker } from './node-worker';

/** Below this many input bytes one thread is faster than starting a worker (measured: see bench/RESULTS.md). */
export const MIN_PARALLEL_BYTES = 64 * 1024 * 1024;

/**
 * Workers for an analysis of `files` (settlements and coverage) with `coverageFiles` coverage files: one thread
 * per coverage file at most, this one included, and none below `minParallelBytes` of input in all.
 */
export function crewWorkerCount(files: readonly string[], coverageFiles: number, threads?: number, minParallelBytes = MIN_PARALLEL_BYTES): number {
  const all = Math.max(1, Math.min(threads ?? availableParallelism(), coverageFiles + 1));
  return totalBytes(files) >= minParallelBytes ? all - 1 : 0;
}

/** A file's size; 0 for one that cannot be read (the analysis reports its problem). */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function totalBytes(files: readonly string[]): number {
  return files.reduce((sum, path) => sum + fileSize(path), 0);
}

/** What a prestarted worker starts with: it raises booted[0] once Node has started it, before it loads the analysis. */
export interface SpareStart { booted: Int32Array }

const spares: { worker: Worker; booted: Int32Array }[] = [];

/** Starts `count` crew workers that wait for their part; they do not keep the process alive until taken. */
export function prestartCrewWorkers(count: number): void {
  for (let k = 0; k < count; k++) {
    const booted = new Int32Array(new SharedArrayBuffer(4));
    const worker = startDataWorker('analysis-crew-worker', { workerData: { booted } satisfies SpareStart });
    worker.unref();
    const spare = { worker, booted };
    spares.push(spare);
    // One that fails before it is taken is dropped; the analysis then starts another.
    const drop = () => {
      const at = spares.indexOf(spare);
      if (at >= 0) spares.splice(at, 1);
    };
    worker.once('error', drop);
    worker.once('exit', drop);
  }
}

/**
 * Blocks until every prestarted worker has booted, `timeoutMs` at most in all. A new thread compiles Node's built-in
 * modules from code caches that V8 rejects once V8 flags have changed, so a worker that boots after cli/main.ts tunes
 * the compiler for `analyze` took ~25 ms more CPU to start (22 → 45 ms, measured): the flags are changed after this.
 * True when every one has booted.
 */
export function waitForSpareBoot(timeoutMs = 100): boolean {
  const end = performance.now() + timeoutMs;
  for (const { booted } of spares) {
    const left = end - performance.now();
    if (left > 0) Atomics.wait(booted, 0, 0, left);
  }
  return spares.every(({ booted }) => Atomics.load(booted, 0) === 1);
}

/** A prestarted worker, if one is left: the caller posts it its part and listens to it from now on. */
export function takeSpareWorker(): Worker | undefined {
  const worker = spares.shift()?.worker;
  worker?.ref();
  return worker;
}
