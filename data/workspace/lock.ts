// Write lock: a `<file>.lock` JSON file naming the owning process, created atomically (write a temp
// file, hard-link it into place: the link fails if a lock exists, and a lock is never seen half-written).
// A lock whose process is gone (dead pid on this host, or written before the last boot) is taken over.
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname, uptime } from 'node:os';

export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** Random token: tells our own lock from a successor's. */
  token: string;
}

export type LockResult = { ok: true; lock: WriteLock } | { ok: false; owner: LockOwner };

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(lockPath: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string' || typeof o.since !== 'string' || typeof o.token !== 'string') {
      return null;
    }
    return o as LockOwner;
  } catch {
    return null;
  }
}

/** A lock is stale when its process cannot be running: a dead pid on this host, or taken before this boot. */
function isStale(owner: LockOwner | null): boolean {
  if (!owner) return true;
  if (owner.host !== hostname()) return false; // cannot check another machine's processes: respect it
  const bootedAt = Date.now() - uptime() * 1000;
  if (Date.parse(owner.since) < bootedAt - 60_000) return true;
  return !processAlive(owner.pid);
}

function writeTemp(path: string, owner: LockOwner): string {
  const tmp = `${path}.${process.pid}.${owner.token}.tmp`;
  const fd = openSync(tmp, 'wx');
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return tmp;
}

/** Fallback where hard links fail: O_EXCL create; false if the lock exists. */
function exclusiveCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

export class WriteLock {
  readonly path: string;
  readonly owner: LockOwner;
  private released = false;

  private constructor(path: string, owner: LockOwner) {
    this.path = path;
    this.owner = owner;
  }

  /** Tries to take the lock for `file`; never waits. */
  static acquire(file: string): LockResult {
    const path = `${file}.lock`;
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
      token: Math.random().toString(36).slice(2, 12),
    };
    const tmp = writeTemp(path, owner);
    try {
      try {
        linkSync(tmp, path);
        return { ok: true, lock: new WriteLock(path, owner) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          // File systems without hard links (FAT/exFAT USB drives): exclusive create, then write.
          if (!exclusiveCreate(path, owner)) return WriteLock.contended(path, tmp, owner);
          return { ok: true, lock: new WriteLock(path, owner) };
        }
      }
      return WriteLock.contended(path, tmp, owner);
    } finally {
      try { unlinkSync(tmp); } catch { /* already renamed into place */ }
    }
  }

  /** The lock file exists: respect a live owner, take over a stale one. */
  private static contended(path: string, tmp: string, owner: LockOwner): LockResult {
    const current = readOwner(path);
    if (!isStale(current)) return { ok: false, owner: current as LockOwner };
    // Take over atomically, then read back: of two processes taking over at once, one sees the other's token.
    renameSync(tmp, path);
    const now = readOwner(path);
    if (now?.token === owner.token) return { ok: true, lock: new WriteLock(path, owner) };
    return { ok: false, owner: now ?? owner };
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readOwner(this.path)?.token === this.owner.token) {
      try { unlinkSync(this.path); } catch { /* removed by someone else: nothing to release */ }
    }
  }
}
