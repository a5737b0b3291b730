// Disk full and read-only storage, for real: a small tmpfs (mounting needs root; the tests skip elsewhere and
// tests/workspace covers the same paths with max_page_count / query_only), and a read-only file opened by an
// unprivileged user (root ignores file permissions).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtlasService } from '../../data/service';
import { createWorkspaceFile, SCHEMA_VERSION, Workspace } from '../../data/workspace/index';
import { settlements } from '../workspace/helpers';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'atlas-disk-'));
const mnt = join(dir, 'mnt');
mkdirSync(mnt);
const isRoot = process.getuid?.() === 0;

function tryMount(): boolean {
  if (!isRoot) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const mounted = tryMount();
const remount = (opts: string) => execFileSync('mount', ['-o', `remount,${opts}`, mnt]);

const csv = join(dir, 'big.csv');
beforeAll(() => {
  const rows = ['编号,自然村,户数,县区,经度,纬度'];
  for (let i = 0; i < 60_000; i++) rows.push(`B${i},大村${i},${30 + (i % 40)},宁都县,${(115.6 + (i % 97) / 300).toFixed(5)},${(26.3 + (i % 89) / 300).toFixed(5)}`);
  writeFileSync(csv, `${rows.join('\n')}\n`);
});
afterAll(() => {
  if (mounted) execFileSync('umount', [mnt]);
  rmSync(dir, { recursive: true, force: true });
});

async function baseWorkspace(path: string): Promise<string> {
  const ws = Workspace.create(path, { name: '磁盘测试' });
  await ws.writeLayer({ name: '演示聚居区', role: 'settlements', geometryType: 'POINT' }, [settlements(300)]);
  const hash = ws.contentHash();
  ws.close();
  return hash;
}
function hashOf(path: string): string {
  const ws = Workspace.open(path, { readOnly: true });
  try {
    expect(ws.sqlite().pragma('integrity_check', { simple: true })).toBe('ok');
    return ws.contentHash();
  } finally {
    ws.close();
  }
}

describe.skipIf(!mounted)('a full disk (4 MB tmpfs)', () => {
  it('an import that does not fit fails with 磁盘已满, the workspace keeps what it had, and succeeds once there is room', async () => {
    remount('size=4m');
    const path = join(mnt, 'full.gpkg');
    await baseWorkspace(path);
    const service = AtlasService.open(path);
    try {
      await expect(service.importLayer({ file: csv, role: 'settlements' })).rejects.toThrow(/磁盘已满，写入已撤销，工作空间未改变 \/ Disk full/);
      expect((await service.workspace()).layers).toHaveLength(1);
      // Still usable for reading, and for writing once space is freed.
      remount('size=64m');
      const out = await service.importLayer({ file: csv, role: 'settlements' });
      expect(out.ok && out.layer.featureCount).toBe(60_000);
    } finally {
      service.close();
    }
    const ws = Workspace.open(path);
    try {
      expect(ws.sqlite().pragma('integrity_check', { simple: true })).toBe('ok');
      expect(ws.layers().map((l) => l.featureCount)).toEqual([300, 60_000]);
    } finally {
      ws.close();
    }
    for (const f of readdirSync(mnt)) rmSync(join(mnt, f));
  }, 60_000);

  it('the same failure leaves the content hash unchanged byte for byte', async () => {
    remount('size=4m');
    const path = join(mnt, 'hash.gpkg');
    const hash = await baseWorkspace(path);
    const service = AtlasService.open(path);
    await expect(service.importLayer({ file: csv, role: 'settlements' })).rejects.toThrow(/磁盘已满/);
    service.close();
    expect(hashOf(path)).toBe(hash);
    for (const f of readdirSync(mnt)) rmSync(join(mnt, f));
  }, 60_000);

  it('creating a workspace on a full disk fails clearly and leaves no half-made file', async () => {
    remount('size=4m');
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(4 * 1024 * 1024 - 64 * 1024));
    const current = join(dir, 'current.gpkg');
    await baseWorkspace(current);
    const service = AtlasService.open(current);
    try {
      await expect(service.newWorkspace(join(mnt, 'new.gpkg'))).rejects.toThrow(/磁盘已满|Disk full|no space/i);
      expect(readdirSync(mnt).filter((f) => f.startsWith('new.gpkg'))).toEqual([]);
      expect((await service.workspace()).name).toBe('磁盘测试'); // still on the workspace it had
    } finally {
      service.close();
      rmSync(join(mnt, 'filler'));
    }
  });

  /** An old (schema v1) workspace on a disk with no room left for its pre-migration backup. */
  function oldWorkspaceOnFullDisk(name: string): { path: string; before: string } {
    remount('size=4m');
    for (const f of readdirSync(mnt)) rmSync(join(mnt, f));
    const path = join(mnt, name);
    createWorkspaceFile(path, { schemaVersion: 1, name: '旧版' });
    const before = hashOf(path);
    const free = Number(execFileSync('df', ['--output=avail', '-B1', mnt]).toString().split('\n')[1].trim());
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(Math.max(0, free - 8 * 1024)));
    return { path, before };
  }

  it.skipIf(SCHEMA_VERSION === 1)('an older workspace is not migrated when its backup cannot be written; once there is room it is, with the backup', () => {
    const { path, before } = oldWorkspaceOnFullDisk('old.gpkg');
    expect(() => Workspace.open(path)).toThrow();
    rmSync(join(mnt, 'filler'));
    expect(hashOf(path)).toBe(before); // untouched: still schema v1, same content
    for (const f of readdirSync(mnt).filter((f) => f.includes('.bak-'))) rmSync(join(mnt, f));
    const ws = Workspace.open(path);
    expect(ws.info().schemaVersion).toBe(SCHEMA_VERSION);
    ws.close();
    expect(hashOf(`${path}.bak-v1`)).toBe(before);
  });

  // Regression: on a full disk the migration backup failed with SQLite's raw "disk I/O error" and left a partial
  // <file>.bak-v1 that was not a database.
  it.skipIf(SCHEMA_VERSION === 1)('that refusal says 磁盘已满 and leaves no unusable backup file', () => {
    const { path } = oldWorkspaceOnFullDisk('old2.gpkg');
    let message = '';
    try {
      Workspace.open(path).close();
    } catch (err) {
      message = (err as Error).message;
    }
    rmSync(join(mnt, 'filler'));
    const backups = readdirSync(mnt).filter((f) => f.startsWith('old2.gpkg.bak-'));
    for (const b of backups) expect(() => hashOf(join(mnt, b))).not.toThrow();
    expect(message).toMatch(/磁盘已满/);
  });
});

