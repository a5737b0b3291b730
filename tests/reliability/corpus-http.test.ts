// The malformed corpus the way browser mode receives it: uploaded over HTTP to the real server in front of the real
// AtlasService, then imported by token. Same expectations as corpus.test.ts, plus: the answers never reveal the
// server's private upload folder, and the workspace is unchanged after all of them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportOutcome } from '../../api/contract';
import { AtlasService } from '../../data/service';
import { Workspace } from '../../data/workspace/index';
import { startServer, type AtlasServer } from '../../server/server';
import { CASES, type Rejected } from '../fixtures/bad/cases';
import { rawRequest } from '../shell/raw-http';
import { settlements } from '../workspace/helpers';

const corpus = fileURLToPath(new URL('../fixtures/bad/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'atlas-corpus-http-'));
const path = join(dir, 'ws.gpkg');
const uploadParent = join(dir, 'uploads');
let service: AtlasService;
let server: AtlasServer;
let before = '';

beforeAll(async () => {
  const ws = Workspace.create(path, { name: '上传测试' });
  await ws.writeLayer({ name: '演示聚居区', role: 'settlements', geometryType: 'POINT' }, [settlements(300)]);
  before = ws.contentHash();
  ws.close();
  const assets = join(dir, 'assets');
  await mkdir(assets);
  await writeFile(join(assets, 'index.html'), '<!doctype html><title>覆盖图谱</title>');
  await mkdir(uploadParent);
  service = AtlasService.open(path);
  server = await startServer({ api: service, assetsDir: assets, port: 0, uploadParent, log: () => undefined });
});
afterAll(async () => {
  await server?.close();
  service?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('malformed corpus uploaded and imported over HTTP (browser mode)', () => {
  const rejected = CASES.filter((c): c is typeof c & { expect: Rejected } => !('accepted' in c.expect));

  it(`${rejected.length} rejected files: the expected issue, named by the uploaded file name, no server path revealed`, async () => {
    const failures: string[] = [];
    for (const c of rejected) {
      const up = await rawRequest(server.port, { method: 'POST', target: `/api/upload?name=${encodeURIComponent(c.file)}`, body: readFileSync(join(corpus, c.file)) });
      if (up.status !== 200) { failures.push(`${c.file}: upload answered ${up.status} ${up.body}`); continue; }
      const { token } = JSON.parse(up.body).value as { token: string };
      const res = await rawRequest(server.port, {
        method: 'POST', target: '/api/importLayer', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ args: [{ file: token, role: c.role, ...c.request }] }),
      });
      if (res.body.includes(dir) || res.body.includes(uploadParent)) failures.push(`${c.file}: the answer reveals a server path: ${res.body.slice(0, 300)}`);
      const last = JSON.parse(res.body.trim().split('\n').at(-1) as string) as { ok: boolean; value?: ImportOutcome; error?: { message: string } };
      if (!last.ok || !last.value) { failures.push(`${c.file}: API error ${JSON.stringify(last.error)}`); continue; }
      const outcome = last.value;
      if (outcome.ok) { failures.push(`${c.file}: imported, expected an issue`); continue; }
      const first = outcome.issues[0];
      if (first.file !== c.file || first.row !== c.expect.row || first.field !== c.expect.field || !c.expect.message.test(first.message)) {
        failures.push(`${c.file}: first issue ${JSON.stringify(first)}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await service.workspace()).layers).toHaveLength(1);
  }, 120_000);

  it('leaves the workspace content unchanged', async () => {
    const ws = Workspace.open(path, { readOnly: true });
    try {
      expect(ws.contentHash()).toBe(before);
    } finally {
      ws.close();
    }
  });
});
