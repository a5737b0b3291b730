// Streams a GeoJSON file through one reused buffer into a byte scanner: memory stays bounded whatever the
// file size. File-system problems become the same input issues as data/read-geojson.ts reports.
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { settlementResults, type AnalysisReport, type InputIssue, type PendingReport, type SettlementColumns } from '../gis';
import type { GeoJsonScanner } from '../gis/scan';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { startDataWorker } from './node-worker';
import type { ReportPartData } from './report-part-worker';
import type { ReportBatch, ReportWriterData } from './report-writer-worker';

const CHUNK = 1 << 20;
let shared: Uint8Array | null = null;

/** Feeds the file at `path` to `scanner` and ends it; returns the whole-file problem, if any. */
export function scanGeoJsonFile(path: string, scanner: GeoJsonScanner): InputIssue | null {
  const fail = (message: string): InputIssue => ({ source: path, feature: -1, field: 'file', message });
  let fd: number;
  try {
    if (statSync(path).isDirectory()) return fail('is a folder; expected a GeoJSON file');
    fd = openSync(path, 'r');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? fail('file not found (找不到文件)') : fail(`cannot be read: ${(e as Error).message}`);
  }
  const buf = (shared ??= new Uint8Array(CHUNK));
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      scanner.push(n === CHUNK ? buf : buf.subarray(0, n));
    }
  } catch (e) {
    return fail(`cannot be read: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
  return scanner.end();
}

const BATCH = 10_000;

/** From this many settlements on, the UTF-8 encoding and the writes go to a worker thread (its start costs ~40 ms). */
export const OFF_THREAD_SETTLEMENTS = 100_000;

/** The share of a large pending list that a second serializer may take: its last part, from this fraction on. */
const PART_FROM = 0.4;

/**
 * Writes JSON.stringify(report) + "\n" to `path`, byte for byte, without ever holding the whole text: at
 * province scale the settlement list alone is hundreds of megabytes of JSON. Large reports are serialized here
 * while a worker thread encodes and writes the batches already serialized. A pending report's list is built
 * batch by batch; when large, a second worker builds and serializes batches of its last part meanwhile: this
 * thread and that worker claim them from a shared counter, so that neither waits for the other.
 */
export async function writeReportJson(
  path: string,
  report: AnalysisReport | PendingReport,
  offThreadFrom = OFF_THREAD_SETTLEMENTS,
  /** Whether this thread too claims batches of the last part (false leaves them all to the worker: for tests). */
  sharePart = true,
): Promise<void> {
  const pending = 'columns' in report ? report : null;
  const whole = pending ? pending.report : (report as AnalysisReport);
  const count = pending ? pending.columns.count : whole.settlements.length;
  const shell = JSON.stringify({ ...whole, settlements: [] });
  const marker = '"settlements":[';
  const at = shell.indexOf(marker) + marker.length;
  const head = shell.slice(0, at), tail = shell.slice(at) + '\n';
  const minHouseholds = pending ? pending.report.options.minHouseholds : 0;
  const batches = Math.ceil(count / BATCH);
  const batch = (k: number) => {
    const from = k * BATCH, to = Math.min(count, from + BATCH);
    const text = JSON.stringify(pending ? settlementResults(pending.columns, minHouseholds, from, to) : whole.settlements.slice(from, to)).slice(1, -1);
    return k ? ',' + text : text;
  };
  if (count < offThreadFrom) {
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, head);
      for (let k = 0; k < batches; k++) writeSync(fd, batch(k));
      writeSync(fd, tail);
    } finally {
      closeSync(fd);
    }
    return;
  }
  // Batches [0, first) are this thread's; the others go to whichever thread claims them first.
  const first = pending && batches > 1 ? Math.max(1, Math.floor(batches * PART_FROM)) : batches;
  const control = new Int32Array(new SharedArrayBuffer(4));
  control[0] = first;
  const channel = first < batches ? new MessageChannel() : null;
  const workers: Worker[] = [];
  // The part worker ends on its own once no batch is left; the writer only when told to.
  const failure = (worker: Worker, what: string, endsItself: boolean) => new Promise<never>((_, reject) => {
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0 || !endsItself) reject(new Error(`${what} stopped early (exit code ${code})`));
    });
  });
  try {
    const writerData: ReportWriterData = { path, head, tail, batches, part: channel?.port2 };
    const writer = startDataWorker('report-writer-worker', { workerData: writerData, transferList: channel ? [channel.port2] : [] });
    workers.push(writer);
    const written = new Promise<void>((resolve) => writer.on('message', () => resolve()));
    const failures = [failure(writer, `writing ${path}`, false)];
    if (channel) {
      const part = startReportPart(pending!.columns, first, batches, minHouseholds, control, channel.port1);
      workers.push(part);
      failures.push(failure(part, `serializing ${path}`, true));
    }
    const failed = Promise.race(failures);
    failed.catch(() => undefined);
    for (let k = 0; k < first; k++) writer.postMessage({ k, data: batch(k) } satisfies ReportBatch);
    if (sharePart) for (let k = Atomics.add(control, 0, 1); k < batches; k = Atomics.add(control, 0, 1)) writer.postMessage({ k, data: batch(k) } satisfies ReportBatch);
    await Promise.race([written, failed]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Starts a second serializer of batches [first, batches) of the columns (data/report-part-worker.ts). */
function startReportPart(columns: SettlementColumns, first: number, batches: number, minHouseholds: number, control: Int32Array, writer: MessagePort): Worker {
  const from = first * BATCH, to = columns.count;
  const typed = {
    cell: columns.cell.slice(from, to), households: columns.households.slice(from, to), committee: columns.committee.slice(from, to),
    lon: columns.lon.slice(from, to), lat: columns.lat.slice(from, to), mobile: columns.mobile.slice(from, to),
    broadband: columns.broadband.slice(from, to), listed: columns.listed.slice(from, to), focus: columns.focus.slice(from, to),
  };
  const slice: SettlementColumns = {
    ...typed, count: to - from, villages: columns.villages,
    id: columns.id.slice(from, to), name: columns.name.slice(from, to), code: columns.code.slice(from, to),
  };
  const data: ReportPartData = { columns: slice, first, batch: BATCH, batches, minHouseholds, control, writer };
  return startDataWorker('report-part-worker', { workerData: data, transferList: [writer, ...Object.values(typed).map((a) => a.buffer)] });
}
