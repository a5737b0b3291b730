// Imports of large files on two threads: a worker reads, parses, validates and encodes rows (import-worker.ts);
// the caller's thread only runs the INSERTs and the rtree. Same records, same issues and warnings, same rows as
// openImport on one thread, since the worker runs openImport and the writer's own encoder. Small files, sites (their
// sectors are derived from the features), one-core machines and bundles built without the worker entry stay on the
// caller's thread.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { ImportIssue, ImportRequest } from '../../api/contract';
import type { Feature } from '../../gis/types';
import type { EncodedBatch } from '../workspace/batch-encoder';
import { dataWorkerAvailable, startDataWorker } from '../node-worker';
import { openImport, type ImportStream, type OpenOptions } from './index';
import { abortError } from './issues';

export type ImportBatch = Feature[] | EncodedBatch;

/**
 * Below this size one thread is as fast or faster: the worker (a second V8 isolate loading the import code) needs
 * ~0.13 s bundled before its first answer, and the two threads spend ~10 % more CPU than one (messages, a second
 * heap). Measured on 2 shared cores (load ~7): a 34 MB file 2.0 s on one thread, 2.6–2.8 s on two; 99 MB polygons
 * 4.0 s on one, 3.8 s on two.
 */
export const WORKER_MIN_BYTES = 64 * 1024 * 1024;
/**
 * Messages in flight: a few MB at most for polygons. A message is one batch openImport yields (~1000 features),
 * encoded feature by feature as they came.
 */
const WINDOW = 8;
const WORKER = 'import/import-worker';
/**
 * The worker's young generation, MB (V8's default is much smaller): with the default, the position arrays of the
 * polygons waiting in a batch outgrew it and were promoted, and the 200 MB polygon file's import spent 8.5 s of CPU
 * instead of 5.3 (2 shared cores, load ~4.7, with 1000-feature messages).
 */
const YOUNG_MB = 192;

export interface ImportWorkerInput {
  path: string;
  request: ImportRequest;
  reference?: [number, number][];
  window: number;
}

type Value = string | number | bigint | null;

/**
 * A column of values as it crosses threads. An array of thousands of strings is cloned string by string; one string
 * and its end offsets cost a third of that, and the slices taken on arrival share its characters.
 */
type PackedColumn =
  | { text: string; ends: Uint32Array; nulls: Uint8Array }
  | { numbers: Float64Array; nulls: Uint8Array }
  | { values: Value[] };

/** An EncodedBatch with its values and ids packed (see PackedColumn). */
export type WireBatch = Omit<EncodedBatch, 'values' | 'ids'> & { values: PackedColumn[]; ids: PackedColumn | null };

function packColumn(values: Value[]): PackedColumn {
  const n = values.length;
  let strings = 0, numbers = 0;
  for (let i = 0; i < n; i++) {
    const t = typeof values[i];
    if (t === 'string') strings++;
    else if (t === 'number') numbers++;
    else if (values[i] !== null) return { values };
  }
  if (strings > 0 && numbers > 0) return { values };
  const nulls = new Uint8Array(n);
  if (numbers > 0 || strings === 0) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (values[i] === null) nulls[i] = 1;
      else out[i] = values[i] as number;
    }
    return { numbers: out, nulls };
  }
  const ends = new Uint32Array(n);
  let text = '';
  for (let i = 0; i < n; i++) {
    if (values[i] === null) nulls[i] = 1;
    else text += values[i] as string;
    ends[i] = text.length;
  }
  return { text, ends, nulls };
}

function unpackColumn(c: PackedColumn): Value[] {
  if ('values' in c) return c.values;
  const n = c.nulls.length;
  const out: Value[] = new Array(n);
  if ('numbers' in c) {
    for (let i = 0; i < n; i++) out[i] = c.nulls[i] ? null : c.numbers[i];
  } else {
    for (let i = 0, from = 0; i < n; i++) {
      out[i] = c.nulls[i] ? null : c.text.slice(from, c.ends[i]);
      from = c.ends[i];
    }
  }
  return out;
}

