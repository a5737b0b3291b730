// A second serializer of a large report's settlement list (data/fast-read.ts writeReportJson): it claims batches
// of the list's last part from the counter it shares with the caller, builds them from its slice of the columns
// and posts each to the writer as UTF-8 bytes (transferred, not copied). It stops when no batch is left.
import { workerData, type MessagePort } from 'node:worker_threads';
import { settlementResults, type SettlementColumns } from '../gis';

export interface ReportPartData {
  /** Settlements [first * batch, count) of the list. */
  columns: SettlementColumns;
  first: number;
  batch: number;
  batches: number;
  minHouseholds: number;
  /** control[0]: the next batch of the last part to claim. */
  control: Int32Array;
  writer: MessagePort;
}

const { columns, first, batch, batches, minHouseholds, control, writer } = workerData as ReportPartData;
const encoder = new TextEncoder();
for (let k = Atomics.add(control, 0, 1); k < batches; k = Atomics.add(control, 0, 1)) {
  const from = (k - first) * batch;
  const list = settlementResults(columns, minHouseholds, from, Math.min(columns.count, from + batch));
  const bytes = encoder.encode(',' + JSON.stringify(list).slice(1, -1));
  writer.postMessage({ k, data: bytes }, [bytes.buffer]);
}
writer.close();
