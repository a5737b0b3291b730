// A worker of analyzeGeoJsonFiles: claims coverage files from the shared counter until none are left. Files
// scanned before the settlements are ready wait, packed, for the points rather than the worker waiting idle.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { CoverageFile, OrderedPoints } from '../gis/scan';
import { CLAIM, POINTS, scanCoverageJob, type CoverageJob, type WorkerData, type WorkerMessage } from './analyze-files';

const { jobs, options, control, port } = workerData as WorkerData;
let points: OrderedPoints | null | undefined;

/** The settlements' points once the main thread has published them; with `block`, waits for them. */
function pointsNow(block: boolean): OrderedPoints | null | undefined {
  if (points !== undefined) return points;
  if (block) Atomics.wait(control, POINTS, 0);
  else if (Atomics.load(control, POINTS) === 0) return undefined;
  // The message is queued before the flag is set; the retry only guards against a slow delivery.
  let received = receiveMessageOnPort(port);
  while (!received) {
    Atomics.wait(control, POINTS, 1, 1);
    received = receiveMessageOnPort(port);
  }
  return (points = received.message as OrderedPoints | null);
}

function classify(job: CoverageJob, file: CoverageFile, ready: OrderedPoints | null): void {
  const result = file.classify(ready);
  parentPort!.postMessage({ kind: 'result', slot: job.slot, result } satisfies WorkerMessage, result.mask ? [result.mask.buffer as ArrayBuffer] : []);
}

const waiting: { job: CoverageJob; file: CoverageFile }[] = [];
const classifyWaiting = (ready: OrderedPoints | null) => {
  for (const w of waiting.splice(0)) classify(w.job, w.file, ready);
};
for (let k = Atomics.add(control, CLAIM, 1); k < jobs.length; k = Atomics.add(control, CLAIM, 1)) {
  waiting.push({ job: jobs[k], file: scanCoverageJob(jobs[k], options) });
  const ready = pointsNow(false);
  if (ready !== undefined) classifyWaiting(ready);
}
if (waiting.length) classifyWaiting(pointsNow(true) ?? null);
parentPort!.postMessage({ kind: 'done' } satisfies WorkerMessage);
