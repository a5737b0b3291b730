import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WriteLock } from '../../data/workspace/lock';
import { tempDir } from './helpers';

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const lockFor = (file: string, owner: object) => writeFileSync(`${file}.lock`, JSON.stringify({ token: 'other', ...owner }));

describe('WriteLock', () => {
  it('takes a free lock, refuses a held one, and removes only its own file on release', () => {
    const file = join(tempDir(), 'a.gpkg');
    const a = WriteLock.acquire(file);
    expect(a.ok).toBe(true);
    const b = WriteLock.acquire(file);
    expect(b).toMatchObject({ ok: false, owner: { pid: process.pid, host: hostname() } });
    if (a.ok) a.lock.release();
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(WriteLock.acquire(file).ok).toBe(true);
  });

  it('takes over the lock of a dead process, a lock from before the last boot, and a malformed one', () => {
    const now = new Date().toISOString();
    const cases = [
      { pid: deadPid(), host: hostname(), since: now },
      { pid: process.ppid, host: hostname(), since: '2000-01-01T00:00:00.000Z' },
    ];
    for (const owner of cases) {
      const file = join(tempDir(), 'b.gpkg');
      lockFor(file, owner);
      const r = WriteLock.acquire(file);
      expect(r.ok).toBe(true);
      expect(JSON.parse(readFileSync(`${file}.lock`, 'utf8')).pid).toBe(process.pid);
    }
    const file = join(tempDir(), 'c.gpkg');
    writeFileSync(`${file}.lock`, '{"pid":');
    expect(WriteLock.acquire(file).ok).toBe(true);
  });

  it('respects a live process and a lock taken on another machine', () => {
    const live = join(tempDir(), 'd.gpkg');
    lockFor(live, { pid: process.ppid, host: hostname(), since: new Date().toISOString() });
    expect(WriteLock.acquire(live)).toMatchObject({ ok: false, owner: { pid: process.ppid } });
    const remote = join(tempDir(), 'e.gpkg');
    lockFor(remote, { pid: deadPid(), host: 'another-host', since: new Date().toISOString() });
    expect(WriteLock.acquire(remote)).toMatchObject({ ok: false, owner: { host: 'another-host' } });
  });
});
