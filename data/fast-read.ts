// Streams a GeoJSON file through one reused buffer into a byte scanner: memory stays bounded whatever the
// file size. File-system problems become the same input issues as data/read-geojson.ts reports.
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { isPendingReport, settlementResults, type AnalysisReport, type InputIssue, type PendingReport } from '../gis';
import type { GeoJsonScanner } from '../gis/scan';
import { startDataWorker } from './node-worker';

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
 * batch by batch as it is serialized, never whole.
 */
export async function writeReportJson(path: string, report: AnalysisReport | PendingReport, offThreadFrom = OFF_THREAD_SETTLEMENTS): Promise<void> {
  const pending = isPendingReport(report) ? report : null;
  const whole = isPendingReport(report) ? report.report : report;
  const count = pending ? pending.columns.count : whole.settlements.length;
  const shell = JSON.stringify({ ...whole, settlements: [] });
  const marker = '"settlements":[';
  const at = shell.indexOf(marker) + marker.length;
  const minHouseholds = pending ? pending.report.options.minHouseholds : 0;
  const texts = function* () {
    yield shell.slice(0, at);
    for (let i = 0; i < count; i += BATCH) {
      if (i) yield ',';
      const to = Math.min(count, i + BATCH);
      yield JSON.stringify(pending ? settlementResults(pending.columns, minHouseholds, i, to) : whole.settlements.slice(i, to)).slice(1, -1);
    }
    yield shell.slice(at) + '\n';
  };
  if (count < offThreadFrom) {
    const fd = openSync(path, 'w');
    try {
      for (const text of texts()) writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return;
  }
  const writer = startDataWorker('report-writer-worker', { workerData: { path } });
  const done = new Promise<void>((resolve, reject) => {
    writer.on('message', () => resolve());
    writer.on('error', reject);
    writer.on('exit', (code) => reject(new Error(`writing ${path} stopped early (exit code ${code})`)));
  });
  for (const text of texts()) writer.postMessage(text);
  writer.postMessage(null);
  try {
    await done;
  } finally {
    await writer.terminate();
  }
}
