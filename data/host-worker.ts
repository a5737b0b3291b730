// The worker side of data/host.ts: owns the workspace and answers calls one message at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { API_METHODS, type ImportProgress } from '../api/contract';
import { InputError } from '../gis';
import { ensureDemoWorkspace } from './demo-workspace';
import type { HostOptions } from './host';
import { ApiError, type HostReply, type HostRequest, type WireError } from './host-protocol';
import { AtlasService } from './service';

const port = parentPort!;
const options = workerData as HostOptions;
const opening = (async () => AtlasService.open(options.workspace ?? (await ensureDemoWorkspace(options.demoPath))))();
const methods = new Set<string>(API_METHODS);
// Calls run one after another: an import holds a write transaction on the workspace's connection, and a
// read on that connection meanwhile would see the half-written layer. Cancelling must overtake the queue.
let queue: Promise<unknown> = Promise.resolve();

/** What a caller may see of an error: the message and input issues, never a stack. */
function wireError(e: unknown): WireError {
  if (e instanceof ApiError) return { message: e.message, issues: e.issues };
  if (e instanceof InputError) {
    return { message: e.message, issues: e.issues.map((i) => ({ file: i.source, row: i.feature, field: i.field, message: i.message })) };
  }
  if (e instanceof Error) return { message: e.message };
  return { message: String(e) };
}

port.on('message', (req: HostRequest) => {
  if (req.method === 'cancelImport') void answer(req);
  else queue = queue.then(() => answer(req));
});

async function answer(req: HostRequest): Promise<void> {
  const send = (reply: HostReply) => port.postMessage(reply);
  try {
    const service = await opening;
    if (req.method === '__close') {
      service.close();
      send({ id: req.id, kind: 'ok', value: null });
      return;
    }
    if (!methods.has(req.method)) throw new ApiError(`unknown method ${req.method}`);
    const args = [...req.args];
    if (req.method === 'importLayer' && req.wantsProgress) {
      args[1] = (progress: ImportProgress) => send({ id: req.id, kind: 'progress', progress });
    }
    const fn = (service as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[req.method];
    const value = await fn.apply(service, args);
    send({ id: req.id, kind: 'ok', value });
  } catch (e) {
    send({ id: req.id, kind: 'error', error: wireError(e) });
  }
}
