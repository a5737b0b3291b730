// A worker of an analysis crew (data/analysis-crew.ts): packs claimed coverage files or workspace layers, then
// classifies ranges of points until none is left to claim. No top-level await: bundles build this worker as
// CommonJS (see data/node-worker.ts).
// First, so that a prestarted worker says it has booted before the analysis's modules load.
import { spare } from './crew-boot-signal';
import { parentPort, workerData } from 'node:worker_threads';
import { CrewMember, failCrew, packFileJob, type CrewData, type CrewMessage, type PackJob } from './analysis-crew';

function work(data: CrewData, pack: PackJob): void {
  const self = new CrewMember(data, data.peers, pack);
  try {
    self.workUntilDone();
    if (data.writesRates) self.writeRatesJson();
  } catch (e) {
    failCrew(self, e);
    throw e;
  }
  parentPort!.postMessage({ kind: 'done' } satisfies CrewMessage);
}

function start(data: CrewData): void {
  // better-sqlite3 is loaded only by crews over a workspace. A failure to load it rejects, which ends the worker
  // with the error, as a throw from work() does.
  if (data.jobs.some((j) => j.layer)) void import('./workspace/layer-crew').then(({ layerPacker }) => work(data, layerPacker()));
  else work(data, packFileJob);
}

// A worker started ahead of the analysis (data/crew-start.ts) gets its part by message.
if (spare) parentPort!.once('message', start);
else start(workerData as CrewData);
