// The crew worker's first import (data/analysis-crew-worker.ts): a prestarted worker says it has booted before the
// analysis loads, so that the thread waiting for it (data/crew-start.ts's waitForSpareBoot) goes on at once.
import { workerData } from 'node:worker_threads';
import type { SpareStart } from './crew-start';

/** Set when this worker was prestarted: it then gets its part by message. */
export const spare: SpareStart | null = workerData && typeof workerData === 'object' && 'booted' in workerData ? (workerData as SpareStart) : null;

if (spare) {
  Atomics.store(spare.booted, 0, 1);
  Atomics.notify(spare.booted, 0);
}