describe.skipIf(!mounted)('a read-only medium (tmpfs remounted ro)', () => {
  // Regression: a WAL-mode workspace on read-only media could not be opened at all (SQLite must create <file>-shm
  // to read it); it now opens a private copy read-only.
  it('opens read-only with a message, reads work, an import is refused, nothing changes', async () => {
    remount('rw,size=16m');
    const path = join(mnt, 'ro.gpkg');
    const hash = await baseWorkspace(path);
    remount('ro');
    try {
      const service = AtlasService.open(path);
      try {
        const info = await service.workspace();
        expect(info.readOnly).toBe(true);
        expect(info.readOnlyReason).toMatch(/文件或所在文件夹不可写，已以只读方式打开/);
        expect(info.layers.map((l) => l.featureCount)).toEqual([300]);
        expect((await service.layerFeatures({ layerId: info.layers[0].id, limit: 3 })).features).toHaveLength(3);
        await expect(service.importLayer({ file: csv, role: 'settlements' })).rejects.toThrow(/^工作空间只读：文件或所在文件夹不可写/);
      } finally {
        service.close();
      }
      expect(hashOf(path)).toBe(hash);
    } finally {
      remount('rw');
      for (const f of readdirSync(mnt)) rmSync(join(mnt, f));
    }
  });
});

// An unprivileged process (uid 65534) meets a read-only workspace file, or a folder it may not write into.
const probeNobody = isRoot && spawnSync(process.execPath, ['-e', '0'], { uid: 65534, gid: 65534 }).status === 0;

describe.skipIf(!probeNobody)('read-only files for an ordinary user', () => {
  const opener = join(dir, 'open-as-user.mjs');
  beforeAll(() => {
    writeFileSync(opener, `
      const { AtlasService } = await import(${JSON.stringify(join(root, 'data/service.ts'))});
      const s = AtlasService.open(process.argv[2]);
      const info = await s.workspace();
      let importError = null;
      try { await s.importLayer({ file: process.argv[3], role: 'settlements' }); } catch (e) { importError = e.message; }
      s.close();
      console.log(JSON.stringify({ readOnly: info.readOnly, reason: info.readOnlyReason, layers: info.layers.length, importError }));
    `);
  });
  const runAsUser = (path: string) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', opener, path, csv], { cwd: root, uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop() as string) as { readOnly: boolean; reason: string; layers: number; importError: string | null };
  };

  it('a workspace file without write permission opens read-only with a message; the import is refused', async () => {
    const folder = join(dir, 'user-file');
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    const path = join(folder, 'locked.gpkg');
    const hash = await baseWorkspace(path);
    chmodSync(path, 0o444);
    chmodSync(dir, 0o755);
    const r = runAsUser(path);
    expect(r).toMatchObject({ readOnly: true, layers: 1 });
    expect(r.reason).toMatch(/文件或所在文件夹不可写/);
    expect(r.importError).toMatch(/^工作空间只读/);
    expect(hashOf(path)).toBe(hash);
  });

  // Regression: with no -shm beside it and a folder it may not write, the open failed with a write-rollback message.
  it('a writable file in a folder the user cannot write (no room for -wal, -shm, lock) opens read-only too', async () => {
    const folder = join(dir, 'user-folder');
    mkdirSync(folder);
    const path = join(folder, 'shared.gpkg');
    const hash = await baseWorkspace(path);
    chmodSync(path, 0o666);
    chmodSync(folder, 0o755);
    const r = runAsUser(path);
    expect(r).toMatchObject({ readOnly: true, layers: 1 });
    expect(r.importError).toMatch(/^工作空间只读/);
    expect(hashOf(path)).toBe(hash);
  });
});