/** The batch to post and the buffers to transfer with it (the batch's own arrays are not used afterwards). */
export function packBatch(b: EncodedBatch): { wire: WireBatch; transfer: ArrayBuffer[] } {
  const wire: WireBatch = { ...b, values: b.values.map(packColumn), ids: b.ids ? packColumn(b.ids) : null };
  const transfer = [b.geometry.buffer, b.ends.buffer, b.envelopes.buffer, b.has.buffer] as ArrayBuffer[];
  for (const c of wire.ids ? [...wire.values, wire.ids] : wire.values) {
    if ('numbers' in c) transfer.push(c.numbers.buffer as ArrayBuffer, c.nulls.buffer as ArrayBuffer);
    else if ('text' in c) transfer.push(c.ends.buffer as ArrayBuffer, c.nulls.buffer as ArrayBuffer);
  }
  return { wire, transfer };
}

function unpackBatch(w: WireBatch): EncodedBatch {
  return { ...w, values: w.values.map(unpackColumn), ids: w.ids ? unpackColumn(w.ids) : null };
}

export type ImportWorkerMessage =
  | { type: 'opened'; format: string; fields: string[]; geometryType: ImportStream['geometryType']; issues: ImportIssue[]; truncated: boolean; warnings: string[] }
  | { type: 'batch'; batch: WireBatch; rows: number; fraction: number | null }
  | { type: 'end'; issues: ImportIssue[]; truncated: boolean; warnings: string[]; rows: number }
  | { type: 'fail'; message: string };

type Received = ImportWorkerMessage | { type: 'exit'; code: number };

export interface InWorkerOptions extends OpenOptions {
  /** Use the worker from this many bytes on (default WORKER_MIN_BYTES). */
  minBytes?: number;
}

/**
 * The bytes an import of `path` reads (-1 when it is not a file): what a workbook or a zipped Shapefile inflates to
 * (about six times the file for a table of settlements), a Shapefile's .dbf with its .shp (the attributes are most
 * of it), or the file.
 */
export async function readingBytes(path: string): Promise<number> {
  const size = await stat(path).then((s) => (s.isFile() ? s.size : -1), () => -1);
  const ext = extname(path).toLowerCase();
  if (size <= 0) return size;
  // Loaded when needed, as the format modules are: the service's start does not pay for them.
  if (ext === '.xlsx' || ext === '.zip' || ext === '.kmz') return (await (await import('./zip')).declaredSize(path)) ?? size;
  if (ext === '.shp') {
    const { shapefileSiblings } = await import('./formats/shapefile');
    const dbf = (await shapefileSiblings(path).catch(() => new Map<string, string>())).get('.dbf');
    return size + (dbf ? await stat(dbf).then((s) => s.size, () => 0) : 0);
  }
  return size;
}

/**
 * openImport, with the reading and encoding on a worker thread when the file is large enough: batches are then
 * EncodedBatch (writeLayersTransaction takes both). Aborting the signal terminates the worker.
 */
export async function openImportInWorker(path: string, request: ImportRequest, opts: InWorkerOptions = {}): Promise<ImportStream<ImportBatch>> {
  const size = await readingBytes(path);
  if (request.role === 'sites' || size < (opts.minBytes ?? WORKER_MIN_BYTES) || availableParallelism() < 2 || !dataWorkerAvailable(WORKER)) {
    return request.role === 'sites' ? openImport(path, request, { ...opts, encode: false }) : openImport(path, request, { ...opts, encode: true });
  }
  const { signal, onProgress } = opts;
  signal?.throwIfAborted();
  const input: ImportWorkerInput = { path, request, reference: opts.reference, window: WINDOW };
  const worker: Worker = startDataWorker(WORKER, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } });
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
          yield unpackBatch(m.batch);
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
