// A worker of analyzeGeoJsonFiles: claims coverage files from the shared counter until none are left.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { OrderedPoints } from '../gis/scan';
import { CLAIM, POINTS, runCoverageJob, type WorkerData, type WorkerMessage } from './analyze-files';

const { jobs, options, control, port } = workerData as WorkerData;
let points: OrderedPoints | null | undefined;

/** Blocks until the main thread has scanned the settlements (a file's polygons are packed by then). */
function awaitPoints(): OrderedPoints | null {
  if (points === undefined) {
    Atomics.wait(control, POINTS, 0);
    // The message is queued before the flag is set; the retry only guards against a slow delivery.
    let received = receiveMessageOnPort(port);
    while (!received) {
      Atomics.wait(control, POINTS, 1, 1);
      received = receiveMessageOnPort(port);
    }
    points = received.message as OrderedPoints | null;
  }
  return points;
}

for (let k = Atomics.add(control, CLAIM, 1); k < jobs.length; k = Atomics.add(control, CLAIM, 1)) {
  const result = runCoverageJob(jobs[k], options, awaitPoints);
  parentPort!.postMessage({ kind: 'result', slot: jobs[k].slot, result } satisfies WorkerMessage, result.mask ? [result.mask.buffer as ArrayBuffer] : []);
}
parentPort!.postMessage({ kind: 'done' } satisfies WorkerMessage);
