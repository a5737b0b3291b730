// esbuild bundles for the Node side (browser-mode server, Electron main). Bundling also gives the data/ workers
// plain-JS entries of their own (host-worker.mjs, …): Node 20 does not apply tsx's loader inside worker threads.
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMONJS_WORKERS } from '../data/node-worker';

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
  // Metafile inputs relative to the project whatever the current directory: bundleIsFresh and scripts/cli.mjs read them so.
  absWorkingDir: ROOT,
};

/**
 * The data/ worker scripts beside every Node-side bundle (server, Electron, the bench's CLI): the host's worker,
 * the analysis crew's and the two-thread import's. data/node-worker.ts finds each next to the code that starts it:
 * `<name>.mjs` among the bundle's ES modules (DATA_WORKER_ENTRIES), or `<name>.cjs`, one CommonJS file of its own
 * (COMMONJS_WORKER_ENTRIES, see COMMONJS_WORKERS).
 */
const WORKERS = ['host-worker', 'analysis-crew-worker', 'import/import-worker'];
const entries = (names: string[]): Record<string, string> => Object.fromEntries(names.map((w) => [w, join(ROOT, 'data', `${w}.ts`)]));
export const DATA_WORKER_ENTRIES = entries(WORKERS.filter((w) => !COMMONJS_WORKERS.has(w)));
export const COMMONJS_WORKER_ENTRIES = entries(WORKERS.filter((w) => COMMONJS_WORKERS.has(w)));
/** Every worker file a bundle has beside its main, relative to it. */
export const DATA_WORKER_FILES = WORKERS.map((w) => `${w}${COMMONJS_WORKERS.has(w) ? '.cjs' : '.mjs'}`);

/**
 * Builds COMMONJS_WORKER_ENTRIES into `outdir`, each one file with what it imports but the packages left external
 * (`packages`: NODE_BUNDLE_OPTIONS's by default). import.meta.url, which CommonJS lacks, is the file's own URL.
 */
export function buildCommonJsWorkers(outdir: string, packages: Pick<BuildOptions, 'external' | 'packages'> = { external: NODE_BUNDLE_OPTIONS.external }): Promise<Metafile | undefined> {
  return buildAtomically({
    entryPoints: COMMONJS_WORKER_ENTRIES,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    absWorkingDir: ROOT,
    ...packages,
    define: { 'import.meta.url': '__atlasImportMetaUrl' },
    // The directive first, or the banner would make the file sloppy-mode code.
    banner: { js: "'use strict';\nconst __atlasImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    sourcemap: 'linked',
    logLevel: 'warning',
    metafile: true,
  });
}

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

/** Writes INPUTS_FILE: every source the builds of a bundle read, relative to ROOT, and this file, which says how. */
async function writeInputs(outdir: string, ...builds: (Metafile | undefined)[]): Promise<void> {
  const inputs = new Set(['server/bundle.ts', ...builds.flatMap((m) => Object.keys(m?.inputs ?? {}))]);
  await writeFile(join(outdir, INPUTS_FILE), JSON.stringify([...inputs]));
}

/** Where buildCli writes the command line, which `npm run cli` runs (scripts/cli.mjs). */
export const CLI_DIR = join(ROOT, 'dist', 'cli');

/**
 * The command line bundled into `outdir` (main.mjs): split so that each command loads only its own code, the
 * packages required from node_modules, the data/ workers beside it, and `inputs.json` listing the sources, which
 * scripts/cli.mjs compares with the bundle to rebuild it when one changed. From the bundle `analyze` starts
 * ~0.35 s sooner than through tsx's loader.
 */
export async function buildCli(outdir = CLI_DIR): Promise<string> {
  const metafile = await buildAtomically({
    entryPoints: { main: join(ROOT, 'cli', 'main.ts'), ...DATA_WORKER_ENTRIES },
    bundle: true, splitting: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external',
    outdir, outExtension: { '.js': '.mjs' }, logLevel: 'warning', metafile: true, absWorkingDir: ROOT,
  });
  // The CommonJS workers keep only NODE_BUNDLE_OPTIONS's packages external: a package that is an ES module
  // (robust-predicates) required from CommonJS starts Node's ES module loader in the worker, which building it as
  // CommonJS avoids (~10 ms of the crew worker's start, bench/RESULTS.md).
  await writeInputs(outdir, metafile, await buildCommonJsWorkers(outdir));
  return join(outdir, 'main.mjs');
}

/**
 * dist/server/main.mjs + the data/ workers: what `npm run serve` runs. Rebuilt only when a source changed since
 * (half a second of every start otherwise).
 */
export async function buildServer(outdir = join(ROOT, 'dist', 'server')): Promise<string> {
  const outputs = ['main.mjs', ...DATA_WORKER_FILES];
  if (bundleIsFresh(outdir, outputs)) return join(outdir, 'main.mjs');
  const metafile = await buildAtomically({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: { main: join(ROOT, 'server', 'main.ts'), ...DATA_WORKER_ENTRIES },
    outdir,
    metafile: true,
  });
  await writeInputs(outdir, metafile, await buildCommonJsWorkers(outdir));
  return join(outdir, 'main.mjs');
}
