// Starts one of data/'s worker scripts both from TypeScript sources and from a bundle. From sources (tsx: the
// CLI, tests) the worker registers tsx itself: Node 20 does not apply tsx's loader inside worker threads.
// Bundled, each worker is an entry of its own (`<name>.mjs`) beside the chunk that starts it.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `name`: the worker script's file name in data/ without extension, e.g. 'analysis-crew-worker'. */
export function startDataWorker(name: string, options: WorkerOptions): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`./${name}${fromSource ? '.ts' : '.mjs'}`, import.meta.url);
  return fromSource
    ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`, { ...options, eval: true })
    : new Worker(url, options);
}
