// Runs the Atlas service in a worker thread, so that imports and analyses never block the caller (the
// Electron main process or the browser-mode server), and exposes it as the same typed AtlasApi.
import { API_METHODS, type AtlasApi, type ImportProgress } from '../api/contract';
import { ApiError, type HostReply, type HostRequest } from './host-protocol';
import { startDataWorker } from './node-worker';

export interface AtlasHost extends AtlasApi {
  close(): Promise<void>;
}

export interface HostOptions {
  /** Workspace file; when absent the demo workspace is used (generated on first use). */
  workspace?: string;
  /** Where the demo workspace lives (default: the user's cache folder). */
  demoPath?: string;
}

export async function startAtlasHost(options: HostOptions = {}): Promise<AtlasHost> {
  // host-worker.mjs beside the bundle (server, Electron), or the TypeScript source under tsx (the CLI, tests).
  const worker = startDataWorker('host-worker', { workerData: options });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; progress?: (p: ImportProgress) => void }>();
  let dead: Error | null = null;

  worker.on('message', (msg: HostReply) => {
    const call = pending.get(msg.id);
    if (!call) return;
    if (msg.kind === 'progress') {
      call.progress?.(msg.progress);
      return;
    }
    pending.delete(msg.id);
    if (msg.kind === 'ok') call.resolve(msg.value);
    else call.reject(new ApiError(msg.error.message, msg.error.issues));
  });
  const failAll = (e: Error) => {
    dead = e;
    for (const call of pending.values()) call.reject(e);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the Atlas service stopped (exit code ${code})`)));

  const call = (method: string, args: unknown[], progress?: (p: ImportProgress) => void): Promise<unknown> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, progress });
      worker.postMessage({ id, method, args, wantsProgress: !!progress } satisfies HostRequest);
    });
  };

  const api = Object.fromEntries(API_METHODS.map((m) => [m, (...args: unknown[]) => {
    if (m === 'importLayer' && typeof args[1] === 'function') {
      return call(m, [args[0]], args[1] as (p: ImportProgress) => void);
    }
    return call(m, args);
  }])) as unknown as AtlasApi;

  // The worker opens the workspace before answering its first call: wait for it, so a bad path fails here.
  await api.workspace();
  return {
    ...api,
    async close() {
      if (dead) return;
      await call('__close', []).catch(() => undefined);
      await worker.terminate();
    },
  };
}
