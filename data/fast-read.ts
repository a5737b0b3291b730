// Streams a GeoJSON file through one reused buffer into a byte scanner: memory stays bounded whatever the
// file size. File-system problems become the same input issues as data/read-geojson.ts reports.
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { settlementResults, type AnalysisReport, type InputIssue, type PendingReport, type SettlementColumns } from '../gis';
import type { GeoJsonScanner } from '../gis/scan';
import type { Worker } from 'node:worker_threads';
import { startDataWorker } from './node-worker';
import type { ReportPartData } from './report-part-worker';

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

/**
 * Writes JSON.stringify(report) + "\n" to `path`, byte for byte, without ever holding the whole text: at
 * province scale the settlement list alone is hundreds of megabytes of JSON. Large reports are serialized here
 * while a worker thread encodes and writes the batches already serialized. A pending report's list is built
 * here batch by batch; when large, its second half is built and serialized on another worker meanwhile.
 */
export async function writeReportJson(path: string, report: AnalysisReport | PendingReport, offThreadFrom = OFF_THREAD_SETTLEMENTS): Promise<void> {
  const pending = 'columns' in report ? report : null;
  const whole = pending ? pending.report : (report as AnalysisReport);
  const count = pending ? pending.columns.count : whole.settlements.length;
  const shell = JSON.stringify({ ...whole, settlements: [] });
  const marker = '"settlements":[';
  const at = shell.indexOf(marker) + marker.length;
  const minHouseholds = pending ? pending.report.options.minHouseholds : 0;
  const batch = (from: number, to: number) =>
    JSON.stringify(pending ? settlementResults(pending.columns, minHouseholds, from, to) : whole.settlements.slice(from, to)).slice(1, -1);
  // The list's second half goes to another thread only when there is one to spare for it.
  const split = pending && count >= offThreadFrom ? Math.ceil(count / 2) : count;
  const texts = function* () {
    yield shell.slice(0, at);
    for (let i = 0; i < split; i += BATCH) {
      if (i) yield ',';
      yield batch(i, Math.min(split, i + BATCH));
    }
  };
  if (count < offThreadFrom) {
    const fd = openSync(path, 'w');
    try {
      for (const text of texts()) writeSync(fd, text);
      writeSync(fd, shell.slice(at) + '\n');
    } finally {
      closeSync(fd);
    }
    return;
  }
  const workers: Worker[] = [];
  // The part worker ends on its own once its batches are posted (they stay queued until read); the writer never does.
  const failure = (worker: Worker, what: string, endsItself: boolean) => new Promise<never>((_, reject) => {
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0 || !endsItself) reject(new Error(`${what} stopped early (exit code ${code})`));
    });
  });
  try {
    const part = split < count ? startReportPart(pending!.columns, split, minHouseholds) : null;
    if (part) workers.push(part);
    const writer = startDataWorker('report-writer-worker', { workerData: { path } });
    workers.push(writer);
    const written = new Promise<void>((resolve) => writer.on('message', () => resolve()));
    const failed = Promise.race([failure(writer, `writing ${path}`, false), ...(part ? [failure(part, `serializing ${path}`, true)] : [])]);
    failed.catch(() => undefined);
    for (const text of texts()) writer.postMessage(text);
    // The part's batches wait in its port until now: they follow this thread's, in the order they were made.
    if (part) {
      const forwarded = new Promise<void>((resolve) => part.on('message', (bytes: Uint8Array<ArrayBuffer> | null) => {
        if (bytes === null) resolve();
        else writer.postMessage(bytes, [bytes.buffer]);
      }));
      await Promise.race([forwarded, failed]);
    }
    writer.postMessage(shell.slice(at) + '\n');
    writer.postMessage(null);
    await Promise.race([written, failed]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Starts the worker serializing settlements [from, count) of the columns (data/report-part-worker.ts). */
function startReportPart(columns: SettlementColumns, from: number, minHouseholds: number): Worker {
  const to = columns.count;
  const typed = {
    cell: columns.cell.slice(from, to), households: columns.households.slice(from, to), committee: columns.committee.slice(from, to),
    lon: columns.lon.slice(from, to), lat: columns.lat.slice(from, to), mobile: columns.mobile.slice(from, to),
    broadband: columns.broadband.slice(from, to), listed: columns.listed.slice(from, to), focus: columns.focus.slice(from, to),
  };
  const slice: SettlementColumns = {
    ...typed, count: to - from, villages: columns.villages,
    id: columns.id.slice(from, to), name: columns.name.slice(from, to), code: columns.code.slice(from, to),
  };
  const data: ReportPartData = { columns: slice, minHouseholds, batch: BATCH };
  return startDataWorker('report-part-worker', { workerData: data, transferList: Object.values(typed).map((a) => a.buffer) });
}
