// Every file of the malformed corpus (tests/fixtures/bad) through AtlasService.importLayer, in a child process with
// a 512 MB heap and a per-file watchdog: the README's expected outcome, no crash, no hang, bounded memory, and the
// workspace's content hash unchanged after every rejected file.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportIssue } from '../../api/contract';
import { Workspace } from '../../data/workspace/index';
import { CASES } from '../fixtures/bad/cases';
import { coverage, settlements } from '../workspace/helpers';

const root = fileURLToPath(new URL('../../', import.meta.url));
const child = fileURLToPath(new URL('./fixtures/corpus-child.ts', import.meta.url));
/** No single file may take longer than this (the slowest, a zip bomb, takes under 2 s here). */
const PER_FILE_MS = 20_000;
/** Resident memory of the importing process: V8 heap is capped at 512 MB, buffers are not; a bomb must not get far. */
const MAX_RSS = 1024 ** 3;

interface Line {
  file: string; ok?: boolean; features?: number; layers?: number; issues?: ImportIssue[]; count?: number;
  threw?: string; ms: number; rss: number; hash: string;
}
type Result = Line | { file: string; hung: true } | { file: string; crashed: string };

const dir = mkdtempSync(join(tmpdir(), 'atlas-corpus-'));
const path = join(dir, 'ws.gpkg');
let before = '';
let baseLayers = 0;
const results = new Map<string, Result>();

/** Runs the child over `files`; resolves with the files it did not get to (after a hang or a crash, with the culprit recorded). */
function runChild(files: string[]): Promise<string[]> {
  return new Promise((resolve) => {
    const p: ChildProcessWithoutNullStreams = spawn(process.execPath,
      ['--max-old-space-size=512', '--import', 'tsx', child, path, dir, ...files], { cwd: root, stdio: 'pipe' });
    let next = 0;
    let buf = '';
    let stderr = '';
    let timer = setTimeout(() => onHang(), PER_FILE_MS);
    const onHang = () => {
      results.set(files[next], { file: files[next], hung: true });
      p.kill('SIGKILL');
    };
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        if (l === 'done' || !l.startsWith('{')) continue;
        const line = JSON.parse(l) as Line;
        results.set(line.file, line);
        next++;
        clearTimeout(timer);
        timer = setTimeout(() => onHang(), PER_FILE_MS);
      }
    });
    p.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (next < files.length && !results.has(files[next])) {
        results.set(files[next], { file: files[next], crashed: `exit ${code ?? signal}: ${stderr.slice(-2000)}` });
      }
      resolve(files.slice(next + (next < files.length ? 1 : 0)));
    });
  });
}

beforeAll(async () => {
  const ws = Workspace.create(path, { name: '语料测试 (演示数据)' });
  await ws.writeLayer({ name: '演示聚居区', role: 'settlements', geometryType: 'POINT', source: 'demo' }, [settlements(400)]);
  await ws.writeLayer({ name: '演示4G覆盖', role: 'mobile', geometryType: 'MULTIPOLYGON', source: 'demo' }, [coverage(120)]);
  ws.setSetting('language', 'zh-CN');
  before = ws.contentHash();
  baseLayers = ws.layers().length;
  ws.close();
  let left = CASES.map((c) => c.file);
  while (left.length) left = await runChild(left);
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`malformed corpus: ${CASES.length} files through AtlasService.importLayer`, () => {
  it('meets every expectation of the README table, with a clear error, in bounded time and memory, leaving the workspace intact', () => {
    let clear = 0;
    let intact = 0;
    let accepted = 0;
    const failures: string[] = [];
    for (const c of CASES) {
      const r = results.get(c.file);
      const fail = (why: string) => failures.push(`${c.file}: ${why}`);
      if (!r) { fail('no result'); continue; }
      if ('hung' in r) { fail(`no answer within ${PER_FILE_MS} ms`); continue; }
      if ('crashed' in r) { fail(`the importing process died: ${r.crashed}`); continue; }
      if (r.threw) { fail(`importLayer threw instead of reporting issues: ${r.threw}`); continue; }
      if (r.rss > MAX_RSS) fail(`resident memory ${Math.round(r.rss / 1024 ** 2)} MB`);
      if (r.hash === before) intact++;
      else fail('the workspace content hash changed');
      const e = c.expect;
      if ('accepted' in e) {
        if (r.ok && r.features === e.features && r.layers === baseLayers + 1) accepted++;
        else fail(`expected to be accepted with ${e.features} features, got ${JSON.stringify(r.issues ?? r.features)}`);
        continue;
      }
      const first = r.issues?.[0];
      if (r.ok || !first) { fail(`expected an issue, the import ${r.ok ? 'succeeded' : 'reported nothing'}`); continue; }
      const wellFormed = (r.issues ?? []).every((i) => i.file === c.file && Number.isInteger(i.row) && i.row >= -1 && i.field !== '' && i.message.length > 10);
      if (!wellFormed) fail(`an issue lacks file/row/field/message: ${JSON.stringify(r.issues)}`);
      else if (first.row !== e.row || first.field !== e.field || !e.message.test(first.message)) {
        fail(`first issue ${JSON.stringify(first)}; expected row ${e.row}, field ${e.field}, message ${e.message}`);
      } else clear++;
    }
    const slowest = [...results.values()].filter((r): r is Line => 'ms' in r).sort((a, b) => b.ms - a.ms)[0];
    const peak = Math.max(...[...results.values()].map((r) => ('rss' in r ? r.rss : 0)));
    console.log(`corpus: ${CASES.length} files tried, ${clear} clear errors, ${accepted} accepted on purpose, ` +
      `${intact} workspaces intact; slowest ${slowest?.file} ${slowest?.ms} ms; peak RSS ${Math.round(peak / 1024 ** 2)} MB`);
    expect(failures).toEqual([]);
    expect(clear + accepted).toBe(CASES.length);
    expect(intact).toBe(CASES.length);
  });

  it('covers every format the app imports, at least 60 files', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    const ext = new Set(CASES.map((c) => c.file.slice(c.file.lastIndexOf('.'))));
    expect([...ext].sort()).toEqual(['.csv', '.geojson', '.kml', '.kmz', '.xlsx', '.zip']);
  });
});
