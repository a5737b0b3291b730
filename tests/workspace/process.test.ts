// Crash safety and the cross-process write lock, with real child processes.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../../data/workspace/index';
import { settlements, tempDir } from './helpers';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

function child(script: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', fixture(script), ...args], { cwd: root, stdio: 'pipe' });
}

/** Resolves with the first stdout line matching `test`; rejects if the child exits first. */
function waitForLine(p: ChildProcessWithoutNullStreams, test: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        if (test(line)) {
          p.stdout.off('data', onData);
          resolve(line);
          return;
        }
      }
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.once('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before the expected line; stderr: ${err}`)));
  });
}

const exited = (p: ChildProcessWithoutNullStreams) =>
  new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));

async function baseWorkspace(): Promise<{ path: string; hash: string; layers: ReturnType<Workspace['layers']> }> {
  const path = join(tempDir(), 'crash.gpkg');
  const ws = Workspace.create(path, { name: '崩溃测试' });
  await ws.writeLayer({ name: 'base', role: 'settlements', geometryType: 'POINT' }, [settlements(300)]);
  ws.setSetting('language', 'zh-CN');
  const result = { path, hash: ws.contentHash(), layers: ws.layers() };
  ws.close();
  return result;
}

describe('a process killed in the middle of an import', () => {
  it('leaves the workspace exactly as before (integrity ok, layer absent, content hash equal)', async () => {
    const { path, hash, layers } = await baseWorkspace();
    const p = child('import-child.ts', [path, '400000']);
    try {
      // Wait until uncommitted pages have spilled into the WAL, so the kill hits a half-written file.
      const walSize = () => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
      const line = await waitForLine(p, (l) => l.startsWith('progress ') && walSize() > 2_000_000);
      expect(line).toMatch(/^progress \d+$/);
      expect(Number(line.split(' ')[1])).toBeLessThan(400000);
      p.kill('SIGKILL');
      await exited(p);
      expect(p.signalCode).toBe('SIGKILL');
    } finally {
      p.kill('SIGKILL');
    }
    expect(existsSync(`${path}.lock`)).toBe(true); // stale: its pid is dead
    const ws = Workspace.open(path);
    try {
      expect(ws.readOnly).toBe(false); // the dead process's lock was taken over
      expect(ws.sqlite().pragma('integrity_check', { simple: true })).toBe('ok');
      expect(ws.layers()).toEqual(layers);
      expect(ws.sqlite().prepare("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%huge%'").pluck().get()).toBe(0);
      expect(ws.contentHash()).toBe(hash);
    } finally {
      ws.close();
    }
  });
});

describe('a second process opening the workspace', () => {
  it('opens read-only while another process holds it, and writable once it closes', async () => {
    const { path } = await baseWorkspace();
    const holder = child('hold-child.ts', [path]);
    try {
      expect(await waitForLine(holder, (l) => l.startsWith('ready'))).toBe('ready writable');
      const ws = Workspace.open(path);
      expect(ws.readOnly).toBe(true);
      expect(ws.readOnlyReason).toContain(`PID ${holder.pid}`);
      expect(ws.readOnlyReason).toMatch(/另一个进程.*another process/);
      expect(ws.layers()).toHaveLength(1); // reading still works
      expect(() => ws.setSetting('x', 1)).toThrow(/只读/);
      ws.close();
      holder.stdin.write('close\n');
      await waitForLine(holder, (l) => l === 'closed');
      await exited(holder);
    } finally {
      holder.kill('SIGKILL');
    }
    expect(existsSync(`${path}.lock`)).toBe(false);
    const ws = Workspace.open(path);
    expect(ws.readOnly).toBe(false);
    ws.close();
  });

  it('takes over the stale lock of a killed process', async () => {
    const { path } = await baseWorkspace();
    const holder = child('hold-child.ts', [path]);
    try {
      await waitForLine(holder, (l) => l.startsWith('ready'));
      holder.kill('SIGKILL');
      await exited(holder);
    } finally {
      holder.kill('SIGKILL');
    }
    expect(existsSync(`${path}.lock`)).toBe(true);
    const ws = Workspace.open(path);
    expect(ws.readOnly).toBe(false);
    ws.setSetting('after-crash', true);
    ws.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});
