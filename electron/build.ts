// Bundles the Electron main process, its Atlas worker and the preload into dist/electron/ with esbuild
// (and builds the renderer when stale). Usage: tsx electron/build.ts
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRendererBuilt } from '../server/build';
import { buildAtomically, NODE_BUNDLE_OPTIONS, ROOT } from '../server/bundle';

export { NODE_BUNDLE_OPTIONS, ROOT };

export async function buildElectron(outdir = join(ROOT, 'dist', 'electron')): Promise<void> {
  await buildAtomically({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: { main: join(ROOT, 'electron', 'main.ts'), 'host-worker': join(ROOT, 'data', 'host-worker.ts') },
    outdir,
  });
  // Sandboxed preloads must be one CommonJS file that requires nothing but 'electron'.
  await buildAtomically({
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
