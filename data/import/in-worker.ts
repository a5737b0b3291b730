// Imports of large files on two threads: a worker reads, parses, validates and encodes rows (import-worker.ts);
// the caller's thread only runs the INSERTs and the rtree. Same records, same issues and warnings, same rows as
// openImport on one thread, since the worker runs openImport and the writer's own encoder. Small files, sites (their
// sectors are derived from the features) and bundles built without the worker entry stay on the caller's thread.
import { stat } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import type { ImportIssue, ImportRequest } from '../../api/contract';
import type { Feature } from '../../gis/types';
import type { EncodedBatch } from '../workspace/batch-encoder';
import { dataWorkerAvailable, startDataWorker } from '../node-worker';
import { openImport, type ImportStream, type OpenOptions } from './index';
import { abortError } from './issues';

export type ImportBatch = Feature[] | EncodedBatch;

/**
 * Below this size one thread is as fast: starting the worker (a second V8 isolate loading the import code) costs
 * ~0.1 s bundled, more from the TypeScript sources.
 */
export const WORKER_MIN_BYTES = 16 * 1024 * 1024;
/** Features per message, and messages in flight: a few MB at most for polygons. */
const ROWS_PER_MESSAGE = 4000;
const WINDOW = 3;
const WORKER = 'import/import-worker';

export interface ImportWorkerInput {
  path: string;
  request: ImportRequest;
  reference?: [number, number][];
  rowsPerMessage: number;
  window: number;
}

export type ImportWorkerMessage =
  | { type: 'opened'; format: string; fields: string[]; geometryType: ImportStream['geometryType']; issues: ImportIssue[]; truncated: boolean; warnings: string[] }
  | { type: 'batch'; batch: EncodedBatch; rows: number; fraction: number | null }
  | { type: 'end'; issues: ImportIssue[]; truncated: boolean; warnings: string[]; rows: number }
  | { type: 'fail'; message: string };

type Received = ImportWorkerMessage | { type: 'exit'; code: number };

export interface InWorkerOptions extends OpenOptions {
  /** Use the worker from this many bytes on (default WORKER_MIN_BYTES). */
  minBytes?: number;
}

/**
 * openImport, with the reading and encoding on a worker thread when the file is large enough: batches are then
 * EncodedBatch (writeLayersTransaction takes both). Aborting the signal terminates the worker.
 */
export async function openImportInWorker(path: string, request: ImportRequest, opts: InWorkerOptions = {}): Promise<ImportStream<ImportBatch>> {
  const size = await stat(path).then((s) => (s.isFile() ? s.size : -1), () => -1);
  if (request.role === 'sites' || size < (opts.minBytes ?? WORKER_MIN_BYTES) || !dataWorkerAvailable(WORKER)) {
    return openImport(path, request, opts);
  }
  const { signal, onProgress } = opts;
  signal?.throwIfAborted();
  const input: ImportWorkerInput = { path, request, reference: opts.reference, rowsPerMessage: ROWS_PER_MESSAGE, window: WINDOW };
  const worker: Worker = startDataWorker(WORKER, { workerData: input });
  const inbox: Received[] = [];
  let waiting: ((m: Received) => void) | null = null;
  const receive = (m: Received): void => {
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(m);
    } else inbox.push(m);
  };
  worker.on('message', (m: ImportWorkerMessage) => receive(m));
  worker.on('error', (e: Error) => receive({ type: 'fail', message: e.stack ?? String(e) }));
  worker.on('exit', (code: number) => receive({ type: 'exit', code }));
  const next = (): Promise<Received> => {
    const m = inbox.shift();
    return m ? Promise.resolve(m) : new Promise((resolve) => { waiting = resolve; });
  };
  const stop = (): void => {
    worker.terminate().catch(() => {});
  };
  signal?.addEventListener('abort', stop, { once: true });
  const done = (): void => {
    signal?.removeEventListener('abort', stop);
    stop();
  };
  /** A message the protocol does not expect here: the worker failed or stopped (or the import was aborted). */
  const unexpected = (m: Received): never => {
    done();
    if (signal?.aborted) throw abortError(signal);
    if (m.type === 'fail') throw new Error(`import worker for ${request.file || path}: ${m.message}`);
    throw new Error(`import worker for ${request.file || path}: ${m.type === 'exit' ? `stopped (exit code ${m.code})` : `unexpected "${m.type}" message`}`);
  };

  const opened = await next();
  if (opened.type !== 'opened') return unexpected(opened);
  const stream: ImportStream<ImportBatch> = {
    format: opened.format, fields: opened.fields, geometryType: opened.geometryType,
    issues: opened.issues, truncated: opened.truncated, warnings: opened.warnings,
    batches: (async function* () {})(),
  };
  if (stream.issues.length) {
    done();
    return stream;
  }
  stream.batches = (async function* () {
    try {
      while (true) {
        const m = await next();
        if (m.type === 'batch') {
          onProgress?.(m.rows, m.fraction);
          yield m.batch;
          worker.postMessage('more');
        } else if (m.type === 'end') {
          // The same arrays openImport fills: replace their contents, callers may hold them.
          stream.issues.splice(0, stream.issues.length, ...m.issues);
          stream.warnings.splice(0, stream.warnings.length, ...m.warnings);
          stream.truncated = m.truncated;
          onProgress?.(m.rows, 1);
          return;
        } else unexpected(m);
      }
    } finally {
      done();
    }
  })();
  return stream;
}
