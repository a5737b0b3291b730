// electron/build.ts output: a sandbox-ready preload and a main bundle whose Atlas worker really runs.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS } from '../../api/contract';
import { buildElectron, NODE_BUNDLE_OPTIONS, ROOT } from '../../electron/build';
import { Workspace } from '../../data/workspace';

let root: string;
let out: string;
beforeAll(async () => {
  // Inside the project, like dist/electron beside dist/renderer, so node_modules (better-sqlite3)
  // resolves as in the app.
  await mkdir(join(ROOT, '.cache'), { recursive: true });
  root = await mkdtemp(join(ROOT, '.cache', 'bundle-test-'));
  out = join(root, 'electron');
  await buildElectron(out);
}, 120_000);
afterAll(() => rm(root, { recursive: true, force: true }));

describe('electron bundles', () => {
  it('preload is one CommonJS file that requires only electron', async () => {
    const preload = await readFile(join(out, 'preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect([...new Set(required)]).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld');
  });

  it('main is ESM, keeps electron and better-sqlite3 external, and has its workers beside it', async () => {
    const main = await readFile(join(out, 'main.mjs'), 'utf8');
    expect(main).toMatch(/from "electron"/);
    expect(main).toMatch(/["']host-worker["']/);
    for (const file of ['host-worker.mjs', 'analysis-crew-worker.cjs', 'import/import-worker.mjs']) {
      expect(await readFile(join(out, file), 'utf8')).toMatch(/workerData/);
    }
    expect(await readFile(join(out, 'host-worker.mjs'), 'utf8')).toMatch(/better-sqlite3/);
    // The crew's worker is one strict-mode CommonJS file: no import statement, nothing from the ES module chunks.
    const crew = await readFile(join(out, 'analysis-crew-worker.cjs'), 'utf8');
    expect(crew.startsWith("'use strict';")).toBe(true);
    expect(crew).not.toMatch(/^import /m);
    expect(crew).not.toMatch(/\.mjs["']/);
  });

  it('writes the package.json `electron dist/electron` reads for name and version', async () => {
    const pkg = JSON.parse(await readFile(join(out, 'package.json'), 'utf8'));
    const root = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg).toEqual({ name: root.name, productName: root.productName, version: root.version, type: 'module', main: 'main.mjs' });
    expect(root.scripts.start).toBe('tsx electron/build.ts && electron dist/electron');
  });

  it('the bundled host worker opens a workspace under plain Node (no tsx)', async () => {
    await build({ ...NODE_BUNDLE_OPTIONS, entryPoints: { probe: join(import.meta.dirname, 'fixtures', 'host-probe.ts') }, outdir: out });
    const gpkg = join(out, 'probe.gpkg');
    Workspace.create(gpkg, { name: 'probe' }).close();
    const run = spawnSync(process.execPath, [join(out, 'probe.mjs'), gpkg], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ path: gpkg, layers: 0 });
  }, 90_000);

  it('a bundled analysis crew worker reads, packs and classifies workspace layers under plain Node', async () => {
    await build({ ...NODE_BUNDLE_OPTIONS, entryPoints: { 'crew-probe': join(import.meta.dirname, 'fixtures', 'crew-probe.ts') }, outdir: out });
    const gpkg = join(out, 'crew.gpkg');
    const ws = Workspace.create(gpkg, { name: 'crew' });
    const square = (x: number, operator: string) => ({ type: 'Feature' as const, properties: { operator },
      geometry: { type: 'Polygon' as const, coordinates: [[[x, 25], [x + 1, 25], [x + 1, 26], [x, 26], [x, 25]]] } });
    const point = (i: number) => ({ type: 'Feature' as const, geometry: { type: 'Point' as const, coordinates: [114 + i / 10, 25.5] },
      properties: { id: `S${i}`, households: 30, county: '于都县' } });
    await ws.writeLayer({ name: '聚居区', role: 'settlements', geometryType: 'POINT' }, [Array.from({ length: 20 }, (_, i) => point(i))]);
    await ws.writeLayer({ name: '移动', role: 'mobile', geometryType: 'POLYGON' }, [[square(114, 'CMCC'), square(115, 'CT')]]);
    await ws.writeLayer({ name: '宽带', role: 'broadband', geometryType: 'POLYGON' }, [[square(114.5, 'CU')]]);
    ws.close();
    await expect(readFile(join(out, 'analysis-crew-worker.cjs'), 'utf8')).resolves.toMatch(/require\("better-sqlite3"\)/);
    const run = spawnSync(process.execPath, [join(out, 'crew-probe.mjs'), gpkg], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    // Settlement i at longitude 114 + i/10: CMCC's square covers 0..10, CT's 10..20 (both at 10), CU's 5..15.
    const bits = (f: (i: number) => number) => Array.from({ length: 20 }, (_, i) => f(i));
    expect(JSON.parse(run.stdout)).toEqual([
      { polygons: 2, mask: bits((i) => (i <= 10 ? 1 : 0) | (i >= 10 ? 2 : 0)) },
      { polygons: 1, mask: bits((i) => (i >= 5 && i <= 15 ? 4 : 0)) },
    ]);
  }, 90_000);

  it('the bundled two-thread import reads a file on its worker under plain Node', async () => {
    await build({ ...NODE_BUNDLE_OPTIONS, entryPoints: { 'import-probe': join(import.meta.dirname, 'fixtures', 'import-probe.ts') }, outdir: out });
    const file = join(out, 'probe-settlements.geojson');
    const point = (i: number) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [114 + i / 100, 25.5] },
      properties: { id: `S${i}`, name: '刘屋', households: 30, county: '于都县', township: '车溪乡', village: '潮溪村' } });
    await writeFile(file, JSON.stringify({ type: 'FeatureCollection', features: Array.from({ length: 25 }, (_, i) => point(i)) }));
    const run = spawnSync(process.execPath, [join(out, 'import-probe.mjs'), file], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ worker: true, rows: 0, encoded: 25, issues: [] });
  }, 90_000);

  it('the bundled main process starts under a scripted electron: protocol, host worker and IPC work', async () => {
    await mkdir(join(root, 'renderer', 'assets'), { recursive: true });
    await writeFile(join(root, 'renderer', 'index.html'), '<title>覆盖图谱 Coverage Atlas</title><script type="module" src="./assets/app.js"></script>');
    await writeFile(join(root, 'renderer', 'assets', 'app.js'), 'export {};');
    const gpkg = join(root, 'main-probe.gpkg');
    Workspace.create(gpkg, { name: 'main-probe' }).close();
    const run = spawnSync(process.execPath, ['--import', join(import.meta.dirname, 'fixtures', 'register-electron-hooks.mjs'), join(out, 'main.mjs'), gpkg], {
      encoding: 'utf8', timeout: 60_000, env: { ...process.env, ATLAS_FAKE_HOME: join(root, 'home') },
    });
    expect(run.status, run.stderr).toBe(0);
    const seen = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(seen).toMatchObject({
      privileged: ['app'], sandbox: true, permissions: [false], url: 'app://atlas/index.html',
      preload: join(out, 'preload.cjs'), sandboxPref: true,
      page: { status: 200, title: '覆盖图谱 Coverage Atlas' },
      script: { status: 200, type: 'text/javascript; charset=utf-8' },
      workspace: { ok: true, value: { path: gpkg, name: 'main-probe' } },
      untrusted: { ok: false },
      // One per API method, plus choosing and preparing import files.
      ipcChannels: API_METHODS.length + 2,
    });
    expect(seen.page.csp).toContain("script-src 'self'");
    expect(seen.counties).toBeGreaterThan(0);
    expect(seen.menus).toBeGreaterThan(0);
    const state = JSON.parse(await readFile(join(root, 'home', 'appData', 'coverage-atlas', 'coverage-atlas-window.json'), 'utf8'));
    expect(state.lastWorkspace).toBe(gpkg);
  }, 90_000);
});
