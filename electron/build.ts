// Bundles the Electron main process, its Atlas workers and the preload into dist/electron/ with esbuild
// (and builds the renderer when stale). Usage: tsx electron/build.ts
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRendererBuilt } from '../server/build';
import { buildAtomically, buildCommonJsWorkers, DATA_WORKER_ENTRIES, NODE_BUNDLE_OPTIONS, ROOT } from '../server/bundle';

export { NODE_BUNDLE_OPTIONS, ROOT };

export async function buildElectron(outdir = join(ROOT, 'dist', 'electron')): Promise<void> {
  await buildAtomically({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: { main: join(ROOT, 'electron', 'main.ts'), ...DATA_WORKER_ENTRIES },
    outdir,
  });
  await buildCommonJsWorkers(outdir);
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
  // `electron dist/electron` (npm start) reads this for the app's name and version; packaged builds use
  // the root package.json with extraMetadata.main instead (electron-builder.yml).
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Record<string, string>;
  const dev = { name: pkg.name, productName: pkg.productName, version: pkg.version, type: 'module', main: 'main.mjs' };
  await writeFile(join(outdir, 'package.json'), JSON.stringify(dev, null, 2) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await ensureRendererBuilt(ROOT);
  await buildElectron();
  console.log('Built dist/electron (main.mjs, host-worker.mjs, analysis-crew-worker.cjs, import/import-worker.mjs, preload.cjs, package.json)');
}
