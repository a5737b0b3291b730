// Exports in browser mode: the server picks where the back end writes (its private folder, whatever `out`
// the page sent), answers with an unguessable download URL, and serves only files it issued tokens for.
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportedFile } from '../../api/contract';
import { contentDisposition } from '../../server/downloads';
import { startServer, type AtlasServer } from '../../server/server';
import { fakeApi, type FakeApi } from './fake-api';
import { rawRequest } from './raw-http';

let dir: string;
let server: AtlasServer;
let api: FakeApi;
let parent: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atlas-download-test-'));
  const assets = join(dir, 'assets');
  await mkdir(assets);
  await writeFile(join(assets, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(join(dir, 'secret.txt'), 'TOP-SECRET');
  parent = join(dir, 'private');
  await mkdir(parent);
  api = fakeApi(join(dir, 'demo.gpkg'));
  server = await startServer({ api, assetsDir: assets, port: 0, downloadParent: parent, log: () => undefined });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (method: string, args: unknown[]) => rawRequest(server.port, {
  method: 'POST', target: `/api/${method}`, body: JSON.stringify({ args }), headers: { 'Content-Type': 'application/json' },
});
const get = (target: string, headers: Record<string, string> = {}) => rawRequest(server.port, { target, headers });

async function exportOne(method: string, request: Record<string, unknown>): Promise<ExportedFile> {
  const res = await post(method, [request]);
  expect(res.status, res.body).toBe(200);
  return (JSON.parse(res.body) as { value: ExportedFile }).value;
}

describe('downloads', () => {
  it('writes where the server says, not where the page says, and never reveals the path', async () => {
    const evil = join(dir, 'owned.xlsx');
    const file = await exportOne('exportReport', { month: '2020-06', format: 'xlsx', out: evil });
    await expect(stat(evil)).rejects.toThrow();
    const out = (api.calls.at(-1)!.args[0] as { out: string }).out;
    expect(out.startsWith(parent)).toBe(true);
    expect(file.path).toBeUndefined();
    expect(JSON.stringify(file)).not.toContain(parent);
    expect(file.fileName).toBe('月报_2020-06.xlsx');
    expect(file.url).toMatch(/^\/api\/download\/[0-9a-f]{64}$/);
  });

  it('serves the file with Content-Disposition (ASCII fallback and UTF-8 name) and a type', async () => {
    const file = await exportOne('exportReport', { month: '2020-06', format: 'pdf' });
    const res = await get(file.url!);
    expect(res.status).toBe(200);
    expect(res.body).toBe('report 2020-06 pdf');
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="___2020-06.pdf"; filename*=UTF-8''${encodeURIComponent('月报_2020-06.pdf')}`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const map = await exportOne('exportMap', { county: '于都县', dpi: 300, paper: 'A3' });
    expect(map.fileName).toBe('覆盖图_于都县_A3_300dpi.png');
    expect((await get(map.url!)).headers['content-type']).toBe('image/png');
  });

  it('tokens are 256-bit random and distinct; anything else is 404 and nothing outside the folder is reachable', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) tokens.add((await exportOne('exportLedger', {})).url!.split('/').pop()!);
    expect(tokens.size).toBe(20);
    for (const target of ['/api/download/' + '0'.repeat(64), '/api/download/..%2f..%2fsecret.txt', '/api/download/../../secret.txt',
      '/api/download/' + [...tokens][0].toUpperCase(), '/api/download/' + [...tokens][0] + '/x', '/api/download/']) {
      const res = await get(target);
      expect([403, 404], target).toContain(res.status);
      expect(res.body).not.toContain('TOP-SECRET');
    }
    // Files on disk are named by token only: the user's name never becomes a path.
    const folders = await readdir(parent);
    const exportDir = folders.find((f) => f.startsWith('coverage-atlas-export-'))!;
    for (const f of await readdir(join(parent, exportDir))) expect(f).toMatch(/^[0-9a-f]{64}\.[a-z]+$/);
    expect((await stat(join(parent, exportDir))).mode & 0o777).toBe(0o700);
  });

  it('refuses other verbs and cross-site fetches', async () => {
    const file = await exportOne('exportScenario', { name: '方案 A/../x', builds: [] });
    expect(file.fileName).toBe('规划方案_方案_A_.._x.geojson');
    expect((await rawRequest(server.port, { method: 'POST', target: file.url!, headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(405);
    expect((await get(file.url!, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await get(file.url!, { Origin: 'http://evil.example' })).status).toBe(403);
  });

  it('a failed export leaves no download behind', async () => {
    const before = (await readdir(parent)).length;
    const res = await post('exportReport', ['not an object']);
    expect(res.status).toBe(400);
    expect((await readdir(parent)).length).toBe(before);
  });

  it('encodes awkward names safely', () => {
    expect(contentDisposition('a"b;c.pdf')).toBe(`attachment; filename="a_b_c.pdf"; filename*=UTF-8''a%22b%3Bc.pdf`);
  });
});
