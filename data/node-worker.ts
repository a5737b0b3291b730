// Starts one of data/'s worker scripts both from TypeScript sources and from a bundle. From sources (tsx: the
// CLI, tests) the worker registers tsx itself: Node 20 does not apply tsx's loader inside worker threads.
// Bundled, each worker is an entry of its own (`<name>.mjs`, or `.cjs`: COMMONJS_WORKERS) beside the chunk that
// starts it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Workers that bundles build as one CommonJS file (`<name>.cjs`) rather than an ES module (`<name>.mjs`): without
 * the ES module loader a worker is ready ~50 ms sooner, ~5 % of an analysis at M (bench/RESULTS.md). The host's
 * and the import's workers run for seconds and stay ES modules.
 */
export const COMMONJS_WORKERS: ReadonlySet<string> = new Set(['analysis-crew-worker']);

function workerUrl(name: string): { url: URL; fromSource: boolean } {
  const fromSource = import.meta.url.endsWith('.ts');
  const extension = fromSource ? '.ts' : COMMONJS_WORKERS.has(name) ? '.cjs' : '.mjs';
  return { url: new URL(`./${name}${extension}`, import.meta.url), fromSource };
}

/**
 * Whether the worker script exists: a bundle built without it as an entry (an older server or Electron build
 * configuration) has none, and callers that can do the work on their own thread then do.
 */
export function dataWorkerAvailable(name: string): boolean {
  return existsSync(fileURLToPath(workerUrl(name).url));
}

/** `name`: the worker script's path in data/ without extension, e.g. 'analysis-crew-worker' or 'import/import-worker'. */
export function startDataWorker(name: string, options: WorkerOptions): Worker {
  const { url, fromSource } = workerUrl(name);
  return fromSource
    ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`, { ...options, eval: true })
    : new Worker(url, options);
}
