import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApi } from '../../renderer/api/http-client';
import { ApiError } from '../../renderer/api/errors';
import { BIND_ADDRESS, startServer, type AtlasServer } from '../../server/server';
import { fakeApi, type FakeApi } from './fake-api';
import { rawRequest } from './raw-http';

let dir: string;
let server: AtlasServer;
let api: FakeApi;
let uploadParent: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atlas-server-test-'));
  const assets = join(dir, 'assets');
  await mkdir(join(assets, 'assets'), { recursive: true });
  await writeFile(join(assets, 'index.html'), '<!doctype html><title>覆盖图谱 Coverage Atlas</title>');
  await writeFile(join(assets, 'assets', 'maplibre-gl-worker.mjs'), 'self.onmessage = () => {};');
  await writeFile(join(assets, 'assets', 'app.js'), 'console.log(1);');
  await writeFile(join(dir, 'secret.txt'), 'TOP-SECRET');
  await symlink(join(dir, 'secret.txt'), join(assets, 'link.txt'));
  await mkdir(join(dir, 'workspaces'));
  await writeFile(join(dir, 'workspaces', 'demo.gpkg'), '');
  uploadParent = join(dir, 'uploads');
  await mkdir(uploadParent);
  api = fakeApi(join(dir, 'workspaces', 'demo.gpkg'));
  server = await startServer({ api, assetsDir: assets, port: 0, jsonLimit: 4096, uploadLimit: 64 * 1024, uploadParent, log: () => undefined });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (target: string, headers?: Record<string, string>) => rawRequest(server.port, { target, headers });
const postJson = (method: string, args: unknown[], headers?: Record<string, string>) =>
  rawRequest(server.port, {
    method: 'POST', target: `/api/${method}`, body: JSON.stringify({ args }),
    headers: { 'Content-Type': 'application/json', ...headers },
  });

