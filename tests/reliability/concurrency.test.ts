// Two app instances (processes) on one workspace: the second opens read-only with a clear message and cannot
// import; when both start at once exactly one gets to write; the file is never corrupt.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceInfo } from '../../api/contract';
import { Workspace } from '../../data/workspace/index';
import { settlements } from '../workspace/helpers';

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/service-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'atlas-two-'));
const template = join(dir, 'template.gpkg');
const csv = join(dir, '新增聚居区.csv');
let baseHash = '';

interface Reply { op: string; error?: string; outcome?: { ok: boolean; issues?: unknown[] }; pid?: number }
type Info = Reply & WorkspaceInfo;

/** A child app instance with a line-based request/reply channel. */
class Instance {
  readonly p: ChildProcessWithoutNullStreams;
  private buf = '';
  private waiting: ((line: string) => void)[] = [];
  private lines: string[] = [];
  stderr = '';
  constructor(path: string) {
    this.p = spawn(process.execPath, ['--import', 'tsx', script, path], { cwd: root, stdio: 'pipe' });
    this.p.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.p.stdout.on('data', (d: Buffer) => {
      this.buf += d.toString();
      const parts = this.buf.split('\n');
      this.buf = parts.pop() ?? '';
      for (const l of parts) {
        const w = this.waiting.shift();
        if (w) w(l);
        else this.lines.push(l);
      }
    });
  }
  next<T = Reply>(): Promise<T> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(JSON.parse(queued) as T);
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`instance exited; stderr: ${this.stderr}`));
      this.p.once('exit', onExit);
      this.waiting.push((l) => { this.p.off('exit', onExit); resolve(JSON.parse(l) as T); });
    });
  }
  send<T = Reply>(cmd: object): Promise<T> {
    this.p.stdin.write(`${JSON.stringify(cmd)}\n`);
    return this.next<T>();
  }
  async close(): Promise<void> {
    if (this.p.exitCode !== null) return;
    await this.send({ op: 'close' });
  }
  kill(): void {
    this.p.kill('SIGKILL');
  }
}

function fresh(name: string): string {
  const path = join(dir, name);
  copyFileSync(template, path);
  return path;
}

function check(path: string): { layers: number; hash: string } {
  const ws = Workspace.open(path);
  try {
    expect(ws.sqlite().pragma('integrity_check', { simple: true })).toBe('ok');
    return { layers: ws.layers().length, hash: ws.contentHash() };
  } finally {
    ws.close();
  }
}

beforeAll(async () => {
  const ws = Workspace.create(template, { name: '双开测试' });
  await ws.writeLayer({ name: '演示聚居区', role: 'settlements', geometryType: 'POINT' }, [settlements(300)]);
  baseHash = ws.contentHash();
  ws.close();
  const rows = ['编号,自然村,户数,县区,经度,纬度'];
  for (let i = 0; i < 3000; i++) rows.push(`N${i},新村${i},${30 + (i % 40)},兴国县,${(115.1 + (i % 97) / 400).toFixed(5)},${(26.2 + (i % 89) / 400).toFixed(5)}`);
  writeFileSync(csv, `${rows.join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('two app instances on the same workspace', () => {
  it('the second opens read-only, says who holds it, refuses to import, and still sees the first one\'s commits', async () => {
    const path = fresh('pair.gpkg');
    const first = new Instance(path);
    let second: Instance | null = null;
    try {
      const a = await first.next<Info>();
      expect(a.readOnly).toBe(false);
      second = new Instance(path);
      const b = await second.next<Info>();
      expect(b.readOnly).toBe(true);
      expect(b.readOnlyReason).toMatch(new RegExp(`工作空间正被另一个进程写入（PID ${a.pid}.*opened read-only`));

      const refused = await second.send({ op: 'import', file: csv, role: 'settlements' });
      expect(refused.error).toMatch(/^工作空间只读：工作空间正被另一个进程写入/);
      const done = await first.send({ op: 'import', file: csv, role: 'settlements' });
      expect(done.outcome?.ok).toBe(true);
      const seen = await second.send<Info>({ op: 'info' });
      expect(seen.layers.map((l) => l.featureCount)).toEqual([300, 3000]);
      await first.close();
      await second.close();
    } finally {
      first.kill();
      second?.kill();
    }
    expect(check(path).layers).toBe(2);
    // Once both are gone, the next instance writes again.
    const third = new Instance(path);
    try {
      expect((await third.next<Info>()).readOnly).toBe(false);
      await third.close();
    } finally {
      third.kill();
    }
  }, 60_000);

  it('two instances started at the same moment and both importing: exactly one writes, the file stays sound (5 rounds)', async () => {
    for (let round = 0; round < 5; round++) {
      const path = fresh(`race-${round}.gpkg`);
      const pair = [new Instance(path), new Instance(path)];
      try {
        const infos = await Promise.all(pair.map((i) => i.next<Info>()));
        expect(infos.map((i) => i.readOnly).sort()).toEqual([false, true]);
        const outcomes = await Promise.all(pair.map((i) => i.send({ op: 'import', file: csv, role: 'settlements' })));
        expect(outcomes.filter((o) => o.outcome?.ok === true)).toHaveLength(1);
        expect(outcomes.filter((o) => /只读/.test(o.error ?? ''))).toHaveLength(1);
        await Promise.all(pair.map((i) => i.close()));
      } finally {
        for (const i of pair) i.kill();
      }
      const after = check(path);
      expect(after.layers).toBe(2);
      expect(after.hash).not.toBe(baseHash);
    }
  }, 120_000);

  it('a reader that stays open while the writer is killed mid-import still reads the last committed state', async () => {
    const path = fresh('reader.gpkg');
    const writer = new Instance(path);
    let reader: Instance | null = null;
    try {
      expect((await writer.next<Info>()).readOnly).toBe(false);
      reader = new Instance(path); // only now: started together, either could take the lock
      expect((await reader.next<Info>()).readOnly).toBe(true);
      writer.p.stdin.write(`${JSON.stringify({ op: 'import', file: csv, role: 'settlements' })}\n`);
      await new Promise((r) => setTimeout(r, 150));
      writer.kill();
      const seen = await reader.send<Info>({ op: 'info' });
      expect([1, 2]).toContain(seen.layers.length);
      await reader.close();
    } finally {
      writer.kill();
      reader?.kill();
    }
    const after = check(path);
    expect([1, 2]).toContain(after.layers);
    if (after.layers === 1) expect(after.hash).toBe(baseHash);
  }, 60_000);
});
