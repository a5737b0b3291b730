// Streams a GeoJSON file through one reused buffer into a byte scanner: memory stays bounded whatever the
// file size. File-system problems become the same input issues as data/read-geojson.ts reports.
import { closeSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import type { AnalysisReport, InputIssue, PendingReport } from '../gis';
import type { GeoJsonScanner } from '../gis/scan';
import { encodeSettlementList } from './settlement-json';

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

/**
 * Writes JSON.stringify(report) + "\n" to `path`, byte for byte, without ever holding the whole text: at
 * province scale the settlement list alone is hundreds of megabytes of JSON. A pending report's list is
 * encoded from its columns straight into bytes (data/settlement-json.ts); a complete one's is stringified
 * batch by batch. A report whose rates are still being computed elsewhere has `ratesJson` give them, as JSON,
 * when the writer reaches them. A failed write leaves no file behind.
 */
export async function writeReportJson(path: string, report: AnalysisReport | PendingReport): Promise<void>;
export async function writeReportJson(path: string, report: PendingReport<null>, ratesJson: () => Promise<Uint8Array>): Promise<void>;
export async function writeReportJson(
  path: string,
  report: AnalysisReport | PendingReport | PendingReport<null>,
  ratesJson?: () => Promise<Uint8Array>,
): Promise<void> {
  const whole = 'columns' in report ? report.report : report;
  const shell = JSON.stringify({ ...whole, settlements: [] });
  const at = shell.indexOf(SETTLEMENTS) + SETTLEMENTS.length;
  const rest = shell.slice(at);
  if (ratesJson && !rest.startsWith(RATES_PENDING)) throw new Error('writeReportJson: the rates must follow the settlements and be pending');
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, Buffer.from(shell.slice(0, at)));
    if ('columns' in report) {
      encodeSettlementList(report.columns, report.report.options.minHouseholds, (bytes) => writeAll(fd, bytes));
    } else {
      for (let i = 0; i < report.settlements.length; i += BATCH) {
        const items = JSON.stringify(report.settlements.slice(i, i + BATCH)).slice(1, -1);
        writeAll(fd, Buffer.from(i ? `,${items}` : items));
      }
    }
    if (ratesJson) {
      writeAll(fd, Buffer.from('],"rates":'));
      writeAll(fd, await ratesJson());
      writeAll(fd, Buffer.from(`${rest.slice(RATES_PENDING.length)}\n`));
    } else writeAll(fd, Buffer.from(`${rest}\n`));
  } catch (e) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw e;
  }
  closeSync(fd);
}

const SETTLEMENTS = '"settlements":[';
const RATES_PENDING = '],"rates":null';

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}
