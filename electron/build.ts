// Bundles the Electron main process, its Atlas worker and the preload into dist/electron/ with esbuild
// (and builds the renderer when stale). Usage: tsx electron/build.ts
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRendererBuilt } from '../server/build';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The worker data/host.ts starts, as it appears in the source and as bundled. */
const WORKER_SOURCE_URL = "new URL('./host-worker.ts', import.meta.url)";
const WORKER_BUNDLE_URL = "new URL('./host-worker.mjs', import.meta.url)";

/** Points data/host.ts at the bundled worker; fails the build if the source no longer matches. */
export const workerUrlPlugin: Plugin = {
  name: 'atlas-host-worker-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]data[\\/]host\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(WORKER_SOURCE_URL)) {
        return { errors: [{ text: `${args.path}: expected ${WORKER_SOURCE_URL} (the worker entry); update electron/build.ts` }] };
      }
      return { contents: source.replace(WORKER_SOURCE_URL, WORKER_BUNDLE_URL), loader: 'ts' };
    });
  },
};

/** Node-side bundles are ESM; CommonJS dependencies inside them need a real `require`. */
export const NODE_BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  // Native addon: loaded from node_modules (rebuilt for Electron by electron-builder), never bundled.
  external: ['electron', 'better-sqlite3'],
  banner: { js: "import { createRequire as __atlasRequire } from 'node:module'; const require = __atlasRequire(import.meta.url);" },
  plugins: [workerUrlPlugin],
  sourcemap: 'linked',
  logLevel: 'warning',
};

export async function buildElectron(outdir = join(ROOT, 'dist', 'electron')): Promise<void> {
  await build({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: { main: join(ROOT, 'electron', 'main.ts'), 'host-worker': join(ROOT, 'data', 'host-worker.ts') },
    outdir,
  });
  // Sandboxed preloads must be one CommonJS file that requires nothing but 'electron'.
  await build({
    entryPoints: { preload: join(ROOT, 'electron', 'preload.ts') },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'chrome130',
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
    logLevel: 'warning',
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await ensureRendererBuilt(ROOT);
  await buildElectron();
  console.log('Built dist/electron (main.mjs, host-worker.mjs, preload.cjs)');
}
