// Worker thread of an import (see in-worker.ts): reads, validates and encodes the file — openImport, encoding with
// the layer writer's BatchEncoder — and posts the encoded rows to the thread that writes them. At most `window` batches
// are in flight: the writer sends 'more' as it takes each one, so memory stays bounded when SQLite is the slower side.
import { parentPort, workerData } from 'node:worker_threads';
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
    encode: true,
  });
  post({ type: 'opened', format: stream.format, fields: stream.fields, geometryType: stream.geometryType, issues: stream.issues, truncated: stream.truncated, warnings: stream.warnings });
  for await (const batch of stream.batches) {
    while (credits <= 0) await new Promise<void>((resolve) => { wake = resolve; });
    credits--;
    const { wire, transfer } = packBatch(batch);
    post({ type: 'batch', batch: wire, rows, fraction }, transfer);
  }
  post({ type: 'end', issues: stream.issues, truncated: stream.truncated, warnings: stream.warnings, rows });
}

run().then(
  () => port.close(),
  (err: unknown) => {
    post({ type: 'fail', message: (err as Error)?.stack ?? String(err) });
    port.close();
  },
);
