// esbuild bundles for the Node side (browser-mode server, Electron main). Bundling also gives the data/ workers
// plain-JS entries of their own (host-worker.mjs, …): Node 20 does not apply tsx's loader inside worker threads.
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Node-side bundles are ESM; CommonJS dependencies inside them need a real `require`. */
export const NODE_BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  // Native addon: loaded from node_modules (rebuilt for Electron by electron-builder), never bundled. pdfkit
  // (its font metrics) and playwright-core (its browser registry) find their data files through __dirname,
  // which only holds inside node_modules.
  external: ['electron', 'better-sqlite3', 'pdfkit', 'playwright-core'],
  banner: { js: "import { createRequire as __atlasRequire } from 'node:module'; const require = __atlasRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
};

/**
 * The data/ worker scripts beside every Node-side bundle (server, Electron, the bench's CLI): the host's worker,
 * the analysis crew's, the two-thread import's, and the report writer's. data/node-worker.ts finds each as
 * `<name>.mjs` next to the code that starts it.
 */
export const DATA_WORKER_ENTRIES: Record<string, string> = Object.fromEntries(
  ['host-worker', 'analysis-crew-worker', 'import/import-worker'].map((w) => [w, join(ROOT, 'data', `${w}.ts`)]),
);

/**
 * Builds in memory, then replaces each output file by rename: two starters building at once never
 * leave a half-written file for the other to load.
 */
export async function buildAtomically(options: BuildOptions & { outdir: string }): Promise<Metafile | undefined> {
  const result = await build({ ...options, write: false });
  await mkdir(options.outdir, { recursive: true });
  for (const file of result.outputFiles ?? []) {
    const tmp = `${file.path}.${process.pid}.${Date.now()}.tmp`;
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(tmp, file.contents);
    await rename(tmp, file.path);
  }
  return result.metafile;
}

/** What a bundle was built from (esbuild's metafile inputs), kept beside it to tell when it is out of date. */
const INPUTS_FILE = 'inputs.json';

/**
 * True when every output exists and is newer than every source it was built from and than package-lock.json.
 * Synchronous: a few hundred stats one by one through the thread pool took ~70 ms of every start, in one call ~5.
 */
function bundleIsFresh(outdir: string, outputs: string[]): boolean {
  try {
    const inputs = JSON.parse(readFileSync(join(outdir, INPUTS_FILE), 'utf8')) as string[];
    let builtAt = Infinity;
    for (const o of outputs) builtAt = Math.min(builtAt, statSync(join(outdir, o)).mtimeMs);
    for (const input of [...inputs, 'package-lock.json']) {
      if (statSync(join(ROOT, input)).mtimeMs > builtAt) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * dist/server/main.mjs + the data/ workers: what `npm run serve` runs. Rebuilt only when a source changed since
 * (half a second of every start otherwise).
 */
export async function buildServer(outdir = join(ROOT, 'dist', 'server')): Promise<string> {
  const outputs = ['main.mjs', ...Object.keys(DATA_WORKER_ENTRIES).map((w) => `${w}.mjs`)];
  if (bundleIsFresh(outdir, outputs)) return join(outdir, 'main.mjs');
  const metafile = await buildAtomically({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: { main: join(ROOT, 'server', 'main.ts'), ...DATA_WORKER_ENTRIES },
    outdir,
    metafile: true,
  });
  await writeFile(join(outdir, INPUTS_FILE), JSON.stringify(Object.keys(metafile?.inputs ?? {})));
  return join(outdir, 'main.mjs');
}