describe('browser-mode server', () => {
  it('listens on 127.0.0.1 only, on the port it reports', async () => {
    expect(BIND_ADDRESS).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const external = Object.values(networkInterfaces()).flat()
      .filter((i) => i && i.family === 'IPv4' && !i.internal).map((i) => i!.address);
    for (const address of external) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = connect(server.port, address);
        s.on('connect', () => { s.destroy(); resolve(false); });
        s.on('error', () => resolve(true));
      });
      expect(refused, `reachable on ${address}`).toBe(true);
    }
  });

  it('serves the page with the strict CSP and nosniff', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const csp = res.headers['content-security-policy'];
    for (const directive of [
      "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
      "worker-src 'self' blob:", "connect-src 'self'",
    ]) expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('tianditu');
    expect(res.body).toContain('覆盖图谱');
  });

  it('adds the online tile host to the CSP only once the user enables it', async () => {
    const basemap = (enabled: boolean) => ({ onlineBasemap: { enabled, provider: 'tianditu', key: 'k', urlTemplate: '' } });
    expect((await postJson('updateSettings', [basemap(true)])).status).toBe(200);
    const on = await get('/');
    expect(on.headers['content-security-policy']).toContain("connect-src 'self' https://*.tianditu.gov.cn");
    expect((await get('/assets/maplibre-gl-worker.mjs')).headers['content-security-policy']).toContain('tianditu');
    await postJson('updateSettings', [basemap(false)]);
    expect((await get('/')).headers['content-security-policy']).not.toContain('tianditu');
  });

  it('serves files without waiting for a busy back end', async () => {
    let release = () => {};
    api.settingsGate = new Promise<void>((resolve) => (release = resolve));
    try {
      // settings() has not answered and will not until released: a server waiting for it would never answer here.
      expect((await get('/assets/app.js')).status).toBe(200);
    } finally {
      release();
      api.settingsGate = null;
    }
  });

  it('serves .mjs (maplibre worker) as text/javascript', async () => {
    const res = await get('/assets/maplibre-gl-worker.mjs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('refuses a foreign Host header (DNS rebinding) and a foreign Origin', async () => {
    expect((await get('/', { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get('/', { Host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await get('/', { Host: `localhost:${server.port}` })).status).toBe(200);
    expect((await postJson('workspace', [], { Host: `attacker.test:${server.port}` })).status).toBe(403);
    expect((await postJson('workspace', [], { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await postJson('workspace', [], { Origin: 'null' })).status).toBe(403);
    expect((await postJson('workspace', [], { Origin: `http://localhost:${server.port}` })).status).toBe(200);
    expect((await postJson('workspace', [], { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect(api.calls.filter((c) => c.method === 'workspace')).toHaveLength(1 + 1); // startServer's own + the allowed one
  });

  it('never serves a file outside the assets folder', async () => {
    const attempts = [
      '/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/%2e%2e/etc/passwd', '//etc/passwd', '/\\..\\secret.txt',
      '/..%2fsecret.txt', '/%2e%2e%5csecret.txt', '/assets/../../secret.txt', '/link.txt', '/etc/passwd',
      '/C:/Windows/win.ini', '/%00index.html', 'http://127.0.0.1/../secret.txt', '/assets%2f..%2f..%2fsecret.txt',
    ];
    for (const target of attempts) {
      const res = await get(target);
      expect([400, 403, 404], target).toContain(res.status);
      expect(res.body, target).not.toContain('TOP-SECRET');
    }
    expect((await get('/link.txt')).status).toBe(403);
    expect((await get('/../secret.txt')).status).toBe(403);
  });

  it('answers unknown methods with 404 and other verbs with 405', async () => {
    const res = await postJson('deleteEverything', []);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ ok: false, error: { message: 'Unknown API method "deleteEverything"' } });
    expect((await postJson('constructor', [])).status).toBe(404);
    expect((await postJson('__proto__', [])).status).toBe(404);
    expect((await get('/api/workspace')).status).toBe(405);
  });

  it('limits JSON bodies (413) and requires a JSON content type', async () => {
    const big = await postJson('searchSettlements', ['x'.repeat(10_000)]);
    expect(big.status).toBe(413);
    const form = await rawRequest(server.port, {
      method: 'POST', target: '/api/workspace', body: 'args=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect((await postJson('searchSettlements', ['a', 5, 'extra'])).status).toBe(400);
  });

  it('reports back-end errors as message (and issues) without a stack trace', async () => {
    const res = await postJson('layerFeatures', [{ layerId: 99 }]);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ ok: false, error: { message: 'Unknown layer 99 图层不存在' } });
    expect(res.body).not.toContain('host.ts');
    const withIssues = JSON.parse((await postJson('analyze', [])).body);
    expect(withIssues.error.issues).toEqual([{ source: 'a.csv', feature: 3, field: 'households', message: 'expected a number' }]);
  });

  it('confines openWorkspace/newWorkspace to the workspace folder', async () => {
    expect((await postJson('openWorkspace', ['/etc/passwd'])).status).toBe(403);
    expect((await postJson('openWorkspace', ['../x.gpkg'])).status).toBe(403);
    expect((await postJson('newWorkspace', [join(dir, 'elsewhere.gpkg')])).status).toBe(403);
    expect((await postJson('newWorkspace', ['sub/x.gpkg'])).status).toBe(403);
    const ok = JSON.parse((await postJson('newWorkspace', ['新工作区.gpkg'])).body);
    expect(ok.ok).toBe(true);
    expect(api.calls.at(-1)).toEqual({ method: 'newWorkspace', args: [join(dir, 'workspaces', '新工作区.gpkg')] });
  });

  it('maps upload tokens to private files and refuses paths for import', async () => {
    const before = api.calls.length;
    const direct = await postJson('importLayer', [{ file: join(dir, 'secret.txt'), role: 'settlements' }]);
    expect(direct.status).toBe(400);
    expect(api.calls.length).toBe(before);

    const up = await rawRequest(server.port, { method: 'POST', target: `/api/upload?name=${encodeURIComponent('../聚居区.csv')}`, body: 'lon,lat\nx,1\n' });
    expect(up.status).toBe(200);
    const { token, name } = JSON.parse(up.body).value;
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(name).toBe('聚居区.csv');

    const preview = JSON.parse((await postJson('previewImport', [{ file: token, role: 'settlements' }])).body);
    expect(preview.value.warnings).toEqual(['read 聚居区.csv']); // temp path hidden

    const res = await postJson('importLayer', [{ file: token, role: 'settlements' }]);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, 3).map((l) => l.progress.rows)).toEqual([10, 20, 30]);
    expect(lines[3]).toEqual({ ok: true, value: { ok: false, truncated: false, issues: [{ file: '聚居区.csv', row: 2, field: 'lon', message: 'expected a number, got "x"' }] } });
    expect(api.importedText.at(-1)).toBe('lon,lat\nx,1\n');
    const sent = api.calls.at(-1)!.args[0] as { file: string };
    expect(sent.file.startsWith(uploadParent)).toBe(true);
  });

  it('limits uploads (413) and keeps no partial file', async () => {
    const res = await rawRequest(server.port, { method: 'POST', target: '/api/upload?name=big.csv', body: Buffer.alloc(100 * 1024, 65) });
    expect(res.status).toBe(413);
    const [store] = await readdir(uploadParent);
    const folders = (await readdir(join(uploadParent, store), { withFileTypes: true })).filter((e) => e.isDirectory());
    // Only the earlier test's upload remains: no folder, no partial file from the refused one.
    expect(folders).toHaveLength(1);
    expect(await readdir(join(uploadParent, store, folders[0].name))).toEqual(['聚居区.csv']);
    expect((await rawRequest(server.port, { method: 'POST', target: '/api/upload?name=noext', body: 'x' })).status).toBe(400);
  });
});

describe('renderer HTTP client against the server', () => {
  it('carries calls, progress and errors', async () => {
    const client = createHttpApi({ base: server.url });
    expect(client.transport).toBe('http');
    expect((await client.workspace()).name).toBe('demo');
    await client.blindSpots();
    expect(api.calls.at(-1)).toEqual({ method: 'blindSpots', args: [undefined] }); // trailing undefined not sent as null

    const file = new File(['lon,lat\n1,2\n'], 'points.csv');
    const sidecar = new File(['x'], 'points.prj');
    const chosen = await client.prepareImportFiles([sidecar, file]);
    expect(chosen.name).toBe('points.csv');
    const seen: number[] = [];
    const all: number[] = [];
    const off = client.onImportProgress((p) => all.push(p.rows));
    const outcome = await client.importLayer({ file: chosen.file, role: 'settlements' }, (p) => seen.push(p.rows));
    off();
    expect(seen).toEqual([10, 20, 30]);
    expect(all).toEqual([10, 20, 30]);
    expect(outcome.ok).toBe(false);
    expect(api.importedText.at(-1)).toBe('lon,lat\n1,2\n');

    const err = await client.layerFeatures({ layerId: 99 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('Unknown layer 99 图层不存在');
    const withIssues = await client.analyze().catch((e: ApiError) => e);
    expect((withIssues as ApiError).issues[0]).toMatchObject({ field: 'households' });
  });

  it('carries the settlement and coverage columns as bytes, equal to what the back end returned', async () => {
    const res = await fetch(`${server.url}api/settlementColumns`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"args":[]}' });
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    await res.arrayBuffer();
    const got = await createHttpApi({ base: server.url }).settlementColumns();
    const want = await api.settlementColumns();
    expect(got.version).toBe('v1');
    expect(got.count).toBe(2);
    expect([...got.lon]).toEqual([115.25, 115.75]);
    expect([...got.lat]).toEqual([25.5, 26.125]);
    expect([...got.households]).toEqual([40, 12]);
    expect([...got.flags]).toEqual([...want.flags]);
    expect(got.counties[got.county[1]]).toBe('宁都县');
    expect(got.names[got.name[0]]).toBe('上屋');
    const coverage = await fetch(`${server.url}api/coverageColumns`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"args":[{"layerId":2}]}' });
    expect(coverage.headers.get('content-type')).toBe('application/octet-stream');
    await coverage.arrayBuffer();
    const polygons = await createHttpApi({ base: server.url }).coverageColumns({ layerId: 2 });
    const wantPolygons = await api.coverageColumns({ layerId: 2 });
    for (const k of ['operator', 'tech', 'polyRing', 'ringVertex', 'coords'] as const) expect([...polygons[k]]).toEqual([...wantPolygons[k]]);
    expect(polygons.techs).toEqual(['4G']);
    const failed = await createHttpApi({ base: server.url }).analysisSummary().catch((e: unknown) => e);
    expect((failed as ApiError).message).toBe('no analysis in the fake');
  });
});

describe('upload folders', () => {
  it('are removed on close, and those of dead servers on the next start', async () => {
    const { UploadStore, sweepAbandoned } = await import('../../server/uploads');
    const parent = await mkdtemp(join(tmpdir(), 'atlas-uploads-'));
    const store = await UploadStore.create(parent);
    const { Readable } = await import('node:stream');
    await store.save('a.csv', Readable.from([Buffer.from('x')]), 10);
    // A folder left by a server that was killed (its pid no longer exists) and one of a live server.
    const dead = join(parent, 'coverage-atlas-upload-dead');
    await mkdir(dead);
    await writeFile(join(dead, 'owner.pid'), '999999999');
    const live = join(parent, 'coverage-atlas-upload-live');
    await mkdir(live);
    await writeFile(join(live, 'owner.pid'), String(process.ppid));
    expect(await sweepAbandoned(parent)).toEqual([dead]);
    expect((await readdir(parent)).sort()).toEqual([store.dir.split('/').pop(), 'coverage-atlas-upload-live'].sort());
    await store.close();
    expect(await readdir(parent)).toEqual(['coverage-atlas-upload-live']);
    await rm(parent, { recursive: true, force: true });
  });
});
