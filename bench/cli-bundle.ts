// The CLI as shipped, for timing: bundled (tsx would add its TypeScript loader to every start), split so that
// each command loads only its own dependencies, with data/'s worker scripts as entries of their own, ES modules or
// single CommonJS files (see data/node-worker.ts). Built under node_modules/.cache so that bare imports resolve and linters skip it.
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildCommonJsWorkers, DATA_WORKER_ENTRIES } from '../server/bundle';

const root = join(import.meta.dirname, '..');

/** Builds into node_modules/.cache/<name>; returns the node arguments that start the CLI. */
export async function buildCliBundle(name = 'coverage-atlas-bench'): Promise<string[]> {
  const outdir = join(root, 'node_modules', '.cache', name);
  await build({
    entryPoints: { main: join(root, 'cli', 'main.ts'), ...DATA_WORKER_ENTRIES },
    bundle: true, splitting: true, platform: 'node', format: 'esm', packages: 'external',
    outdir, outExtension: { '.js': '.mjs' }, logLevel: 'warning',
  });
  await buildCommonJsWorkers(outdir, { packages: 'external' });
  return [join(outdir, 'main.mjs')];
}
