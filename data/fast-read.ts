// Streams a GeoJSON file through one reused buffer into a byte scanner: memory stays bounded whatever the
// file size. File-system problems become the same input issues as data/read-geojson.ts reports.
import { closeSync, constants, ftruncateSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
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
  // An earlier file is overwritten in place and cut to length at the end: truncating it first had the kernel free
  // its pages on this thread (~30 ms for the L report's 60 MB).
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT);
  let written = 0;
  const write = (bytes: Uint8Array) => {
    writeAll(fd, bytes);
    written += bytes.length;
  };
  try {
    write(Buffer.from(shell.slice(0, at)));
    if ('columns' in report) {
      encodeSettlementList(report.columns, report.report.options.minHouseholds, write);
    } else {
      for (let i = 0; i < report.settlements.length; i += BATCH) {
        const items = JSON.stringify(report.settlements.slice(i, i + BATCH)).slice(1, -1);
        write(Buffer.from(i ? `,${items}` : items));
      }
    }
    if (ratesJson) {
      write(Buffer.from('],"rates":'));
      write(await ratesJson());
      write(Buffer.from(`${rest.slice(RATES_PENDING.length)}\n`));
    } else write(Buffer.from(`${rest}\n`));
    ftruncateSync(fd, written);
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
