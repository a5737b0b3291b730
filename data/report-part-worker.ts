// The second part of a large report's settlement list (data/fast-read.ts writeReportJson): built from its columns
// and serialized here while the caller does the first part. Each batch is posted as UTF-8 bytes (transferred, not
// copied), a comma before it, in order; null ends the part.
import { parentPort, workerData } from 'node:worker_threads';
import { settlementResults, type SettlementColumns } from '../gis';

export interface ReportPartData { columns: SettlementColumns; minHouseholds: number; batch: number }

const { columns, minHouseholds, batch } = workerData as ReportPartData;
const encoder = new TextEncoder();
for (let i = 0; i < columns.count; i += batch) {
  const list = settlementResults(columns, minHouseholds, i, Math.min(columns.count, i + batch));
  const bytes = encoder.encode(',' + JSON.stringify(list).slice(1, -1));
  parentPort!.postMessage(bytes, [bytes.buffer]);
}
parentPort!.postMessage(null);
