// A worker of an analysis crew (data/analysis-crew.ts): packs claimed coverage files or workspace layers, then
// classifies ranges of points until none is left to claim.
import { parentPort, workerData } from 'node:worker_threads';
import { CrewMember, failCrew, packFileJob, type CrewData, type CrewMessage } from './analysis-crew';

// A worker started ahead of the analysis (data/crew-start.ts) gets its part by message.
const data = (workerData as CrewData | null) ?? (await new Promise<CrewData>((resolve) => parentPort!.once('message', resolve)));
// better-sqlite3 is loaded only by crews over a workspace.
const pack = data.jobs.some((j) => j.layer) ? (await import('./workspace/layer-crew')).layerPacker() : packFileJob;
const self = new CrewMember(data, data.peers, pack);
try {
  self.workUntilDone();
  if (data.writesRates) self.writeRatesJson();
} catch (e) {
  failCrew(self, e);
  throw e;
}
parentPort!.postMessage({ kind: 'done' } satisfies CrewMessage);
