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

const spares: Worker[] = [];

/** Starts `count` crew workers that wait for their part; they do not keep the process alive until taken. */
export function prestartCrewWorkers(count: number): void {
  for (let k = 0; k < count; k++) {
    const worker = startDataWorker('analysis-crew-worker', { workerData: null });
    worker.unref();
    spares.push(worker);
    // One that fails before it is taken is dropped; the analysis then starts another.
    const drop = () => {
      const at = spares.indexOf(worker);
      if (at >= 0) spares.splice(at, 1);
    };
    worker.once('error', drop);
    worker.once('exit', drop);
  }
}

/** A prestarted worker, if one is left: the caller posts it its part and listens to it from now on. */
export function takeSpareWorker(): Worker | undefined {
  const worker = spares.shift();
  worker?.ref();
  return worker;
}
