import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mapSqliteError } from '../../data/workspace/errors';
import { encodeGpkgGeometry } from '../../data/workspace/gpkg-geometry';
import { SCHEMA_VERSION, Workspace, WorkspaceError, WORKSPACE_PAGE_SIZE } from '../../data/workspace/index';
import { type Feature, InputError } from '../../gis/types';
import { batchesOf, coverage, settlements, tempDir } from './helpers';

const open: Workspace[] = [];
function track(ws: Workspace): Workspace {
  open.push(ws);
  return ws;
}
afterEach(() => {
  for (const ws of open.splice(0)) ws.close();
});

function fresh(name = 'ws.gpkg'): { ws: Workspace; path: string } {
  const path = join(tempDir(), name);
  return { ws: track(Workspace.create(path, { name: '于都测试', synthetic: true })), path };
}

async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<WorkspaceError> {
  let err: unknown;
  try {
    if (typeof p === 'function') p();
    else await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(WorkspaceError);
  expect((err as WorkspaceError).code).toBe(code);
  return err as WorkspaceError;
}

/** The layer table's blobs, in fid order, are encodeGpkgGeometry's bytes for `input`; `also` checks more in the file. */
function expectBlobsAsEncoded(path: string, table: string, input: readonly { geometry: Parameters<typeof encodeGpkgGeometry>[0] }[], also?: (db: Database.Database) => void): void {
  const db = new Database(path, { readonly: true });
  try {
    const blobs = db.prepare(`SELECT geom FROM "${table}" ORDER BY fid`).pluck().all() as Buffer[];
    expect(blobs).toHaveLength(input.length);
    blobs.forEach((b, i) => expect(new Uint8Array(b)).toEqual(encodeGpkgGeometry(input[i].geometry, 4326).bytes));
    also?.(db);
  } finally {
    db.close();
  }
}

describe('create and the GeoPackage skeleton', () => {
  it('names a workspace created without a name after its file', () => {
    for (const [file, name] of [['于都县2026年.gpkg', '于都县2026年'], ['province.v2.gpkg', 'province.v2'], ['.gpkg', '.gpkg']]) {
      const ws = Workspace.create(join(tempDir(), file));
      try {
        expect(ws.info().name).toBe(name);
      } finally {
        ws.close();
      }
    }
  });

  it('creates a GeoPackage 1.3 file in WAL mode with the required SRS rows and atlas meta', () => {
    const { ws, path } = fresh();
    expect(ws.info()).toMatchObject({ path, name: '于都测试', readOnly: false, readOnlyReason: null, synthetic: true, schemaVersion: SCHEMA_VERSION, layers: [] });
    const db = ws.sqlite();
    expect(db.pragma('application_id', { simple: true })).toBe(0x47504b47);
    expect(db.pragma('user_version', { simple: true })).toBe(10300);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // Set before WAL mode's first write fixed it (a later PRAGMA page_size would be ignored silently).
    expect(db.pragma('page_size', { simple: true })).toBe(WORKSPACE_PAGE_SIZE);
    expect(WORKSPACE_PAGE_SIZE).toBe(32768);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id').pluck().all()).toEqual([-1, 0, 4326, 4490]);
    for (const t of ['atlas_meta', 'atlas_layers', 'atlas_settings', 'atlas_runs', 'atlas_ledger', 'atlas_ledger_audit']) {
      expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?").pluck().get(t)).toBe(1);
    }
    expect(ws.meta('schema_version')).toBe(String(SCHEMA_VERSION));
    expect(ws.meta('app_version')).toMatch(/^\d+\.\d+\.\d+/);
    expect(ws.meta('created_at')).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('refuses to create over an existing file or in a missing folder', async () => {
    const { path } = fresh();
    await expectCode(() => Workspace.create(path), 'exists');
    await expectCode(() => Workspace.create(join(tempDir(), 'no', 'such', 'dir.gpkg')), 'not-found');
  });
});

describe('writeLayer and readFeatures', () => {
  it('round-trips points with Chinese text, integers, booleans, reals and nested objects', async () => {
    const { ws } = fresh();
    const input = settlements(2500);
    const progress: number[] = [];
    const layer = await ws.writeLayer(
      { name: '于都聚居区.geojson', role: 'settlements', geometryType: 'POINT', source: '/data/于都聚居区.geojson' },
      batchesOf(input, 1000), { onProgress: (n) => progress.push(n) });
    expect(progress).toEqual([1000, 2000, 2500]);
    expect(layer).toMatchObject({
      table: 'settlements_1', name: '于都聚居区.geojson', role: 'settlements', geometryType: 'POINT', featureCount: 2500,
      fields: ['id', 'name', 'households', 'committee', 'ratio', 'county', 'extra'], source: '/data/于都聚居区.geojson', synthetic: false,
    });
    const xs = input.map((f) => f.geometry.coordinates[0]), ys = input.map((f) => f.geometry.coordinates[1]);
    expect(layer.bbox).toEqual([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
    expect([...ws.readFeatures(layer.id)]).toEqual(input);
    expect(ws.layers('settlements')).toEqual([layer]);
    expect(ws.layers('mobile')).toEqual([]);
    expect(ws.layer(layer.id)).toEqual(layer);
    await expectCode(() => ws.layer(999), 'unknown-layer');
  });

  it('stores point blobs byte for byte as encodeGpkgGeometry writes them (2D, 3D, -0, mixed with other types)', async () => {
    const { ws, path } = fresh();
    const input = settlements(450, 3);
    input[0].geometry = { type: 'Point', coordinates: [-0, 0] };
    input[1].geometry = { type: 'Point', coordinates: [115.1, 25.2, 130.5] };
    const layer = await ws.writeLayer({ name: 'pts', role: 'settlements', geometryType: 'POINT' }, batchesOf(input, 199));
    expectBlobsAsEncoded(path, layer.table, input);
    expect([...ws.readFeatures(layer.id)]).toEqual(input);
  });

  it('stores MultiPolygon blobs byte for byte as encodeGpkgGeometry writes them (holes, several parts, 3D, empty)', async () => {
    const { ws, path } = fresh();
    const input = coverage(450, 5);
    const [x, y] = input[0].geometry.coordinates[0][0][0];
    input[0].geometry.coordinates = [
      [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]], [[x + 0.02, y + 0.02], [x + 0.02, y + 0.05], [x + 0.05, y + 0.02], [x + 0.02, y + 0.02]]],
      [[[x - 1, y - 1], [x - 0.9, y - 1], [x - 0.9, y - 0.9], [x - 1, y - 1]]],
    ];
    input[1].geometry.coordinates = [[[[x, y, 10], [x + 0.1, y, 11], [x, y + 0.1, 12], [x, y, 10]]]];
    input[2].geometry.coordinates = [];
    const layer = await ws.writeLayer({ name: 'cov', role: 'mobile', geometryType: 'MULTIPOLYGON' }, batchesOf(input, 199));
    expectBlobsAsEncoded(path, layer.table, input, (db) => {
      expect(db.prepare(`SELECT count(*) FROM "rtree_${layer.table}_geom"`).pluck().get()).toBe(input.length - 1);
    });
    expect([...ws.readFeatures(layer.id)]).toEqual(input);
  });

  it('filters by bbox through the rtree and honours limit, streaming lazily', async () => {
    const { ws } = fresh();
    const input = settlements(3000, 7);
    const layer = await ws.writeLayer({ name: 'pts', role: 'settlements', geometryType: 'POINT' }, [input]);
    const bbox: [number, number, number, number] = [114.5, 25, 115.5, 26];
    const expected = input.filter(({ geometry: { coordinates: [x, y] } }) => x >= bbox[0] && x <= bbox[2] && y >= bbox[1] && y <= bbox[3]);
    expect(expected.length).toBeGreaterThan(100);
    // The rtree stores float32 bounds rounded outward, so it may add points within ~1e-5° of the edge, never drop any.
    const got = [...ws.readFeatures(layer.id, { bbox })];
    expect(got.filter((f) => expected.some((e) => e.properties?.id === f.properties?.id))).toEqual(expected);
    expect(got.length - expected.length).toBeLessThanOrEqual(2);
    expect([...ws.readFeatures(layer.id, { limit: 5 })]).toEqual(input.slice(0, 5));
    const it = ws.readFeatures(layer.id);
    expect(it.next().value).toEqual(input[0]);
    it.return?.(undefined);
    ws.setSetting('after-iteration', true); // the read statement was released
    expect(() => [...ws.readFeatures(layer.id, { bbox: [1, 1, 0, 0] })]).toThrow(/bbox/);
  });

  it('writes polygon layers with an rtree that its triggers keep right on later edits', async () => {
    const { ws } = fresh();
    const input = coverage(500);
    const layer = await ws.writeLayer({ name: '移动4G覆盖', role: 'mobile', geometryType: 'MULTIPOLYGON' }, batchesOf(input, 200));
    expect(layer.table).toBe('mobile_4g_1');
    expect([...ws.readFeatures(layer.id)]).toEqual(input);
    const db = ws.sqlite();
    expect(db.prepare('SELECT count(*) FROM rtree_mobile_4g_1_geom').pluck().get()).toBe(500);
    // An edit through SQL fires the GeoPackage triggers, which call our ST_* functions.
    const moved = encodeGpkgGeometry({ type: 'MultiPolygon', coordinates: [[[[120, 30], [121, 30], [121, 31], [120, 30]]]] });
    db.prepare('UPDATE mobile_4g_1 SET geom = ? WHERE fid = 1').run(Buffer.from(moved.bytes));
    const r = db.prepare('SELECT minx, maxx, miny, maxy FROM rtree_mobile_4g_1_geom WHERE id = 1').get();
    expect(r).toEqual({ minx: 120, maxx: 121, miny: 30, maxy: 31 });
    db.prepare('UPDATE mobile_4g_1 SET geom = NULL WHERE fid = 2').run();
    db.prepare('DELETE FROM mobile_4g_1 WHERE fid = 3').run();
    expect(db.prepare('SELECT count(*) FROM rtree_mobile_4g_1_geom').pluck().get()).toBe(498);
    db.prepare('INSERT INTO mobile_4g_1 (geom, operator) VALUES (?, ?)').run(Buffer.from(moved.bytes), 'CT');
    expect(db.prepare('SELECT count(*) FROM rtree_mobile_4g_1_geom').pluck().get()).toBe(499);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('widens column types across batches without losing values', async () => {
    const { ws } = fresh();
    const f = (props: Record<string, unknown>): Feature => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [115, 26] }, properties: props });
    const batches = [
      [f({ a: 1, b: true, c: null, d: 'x', big: 2 ** 40 })],
      [f({ a: 1.5, b: 2, c: 'late', d: 5, big: 3 })],
      [f({ a: 'text', d: { y: [1, '二'] }, e: [true], b: false })],
    ];
    const layer = await ws.writeLayer({ name: 'mixed', role: 'sites', geometryType: 'GEOMETRY', fields: ['a', 'b', 'never'] }, batches);
    expect(layer.fields).toEqual(['a', 'b', 'never']);
    const types = Object.fromEntries((ws.sqlite().pragma(`table_info(${layer.table})`) as { name: string; type: string }[]).map((c) => [c.name, c.type]));
    expect(types).toEqual({ fid: 'INTEGER', geom: 'GEOMETRY', a: 'TEXT', b: 'INTEGER', c: 'TEXT', d: 'TEXT', big: 'INTEGER', e: 'TEXT', never: 'TEXT' });
    const json = ws.sqlite().prepare('SELECT column_name FROM gpkg_data_columns WHERE table_name = ? AND mime_type = ?').pluck().all(layer.table, 'application/json');
    expect(json.sort()).toEqual(['d', 'e']);
    const props = [...ws.readFeatures(layer.id)].map((x) => x.properties);
    expect(props).toEqual([
      { a: '1', b: 1, c: null, d: 'x', big: 2 ** 40, e: null, never: null },
      // d held text before a number arrived: the number became text then, and stays '5' in the JSON column.
      { a: '1.5', b: 2, c: 'late', d: '5', big: 3, e: null, never: null },
      { a: 'text', b: 0, c: null, d: { y: [1, '二'] }, big: null, e: [true], never: null },
    ]);
  });

  it('keeps top-level feature ids and maps reserved or case-colliding keys to distinct columns', async () => {
    const { ws } = fresh();
    const input: Feature[] = [
      { type: 'Feature', id: 'a-1', geometry: null, properties: { fid: 7, GEOM: 'g', Name: '大', name: '小', feature_id: 'p', 'we"ird': 1 } },
      { type: 'Feature', id: 'b-2', geometry: { type: 'Point', coordinates: [115, 26] }, properties: { fid: 8, GEOM: 'h', Name: '上', name: '下', feature_id: 'q', 'we"ird': 2 } },
    ];
    const layer = await ws.writeLayer({ name: 'odd keys', role: 'sites', geometryType: 'POINT' }, [input]);
    expect([...ws.readFeatures(layer.id)]).toEqual(input);
    const cols = (ws.sqlite().pragma(`table_info(${layer.table})`) as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(['fid', 'geom', 'feature_id_2', 'fid_2', 'GEOM_2', 'Name', 'name_2', 'feature_id', 'we"ird']);
  });

  it('derives safe, unique ASCII table names', async () => {
    const { ws } = fresh();
    const one = [{ type: 'Feature' as const, geometry: { type: 'Point' as const, coordinates: [115, 26] }, properties: { v: 1 } }];
    const names = ['Sites.csv', 'Sites.csv', '基站.xlsx', 'x"; DROP TABLE atlas_meta; --', 'gpkg_contents', '2020 sites'];
    const tables = [];
    for (const name of names) tables.push((await ws.writeLayer({ name, role: 'sites', geometryType: 'POINT' }, [one])).table);
    expect(tables).toEqual(['sites_1', 'sites_2', 'sites_3', 'x_drop_table_atlas_meta_1', 'sites_gpkg_contents_1', 'sites_2020_sites_1']);
    expect(ws.meta('name')).toBe('于都测试');
    // gpkg_contents.identifier is UNIQUE: the duplicate display name gets a suffix.
    expect(ws.sqlite().prepare("SELECT identifier FROM gpkg_contents WHERE table_name = 'sites_2'").pluck().get()).toBe('Sites.csv (2)');
  });
});

describe('one transaction per import: failures leave the workspace unchanged', () => {
  async function withBase() {
    const { ws, path } = fresh();
    await ws.writeLayer({ name: 'base', role: 'settlements', geometryType: 'POINT' }, [settlements(200)]);
    ws.setSetting('language', 'zh-CN');
    return { ws, path, hash: ws.contentHash(), layers: ws.layers() };
  }

  it('rolls back when the source iterable throws mid-way', async () => {
    const { ws, hash, layers } = await withBase();
    const boom = new Error('read failed at row 2001');
    async function* source() {
      yield settlements(1000, 3);
      yield settlements(1000, 4);
      throw boom;
    }
    await expect(ws.writeLayer({ name: 'broken', role: 'settlements', geometryType: 'POINT' }, source())).rejects.toBe(boom);
    expect(ws.contentHash()).toBe(hash);
    expect(ws.layers()).toEqual(layers);
    expect(ws.sqlite().prepare("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'broken%' OR name LIKE 'settlements_2%'").pluck().get()).toBe(0);
  });

  it('rolls back when finish() throws after the last batch (issues found at the end)', async () => {
    const { ws, hash } = await withBase();
    const issues = new InputError([{ source: 'x.csv', feature: 12, field: 'households', message: 'expected an integer ≥ 0, got "十"' }]);
    let finished = false;
    const p = ws.writeLayer({ name: 'late issues', role: 'settlements', geometryType: 'POINT' }, batchesOf(settlements(3000, 5), 500), {
      finish: () => { finished = true; throw issues; },
    });
    await expect(p).rejects.toBe(issues);
    expect(finished).toBe(true);
    expect(ws.contentHash()).toBe(hash);
  });

  it('rolls back on abort with a clear error', async () => {
    const { ws, hash } = await withBase();
    const ctl = new AbortController();
    const err = await expectCode(ws.writeLayer({ name: 'cancelled', role: 'mobile', geometryType: 'MULTIPOLYGON' },
      batchesOf(coverage(2000), 500), { onProgress: (n) => { if (n >= 1000) ctl.abort(); }, signal: ctl.signal }), 'aborted');
    expect(err.message).toContain('导入已取消');
    expect(ws.contentHash()).toBe(hash);
  });

  it('aborts while the source is stalled waiting for its next batch', async () => {
    const { ws, hash } = await withBase();
    const ctl = new AbortController();
    let closed = false;
    const stalled: AsyncIterable<Feature[]> = {
      [Symbol.asyncIterator]() {
        let n = 0;
        return {
          next: () => (n++ === 0 ? Promise.resolve({ done: false, value: settlements(50) }) : new Promise(() => {})),
          return: () => { closed = true; return Promise.resolve({ done: true, value: undefined }); },
        };
      },
    };
    const p = ws.writeLayer({ name: 'stalled', role: 'settlements', geometryType: 'POINT' }, stalled, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 20);
    await expectCode(p, 'aborted');
    expect(closed).toBe(true);
    expect(ws.contentHash()).toBe(hash);
    ws.setSetting('usable', true);
  });

  it('reports a read-only file (SQLITE_READONLY) clearly and loses nothing', async () => {
    const { ws, hash } = await withBase();
    ws.sqlite().pragma('query_only = 1'); // the same SQLITE_READONLY a read-only medium gives
    const err = await expectCode(ws.writeLayer({ name: 'x', role: 'settlements', geometryType: 'POINT' }, [settlements(5)]), 'read-only');
    expect(err.message).toContain('文件只读');
    await expectCode(() => ws.setSetting('a', 1), 'read-only');
    ws.sqlite().pragma('query_only = 0');
    expect(ws.contentHash()).toBe(hash);
  });

  it('rolls back on a feature of the wrong geometry type, naming the feature and field', async () => {
    const { ws, hash } = await withBase();
    const pts = settlements(300, 9);
    pts[250] = { ...pts[250], geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] } as never };
    const err = await ws.writeLayer({ name: 'bad', role: 'settlements', geometryType: 'POINT', source: 'bad.geojson' }, batchesOf(pts, 100))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issues).toEqual([{ source: 'bad.geojson', feature: 250, field: 'geometry', message: 'expected a Point for a POINT layer, got Polygon' }]);
    expect(ws.contentHash()).toBe(hash);
  });

  it('rolls back on invalid coordinates, naming the member', async () => {
    const { ws, hash } = await withBase();
    const polys = coverage(50);
    polys[31].geometry.coordinates[0][0][2] = [Infinity, 25];
    const err = await ws.writeLayer({ name: 'bad', role: 'mobile', geometryType: 'MULTIPOLYGON', source: 'cov.shp' }, [polys]).catch((e: unknown) => e);
    expect((err as InputError).message).toBe('cov.shp: feature 31: geometry.coordinates[0][0][2]: expected finite numbers, got [Infinity, 25]');
    expect(ws.contentHash()).toBe(hash);
  });

  it('reports a full disk clearly and loses nothing', async () => {
    const { ws, hash } = await withBase();
    const db = ws.sqlite();
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 20}`);
    const err = await expectCode(ws.writeLayer({ name: 'too big', role: 'mobile', geometryType: 'MULTIPOLYGON' }, batchesOf(coverage(20000), 2000)), 'disk-full');
    expect(err.message).toContain('磁盘已满');
    expect(ws.contentHash()).toBe(hash);
    db.pragma('max_page_count = 4294967294');
    const ok = await ws.writeLayer({ name: 'fits now', role: 'mobile', geometryType: 'MULTIPOLYGON' }, batchesOf(coverage(2000), 2000));
    expect(ok.featureCount).toBe(2000);
  });

  // Regression: with 32 KiB pages, creating a workspace on a full tmpfs failed first in the WAL's shared-memory file
  // (tests/reliability/disk.test.ts), and the user read "disk I/O error".
  it('names a full disk that stopped the WAL index from growing, and leaves other I/O errors as they are', () => {
    const sqlite = (code: string) => Object.assign(new Error('disk I/O error'), { code });
    expect(mapSqliteError(sqlite('SQLITE_IOERR_SHMSIZE'), '/w.gpkg')).toMatchObject({ code: 'disk-full', message: expect.stringContaining('磁盘已满') });
    const other = sqlite('SQLITE_IOERR_READ');
    expect(mapSqliteError(other, '/w.gpkg')).toBe(other);
  });

  it('refuses a second write while an import is running', async () => {
    const { ws } = fresh();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    async function* slow() {
      yield settlements(10);
      await gate;
      yield settlements(10, 2);
    }
    const running = ws.writeLayer({ name: 'slow', role: 'settlements', geometryType: 'POINT' }, slow());
    await new Promise((r) => setTimeout(r, 10));
    await expectCode(() => ws.setSetting('x', 1), 'busy');
    await expectCode(ws.writeLayer({ name: 'other', role: 'settlements', geometryType: 'POINT' }, []), 'busy');
    release();
    expect((await running).featureCount).toBe(20);
    ws.setSetting('x', 1);
    expect(ws.getSetting('x')).toBe(1);
  });
});

describe('settings, meta, runs, delete', () => {
  it('stores settings as JSON and removes them with undefined', () => {
    const { ws } = fresh();
    expect(ws.getSetting('analysis')).toBeUndefined();
    const analysis = { minHouseholds: 25, targets: { mobile: 0.95, broadband: 0.75 } };
    ws.setSetting('analysis', analysis);
    expect(ws.getSetting<typeof analysis>('analysis')).toEqual(analysis);
    ws.setSetting('analysis', undefined);
    expect(ws.getSetting('analysis')).toBeUndefined();
  });

  it('records analysis runs newest first', () => {
    const { ws } = fresh();
    const a = ws.addRun({ minHouseholds: 25 }, { mobileRate: 0.93 });
    const b = ws.addRun({ minHouseholds: 30 }, { mobileRate: 0.96 });
    expect(ws.runs().map((r) => [r.id, r.summary])).toEqual([[b, { mobileRate: 0.96 }], [a, { mobileRate: 0.93 }]]);
  });

  it('deletes a layer with its table, rtree, triggers and registrations', async () => {
    const { ws } = fresh();
    const keep = await ws.writeLayer({ name: 'keep', role: 'settlements', geometryType: 'POINT' }, [settlements(10)]);
    const gone = await ws.writeLayer({ name: 'gone', role: 'mobile', geometryType: 'MULTIPOLYGON' }, [coverage(10)]);
    ws.deleteLayer(gone.id);
    expect(ws.layers()).toEqual([keep]);
    const db = ws.sqlite();
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE '%gone%'").all()).toEqual([]);
    for (const t of ['gpkg_contents', 'gpkg_geometry_columns', 'gpkg_extensions', 'gpkg_data_columns']) {
      expect(db.prepare(`SELECT count(*) FROM ${t} WHERE table_name = ?`).pluck().get(gone.table)).toBe(0);
    }
    await expectCode(() => ws.deleteLayer(gone.id), 'unknown-layer');
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

describe('opening', () => {
  it('reopens a closed workspace with its layers', async () => {
    const { ws, path } = fresh();
    const layer = await ws.writeLayer({ name: 'pts', role: 'settlements', geometryType: 'POINT' }, [settlements(50)]);
    const hash = ws.contentHash();
    ws.close();
    ws.close();
    await expectCode(() => ws.layers(), 'closed');
    const again = track(Workspace.open(path));
    expect(again.readOnly).toBe(false);
    expect(again.layers()).toEqual([layer]);
    expect(again.contentHash()).toBe(hash);
  });

  it('opens read-only on request: reads work, writes fail clearly', async () => {
    const { ws, path } = fresh();
    const layer = await ws.writeLayer({ name: 'pts', role: 'settlements', geometryType: 'POINT' }, [settlements(5)]);
    ws.close();
    const ro = track(Workspace.open(path, { readOnly: true }));
    expect(ro.readOnly).toBe(true);
    expect(ro.readOnlyReason).toContain('只读');
    expect([...ro.readFeatures(layer.id)]).toHaveLength(5);
    const err = await expectCode(() => ro.setSetting('a', 1), 'read-only');
    expect(err.message).toMatch(/只读.*read-only/);
    await expectCode(ro.writeLayer({ name: 'x', role: 'sites', geometryType: 'POINT' }, []), 'read-only');
    await expectCode(() => ro.deleteLayer(layer.id), 'read-only');
  });

  it('opens a second in-process handle read-only because the first holds the lock', () => {
    const { path } = fresh();
    const second = track(Workspace.open(path));
    expect(second.readOnly).toBe(true);
    expect(second.readOnlyReason).toContain(`PID ${process.pid}`);
    expect(second.info().readOnlyReason).toBe(second.readOnlyReason);
  });

  it('explains missing files, non-databases, non-GeoPackages and plain GeoPackages', async () => {
    const dir = tempDir();
    await expectCode(() => Workspace.open(join(dir, 'none.gpkg')), 'not-found');
    const text = join(dir, 'notes.gpkg');
    writeFileSync(text, 'hello, not a database at all');
    expect((await expectCode(() => Workspace.open(text), 'not-gpkg')).message).toContain('SQLite');
    const plainSqlite = join(dir, 'plain.sqlite');
    new Database(plainSqlite).exec('CREATE TABLE t (x)').close();
    expect((await expectCode(() => Workspace.open(plainSqlite), 'not-gpkg')).message).toContain('application_id');
    // A GeoPackage from another tool: its layers are named so the user knows to import them.
    const other = join(dir, 'other.gpkg');
    const db = new Database(other);
    db.pragma('application_id = 1196444487');
    db.exec("CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT); INSERT INTO gpkg_contents VALUES ('roads', 'features'), ('村界', 'features')");
    db.close();
    const err = await expectCode(() => Workspace.open(other), 'not-atlas');
    expect(err.message).toContain('roads, 村界');
    expect(err.message).toContain('不是覆盖图谱工作空间');
  });
});
