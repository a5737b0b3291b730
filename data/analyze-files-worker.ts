// A worker of analyzeGeoJsonFiles: scans coverage files claimed from the shared counter, then classifies
// ranges of points against any thread's files until none is left to claim.
import { parentPort, workerData } from 'node:worker_threads';
import { CrewMember, PUBLISHED, type CrewMessage, type WorkerData } from './analyze-files';

const { jobs, options, control, peers, rangePoints } = workerData as WorkerData;
const self = new CrewMember(jobs, options, control, peers, rangePoints);
self.scanClaimed();
for (;;) {
  // Read before looking, so that a file published meanwhile ends the wait at once.
  const seen = Atomics.load(control, PUBLISHED);
  if (self.classifyClaimed()) break;
  Atomics.wait(control, PUBLISHED, seen, 1000);
}
parentPort!.postMessage({ kind: 'done' } satisfies CrewMessage);
