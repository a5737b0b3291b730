// Worker thread of an import (see in-worker.ts): reads, validates and encodes the file — openImport and the
// layer writer's BatchEncoder — and posts the encoded rows to the thread that writes them. At most `window` batches
// are in flight: the writer sends 'more' as it takes each one, so memory stays bounded when SQLite is the slower side.
import { parentPort, workerData } from 'node:worker_threads';
import type { Feature } from '../../gis/types';
import { BatchEncoder } from '../workspace/batch-encoder';
import { type ImportWorkerInput, type ImportWorkerMessage, packBatch } from './in-worker';
import { openImport } from './index';

const port = parentPort;
if (!port) throw new Error('import-worker.ts runs as a worker thread (data/import/in-worker.ts starts it)');
const input = workerData as ImportWorkerInput;
let credits = input.window;
let wake: (() => void) | null = null;
port.on('message', (m: unknown) => {
  if (m !== 'more') return;
  credits++;
  wake?.();
  wake = null;
});

function post(m: ImportWorkerMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer);
}

async function run(): Promise<void> {
  let rows = 0;
  let fraction: number | null = 0;
  const stream = await openImport(input.path, input.request, {
    reference: input.reference,
    onProgress: (r, f) => {
      rows = r;
      fraction = f;
    },
  });
  post({ type: 'opened', format: stream.format, fields: stream.fields, geometryType: stream.geometryType, issues: stream.issues, truncated: stream.truncated, warnings: stream.warnings });
  const encoder = new BatchEncoder(stream.geometryType);
  let group: Feature[] = [];
  const send = async (): Promise<void> => {
    if (group.length === 0) return;
    const batch = encoder.encode(group);
    group = [];
    while (credits <= 0) await new Promise<void>((resolve) => { wake = resolve; });
    credits--;
    const { wire, transfer } = packBatch(batch);
    post({ type: 'batch', batch: wire, rows, fraction }, transfer);
  };
  for await (const features of stream.batches) {
    for (const f of features) group.push(f);
    if (group.length >= input.rowsPerMessage) await send();
  }
  await send();
  post({ type: 'end', issues: stream.issues, truncated: stream.truncated, warnings: stream.warnings, rows });
}

run().then(
  () => port.close(),
  (err: unknown) => {
    post({ type: 'fail', message: (err as Error)?.stack ?? String(err) });
    port.close();
  },
);
