import Database from 'better-sqlite3';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorkspaceFile, MIGRATIONS, SCHEMA_VERSION, Workspace } from '../../data/workspace/index';
import { writeLayerTransaction } from '../../data/workspace/layer-writer';
import { migrate, readSchemaVersion } from '../../data/workspace/migrations';
import { registerFunctions } from '../../data/workspace/sql';
import { settlements, tempDir } from './helpers';

/** Schema objects (type, name, sql), for comparing a migrated file with a fresh one. */
function schemaOf(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT type || ' ' || name || ' ' || ifnull(sql, '') FROM sqlite_schema ORDER BY name").pluck().all() as string[]);
  } finally {
    db.close();
  }
}

/** A version-v file made by the version-v code path, with a layer, a setting and a run in it. */
async function oldFile(v: number, dir = tempDir()): Promise<string> {
  const path = join(dir, `v${v}.gpkg`);
  createWorkspaceFile(path, { name: `旧版本 v${v}`, schemaVersion: v });
  const db = new Database(path);
  registerFunctions(db);
  await writeLayerTransaction(db, { name: '聚居区', role: 'settlements', geometryType: 'POINT' }, [settlements(100)]);
  db.prepare('INSERT INTO atlas_settings VALUES (?, ?)').run('language', JSON.stringify('zh-CN'));
  db.prepare('INSERT INTO atlas_runs (created_at, options, summary) VALUES (?, ?, ?)').run('2026-01-01T00:00:00Z', '{}', '{"rate":0.9}');
  db.close();
  return path;
}

function hashReadOnly(path: string): string {
  const ws = Workspace.open(path, { readOnly: true });
  try {
    return ws.contentHash();
  } finally {
    ws.close();
  }
}

describe('migration list', () => {
  it('is contiguous from version 1 and SCHEMA_VERSION follows it', () => {
    expect(MIGRATIONS.map((m) => m.from)).toEqual(Array.from({ length: SCHEMA_VERSION - 1 }, (_, i) => i + 1));
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
  });

  it('version 1 has no ledger; version 2 adds the ledger and its audit trail', () => {
    const dir = tempDir();
    createWorkspaceFile(join(dir, 'a.gpkg'), { schemaVersion: 1 });
    const v1 = schemaOf(join(dir, 'a.gpkg')).join('\n');
    expect(v1).toContain('atlas_layers');
    expect(v1).not.toContain('atlas_ledger');
    createWorkspaceFile(join(dir, 'b.gpkg'), { schemaVersion: 2 });
    const v2 = schemaOf(join(dir, 'b.gpkg')).join('\n');
    expect(v2).toContain('table atlas_ledger ');
    expect(v2).toContain('table atlas_ledger_audit ');
  });
});

describe('opening an older workspace', () => {
  for (let v = 1; v < SCHEMA_VERSION; v++) {
    it(`upgrades v${v} → v${SCHEMA_VERSION}, keeping a .bak-v${v} copy and all content`, async () => {
      const path = await oldFile(v);
      const before = hashReadOnly(path);
      const ws = Workspace.open(path);
      try {
        expect(ws.readOnly).toBe(false);
        expect(ws.info().schemaVersion).toBe(SCHEMA_VERSION);
        expect(ws.meta('migrated_at')).toMatch(/^\d{4}-/);
        expect(ws.layers().map((l) => [l.name, l.featureCount])).toEqual([['聚居区', 100]]);
        expect([...ws.readFeatures(ws.layers()[0].id)]).toEqual(settlements(100));
        expect(ws.getSetting('language')).toBe('zh-CN');
        expect(ws.runs()[0].summary).toEqual({ rate: 0.9 });
        expect(ws.sqlite().pragma('foreign_key_check')).toEqual([]);
      } finally {
        ws.close();
      }
      // The backup is the untouched old file.
      const backup = `${path}.bak-v${v}`;
      expect(existsSync(backup)).toBe(true);
      const bak = new Database(backup, { readonly: true });
      expect(readSchemaVersion(bak)).toBe(v);
      bak.close();
      expect(hashReadOnly(backup)).toBe(before);
      // A migrated file has exactly the schema of a freshly created one, apart from its own layer table.
      const freshPath = join(tempDir(), 'fresh.gpkg');
      createWorkspaceFile(freshPath, { schemaVersion: SCHEMA_VERSION });
      const own = (s: string) => !/settlements_1/.test(s);
      expect(schemaOf(path).filter(own)).toEqual(schemaOf(freshPath));
    });
  }

  it('never overwrites an existing backup', async () => {
    const dir = tempDir();
    const path = await oldFile(1, dir);
    writeFileSync(`${path}.bak-v1`, 'an older backup the user keeps');
    Workspace.open(path).close();
    const backups = readdirSync(dir).filter((f) => f.startsWith('v1.gpkg.bak-v1'));
    expect(backups).toHaveLength(2);
  });

  it('runs all steps in one transaction: a failing step leaves the file at its old version', async () => {
    const path = await oldFile(1);
    const before = hashReadOnly(path);
    const db = new Database(path);
    registerFunctions(db);
    expect(() => migrate(db, 1, 'test', SCHEMA_VERSION + 1)).toThrow(/no migration from schema version/);
    expect(readSchemaVersion(db)).toBe(1);
    db.close();
    expect(hashReadOnly(path)).toBe(before);
  });

  it('does not migrate when opened read-only, and says so', async () => {
    const path = await oldFile(1);
    const ws = Workspace.open(path, { readOnly: true });
    expect(ws.readOnlyReason).toMatch(/较旧.*older/);
    expect(ws.info().schemaVersion).toBe(1);
    ws.close();
    expect(existsSync(`${path}.bak-v1`)).toBe(false);
  });
});

describe('opening a workspace written by a newer version', () => {
  it('opens read-only with a Chinese and English reason, readable, and leaves it untouched', async () => {
    const path = join(tempDir(), 'future.gpkg');
    const ws = Workspace.create(path);
    await ws.writeLayer({ name: 'pts', role: 'settlements', geometryType: 'POINT' }, [settlements(20)]);
    ws.sqlite().prepare("UPDATE atlas_meta SET value = ? WHERE key = 'schema_version'").run(String(SCHEMA_VERSION + 1));
    ws.close();
    const before = hashReadOnly(path);
    const future = Workspace.open(path);
    try {
      expect(future.readOnly).toBe(true);
      expect(future.readOnlyReason).toContain('更新版本');
      expect(future.readOnlyReason).toContain(`schema version ${SCHEMA_VERSION + 1}`);
      expect(future.info()).toMatchObject({ readOnly: true, schemaVersion: SCHEMA_VERSION + 1 });
      expect([...future.readFeatures(future.layers()[0].id)]).toHaveLength(20);
      expect(() => future.setSetting('a', 1)).toThrow(/read-only/);
      expect(existsSync(`${path}.lock`)).toBe(false); // a read-only handle holds no lock
    } finally {
      future.close();
    }
    expect(hashReadOnly(path)).toBe(before);
    expect(readdirSync(join(path, '..')).filter((f) => f.includes('.bak-'))).toEqual([]);
  });
});
