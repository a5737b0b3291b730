// analyzeWorkspace (blobs decoded straight into the builders, masks and settlement columns in atlas_cache) must
// give exactly what analyzeCoverage gives over readFeatures() of the same layers: uncached, cached, after
// another process edits a layer table, after a layer is replaced, read-only, and for bad input.
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCoverage, type AnalysisOptions, type AnalysisReport, type Feature, InputError } from '../../gis';
import { campaignSeeds } from '../../seeds/campaign';
import { createWorkspaceFile, Workspace } from '../../data/workspace/index';
import { analyzeWorkspace, writeWorkspaceAnalysisJson, type WorkspaceAnalysisStats } from '../../data/workspace/analysis';
import { writeLayerTransaction } from '../../data/workspace/layer-writer';
import { registerFunctions } from '../../data/workspace/sql';
import { coverage, rng, settlements, tempDir } from './helpers';

const campaign = campaignSeeds();

/** What the service computed before: every layer read as GeoJSON features, then analyzeCoverage. */
function reference(ws: Workspace, options: Partial<AnalysisOptions> = {}): AnalysisReport {
  const layers = ws.layers();
  const sources = (role: string) => layers.filter((l) => l.role === role).map((l) => ({ name: l.name, features: [...ws.readFeatures(l.id)] }));
  const s = sources('settlements');
  return analyzeCoverage({
    settlements: { name: s.map((x) => x.name).join(' + ') || '(no settlements layer)', features: s.flatMap((x) => x.features) },
    mobile: sources('mobile'), broadband: sources('broadband'), measurements: sources('measurements'), campaign, options,
  });
}

async function analyze(ws: Workspace, options: Partial<AnalysisOptions> = {}): Promise<{ report: AnalysisReport; stats: WorkspaceAnalysisStats }> {
  const stats: WorkspaceAnalysisStats = { settlementsCached: false, masksCached: false, stored: [] };
  return { report: await analyzeWorkspace(ws, options, campaign, stats), stats };
}

async function thrown(f: () => unknown): Promise<InputError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

/** Polygons (some with holes, some Polygon rather than MultiPolygon) and settlements on their vertices and edges. */
function layers(seed: number) {
  const r = rng(seed);
  const mobile: Feature[] = coverage(300, seed);
  const holed: Feature[] = [];
  for (let i = 0; i < 60; i++) {
    const x = 113.9 + r() * 2.5, y = 24.5 + r() * 2.2, d = 0.02 + r() * 0.03, h = d / 4;
    holed.push({
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]],
        [[x + h, y + h], [x + 2 * h, y + h], [x + 2 * h, y + 2 * h], [x + h, y + 2 * h], [x + h, y + h]]] },
      properties: { operator: ['移动', 'CT', 'cu'][i % 3], tech: i % 4 === 0 ? '5G' : '4g' },
    });
  }
  const points = settlements(400, seed);
  // Exactly on a vertex, on an edge, and inside a hole.
  holed.slice(0, 30).forEach((f, k) => {
    const ring = (f.geometry as { coordinates: number[][][] }).coordinates;
    const [x0, y0] = ring[0][0], [x1] = ring[0][1], [hx, hy] = ring[1][0];
    const at = [[x0, y0], [(x0 + x1) / 2, y0], [hx + 1e-4, hy + 1e-4]][k % 3];
    points.push({ type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: { ...points[k].properties, id: `E${k}` } });
  });
  return { mobile, holed, points, broadband: coverage(200, seed + 1) };
}

async function seeded(dir = tempDir()): Promise<string> {
  const path = join(dir, 'ws.gpkg');
  const ws = Workspace.create(path);
  const l = layers(7);
  await ws.writeLayer({ name: '聚居区', role: 'settlements', geometryType: 'POINT' }, [l.points.slice(0, 200), l.points.slice(200)]);
  await ws.writeLayer({ name: '移动覆盖', role: 'mobile', geometryType: 'MULTIPOLYGON' }, [l.mobile]);
  await ws.writeLayer({ name: '扇区', role: 'mobile', geometryType: 'POLYGON' }, [l.holed]);
  await ws.writeLayer({ name: '宽带', role: 'broadband', geometryType: 'MULTIPOLYGON' }, [l.broadband]);
  ws.close();
  return path;
}

describe('analyzeWorkspace', () => {
  it('equals analyzeCoverage uncached, cached, and with other thresholds from the cached masks', async () => {
    const ws = Workspace.open(await seeded());
    try {
      const first = await analyze(ws);
      expect(first.stats).toEqual({ settlementsCached: false, masksCached: false, stored: ['settlements', 'masks'] });
      expect(first.report).toStrictEqual(reference(ws));
      expect(first.report.rates.city.mobile.covered).toBeGreaterThan(0);
      const again = await analyze(ws);
      expect(again.stats).toEqual({ settlementsCached: true, masksCached: true, stored: [] });
      expect(again.report).toStrictEqual(first.report);
      const other = { minHouseholds: 50, targetMobile: 0.5, targetBroadband: 0.2 };
      const third = await analyze(ws, other);
      expect(third.stats.masksCached).toBe(true);
      expect(third.report).toStrictEqual(reference(ws, other));
      // Another tech filter changes the mobile mask: recomputed, and equal again.
      const techs = { mobileTechs: ['4G', '5g'] };
      const fourth = await analyze(ws, techs);
      expect(fourth.stats).toMatchObject({ settlementsCached: true, masksCached: false });
      expect(fourth.report).toStrictEqual(reference(ws, techs));
    } finally {
      ws.close();
    }
  });

  it('worker threads reading the layers and classifying small ranges give the one-thread report', async () => {
    const path = await seeded();
    const crew = { threads: 3, minParallelPolygons: 0, rangePoints: 37 };
    const ro = Workspace.open(path, { readOnly: true });
    try {
      const one = await analyzeWorkspace(ro, {}, campaign);
      const three = await analyzeWorkspace(ro, {}, campaign, undefined, crew);
      expect(three).toStrictEqual(one);
      expect(three).toStrictEqual(reference(ro));
      const techs = { mobileTechs: ['5G'] };
      expect(await analyzeWorkspace(ro, techs, campaign, undefined, crew)).toStrictEqual(reference(ro, techs));
    } finally {
      ro.close();
    }
  });

  it('writes the report as JSON, the rates from a worker when workers classify, as JSON.stringify writes it', async () => {
    const ws = Workspace.open(await seeded());
    const out = join(tempDir(), 'report.json');
    const written = async (options: Partial<AnalysisOptions>, parallel: Parameters<typeof writeWorkspaceAnalysisJson>[5]) => {
      const stats: WorkspaceAnalysisStats = { settlementsCached: false, masksCached: false, stored: [] };
      await writeWorkspaceAnalysisJson(ws, out, options, campaign, stats, parallel);
      return { text: readFileSync(out, 'utf8'), stats };
    };
    try {
      for (const options of [{}, { minHouseholds: 50, mobileTechs: ['5G'] }]) {
        const want = `${JSON.stringify(reference(ws, options))}\n`;
        for (const parallel of [{ threads: 1 }, { threads: 2, minParallelPolygons: 0 }, { threads: 3, minParallelPolygons: 0, rangePoints: 37 }]) {
          ws.sqlite().exec('DELETE FROM atlas_cache');
          const classified = await written(options, parallel);
          expect(classified.stats.masksCached).toBe(false);
          expect(classified.text).toBe(want);
        }
        const cached = await written(options, { threads: 2, minParallelPolygons: 0 });
        expect(cached.stats.masksCached).toBe(true);
        expect(cached.text).toBe(want);
      }
    } finally {
      ws.close();
    }
  });

  it('a settlements layer with problems fails the JSON report on every thread count, without hanging or writing', async () => {
    const ws = Workspace.create(join(tempDir(), 'bad-json.gpkg'));
    const out = join(tempDir(), 'report.json');
    try {
      const l = layers(9);
      await ws.writeLayer({ name: '聚居区', role: 'settlements', geometryType: 'POINT' }, [l.points.map((f, i) => (i === 7 ? { ...f, properties: { ...f.properties, county: '' } } : f))]);
      await ws.writeLayer({ name: '移动覆盖', role: 'mobile', geometryType: 'MULTIPOLYGON' }, [l.mobile]);
      await ws.writeLayer({ name: '宽带', role: 'broadband', geometryType: 'MULTIPOLYGON' }, [l.broadband]);
      for (const threads of [1, 2, 3]) {
        const e = await thrown(() => writeWorkspaceAnalysisJson(ws, out, {}, campaign, undefined, { threads, minParallelPolygons: 0 }));
        expect(e.issues.map((i) => [i.feature, i.field])).toEqual([[7, 'county']]);
        expect(existsSync(out)).toBe(false);
      }
    } finally {
      ws.close();
    }
  });

  it('a layer that cannot be read fails the analysis on any thread, without hanging', async () => {
    const path = await seeded();
    const db = new Database(path);
    const broadband = db.prepare("SELECT table_name FROM atlas_layers WHERE role = 'broadband'").pluck().get() as string;
    db.exec(`DROP TABLE "${broadband}"`);
    db.close();
    const ws = Workspace.open(path, { readOnly: true });
    try {
      for (const threads of [1, 3]) {
        await expect(analyzeWorkspace(ws, {}, campaign, undefined, { threads, minParallelPolygons: 0 })).rejects.toThrow(/no such table/);
      }
    } finally {
      ws.close();
    }
  });

  it('a cache written by one session serves the next, and a read-only session without writing', async () => {
    const path = await seeded();
    const ro = Workspace.open(path, { readOnly: true });
    const uncached = await analyze(ro);
    expect(uncached.stats.stored).toEqual([]);
    ro.close();
    let ws = Workspace.open(path);
    expect((await analyze(ws)).stats.stored).toEqual(['settlements', 'masks']);
    ws.close();
    ws = Workspace.open(path, { readOnly: true });
    const cached = await analyze(ws);
    expect(cached.stats).toEqual({ settlementsCached: true, masksCached: true, stored: [] });
    expect(cached.report).toStrictEqual(uncached.report);
    ws.close();
  });

  it('keeps settlement text exactly through the cache: emoji, empty and repeated names, ids of any script', async () => {
    const path = join(tempDir(), 'ws.gpkg');
    const texts = ['', '刘屋', '😀村', 'a/b', '"引号"', 'tab\there', '𠀀𠀁', 'x'.repeat(3000), '刘屋', 'Ünïcödé'];
    const points = settlements(60, 3).map((f, i) => ({
      ...f,
      properties: { ...f.properties, id: i % 3 ? `S${i}` : `聚${texts[i % texts.length]}${i}`, name: texts[i % texts.length], township: texts[(i + 3) % texts.length] },
    }));
    const ws = Workspace.create(path);
    try {
      await ws.writeLayer({ name: '聚居区', role: 'settlements', geometryType: 'POINT' }, [points]);
      await ws.writeLayer({ name: '移动覆盖', role: 'mobile', geometryType: 'MULTIPOLYGON' }, [coverage(50, 3)]);
      await ws.writeLayer({ name: '宽带', role: 'broadband', geometryType: 'MULTIPOLYGON' }, [coverage(50, 4)]);
      const first = await analyze(ws);
      expect(first.stats.stored).toEqual(['settlements', 'masks']);
      expect(first.report).toStrictEqual(reference(ws));
      const again = await analyze(ws);
      expect(again.stats).toEqual({ settlementsCached: true, masksCached: true, stored: [] });
      expect(again.report).toStrictEqual(first.report);
      expect(new Set(again.report.settlements.map((r) => r.name))).toContain('😀村');
    } finally {
      ws.close();
    }
  });

  it('is never stale: replacing a layer or editing a layer table from outside empties the cache in that transaction', async () => {
    const path = await seeded();
    let ws = Workspace.open(path);
    await analyze(ws);
    const mobile = ws.layers('mobile')[0];
    ws.deleteLayer(mobile.id);
    expect(ws.cacheEntry('masks')).toBeUndefined();
    await ws.writeLayer({ name: '移动覆盖（新）', role: 'mobile', geometryType: 'MULTIPOLYGON' }, [coverage(250, 99)]);
    const replaced = await analyze(ws);
    expect(replaced.stats.masksCached).toBe(false);
    expect(replaced.report).toStrictEqual(reference(ws));
    ws.close();

    // Another program (GDAL, QGIS) moves one polygon and deletes one settlement: the triggers empty the cache.
    const db = new Database(path);
    registerFunctions(db);
    const broadband = db.prepare("SELECT table_name FROM atlas_layers WHERE role = 'broadband'").pluck().get() as string;
    const settlementsTable = db.prepare("SELECT table_name FROM atlas_layers WHERE role = 'settlements'").pluck().get() as string;
    const geom = db.prepare(`SELECT geom FROM "${broadband}" WHERE fid = 1`).pluck().get();
    db.prepare(`UPDATE "${broadband}" SET geom = ? WHERE fid = 2`).run(geom);
    expect(db.prepare('SELECT count(*) FROM atlas_cache').pluck().get()).toBe(0);
    ws = Workspace.open(path);
    await analyze(ws);
    ws.close();
    db.prepare(`DELETE FROM "${settlementsTable}" WHERE fid = 3`).run();
    expect(db.prepare('SELECT count(*) FROM atlas_cache').pluck().get()).toBe(0);
    db.close();
    ws = Workspace.open(path);
    try {
      const edited = await analyze(ws);
      expect(edited.stats).toMatchObject({ settlementsCached: false, masksCached: false });
      expect(edited.report).toStrictEqual(reference(ws));
    } finally {
      ws.close();
    }
  });

  it('reports the same problems, in the same order, for bad layers (including geometry read the slow way)', async () => {
    const ws = Workspace.create(join(tempDir(), 'bad.gpkg'));
    try {
      const l = layers(3);
      const points = l.points.slice(0, 50);
      points[4] = { ...points[4], properties: { ...points[4].properties, id: points[3].properties!.id } };
      points[6] = { ...points[6], properties: { ...points[6].properties, households: -3 } };
      const bad: Feature[] = l.mobile.slice(0, 40);
      bad[2] = { ...bad[2], properties: { operator: '铁通', tech: '4G' } };
      bad[5] = { ...bad[5], geometry: { type: 'Polygon', coordinates: [[[115, 25], [115.1, 25], [115.1, 25.1], [115, 25]], [[115, 25], [115.1, 25]]] } };
      bad[7] = { ...bad[7], geometry: { type: 'Polygon', coordinates: [[[115, 25, 3], [115.1, 25, 3], [115.1, 25.1, 3], [115, 26, 3]]] } };
      bad[9] = { ...bad[9], geometry: { type: 'Point', coordinates: [115, 25] } };
      bad[11] = { ...bad[11], geometry: null };
      bad[13] = { ...bad[13], geometry: { type: 'Polygon', coordinates: [[[115, 25], [181, 25], [115.1, 25.1], [115, 25]]] } };
      bad[15] = { ...bad[15], geometry: { type: 'MultiPolygon', coordinates: [] } };
      await ws.writeLayer({ name: '聚居区', role: 'settlements', geometryType: 'POINT' }, [points]);
      await ws.writeLayer({ name: '混合', role: 'mobile', geometryType: 'GEOMETRY' }, [bad]);
      await ws.writeLayer({ name: '宽带', role: 'broadband', geometryType: 'MULTIPOLYGON' }, [l.broadband.slice(0, 20)]);
      const expected = await thrown(() => reference(ws));
      const got = await thrown(() => analyzeWorkspace(ws, {}, campaign));
      expect(got.issues).toStrictEqual(expected.issues);
      expect(got.message).toBe(expected.message);
      const crew = await thrown(() => analyzeWorkspace(ws, {}, campaign, undefined, { threads: 3, minParallelPolygons: 0, rangePoints: 7 }));
      expect(crew.issues).toStrictEqual(expected.issues);
      expect(got.issues.length).toBeGreaterThanOrEqual(8);
      expect(ws.cacheEntry('masks')).toBeUndefined();
    } finally {
      ws.close();
    }
  });

  it('applies measurements on top of cached masks exactly as analyzeCoverage does', async () => {
    const path = await seeded();
    const ws = Workspace.open(path);
    try {
      const pts = settlements(40, 5).map((f, i) => ({
        type: 'Feature' as const, geometry: f.geometry,
        properties: { operator: ['CMCC', 'CT', 'CU'][i % 3], rsrp: -80 - (i % 40), time: `2020-06-${String(1 + (i % 28)).padStart(2, '0')}` },
      }));
      // Measurements right at some settlements, so that they override the prediction there.
      const at = [...ws.readFeatures(ws.layers('settlements')[0].id, { limit: 20 })];
      at.forEach((f, i) => { pts[i].geometry = f.geometry as never; });
      await ws.writeLayer({ name: '路测', role: 'measurements', geometryType: 'POINT' }, [pts]);
      await analyze(ws);
      const cached = await analyze(ws);
      expect(cached.stats.masksCached).toBe(true);
      expect(cached.report.fieldVerification?.settlementsMeasured).toBeGreaterThan(0);
      expect(cached.report).toStrictEqual(reference(ws));
      // Written as JSON with workers classifying, this thread computes the rates along with the measurements.
      ws.sqlite().exec('DELETE FROM atlas_cache');
      const out = join(tempDir(), 'measured.json');
      await writeWorkspaceAnalysisJson(ws, out, {}, campaign, undefined, { threads: 2, minParallelPolygons: 0 });
      expect(readFileSync(out, 'utf8')).toBe(`${JSON.stringify(cached.report)}\n`);
    } finally {
      ws.close();
    }
  });

  it('stores an entry a part a row, and reads one with a part missing, cut or from another write as no entry', async () => {
    const ws = Workspace.open(await seeded());
    try {
      const first = await analyze(ws);
      const db = ws.sqlite();
      const keys = () => (db.prepare("SELECT key FROM atlas_cache WHERE key LIKE 'settlements%' ORDER BY key").all() as { key: string }[]).map((r) => r.key);
      // The header's row, then 13 columns: distinct strings (lengths, text), ids (lengths, text), indices into the
      // distinct strings (name, county, township, village, code), households, lon, lat, committee.
      expect(keys()).toEqual(['settlements', ...Array.from({ length: 13 }, (_, k) => `settlements#${String(k).padStart(4, '0')}`)]);
      const damages = [
        "DELETE FROM atlas_cache WHERE key = 'settlements#0007'",
        "UPDATE atlas_cache SET data = substr(data, 1, 8) WHERE key = 'settlements#0012'",
        "UPDATE atlas_cache SET inputs = 'another write' WHERE key = 'settlements#0002'",
        "UPDATE atlas_cache SET data = X'00' WHERE key = 'settlements'",
      ];
      for (const damage of damages) {
        db.exec(damage);
        const again = await analyze(ws);
        expect(again.stats, damage).toMatchObject({ settlementsCached: false, stored: ['settlements'] });
        expect(again.report, damage).toStrictEqual(first.report);
        expect(keys()).toHaveLength(14);
      }
      expect((await analyze(ws)).stats).toEqual({ settlementsCached: true, masksCached: true, stored: [] });
    } finally {
      ws.close();
    }
  });

  it('a workspace migrated from version 2 gets the triggers on its existing layers', async () => {
    const path = join(tempDir(), 'v2.gpkg');
    createWorkspaceFile(path, { schemaVersion: 2 });
    const db = new Database(path);
    registerFunctions(db);
    await writeLayerTransaction(db, { name: '聚居区', role: 'settlements', geometryType: 'POINT' }, [settlements(30)]);
    db.close();
    const ws = Workspace.open(path);
    try {
      await analyze(ws);
      expect(ws.cacheEntry('settlements')).toBeDefined();
      const table = ws.layerStorage(ws.layers()[0].id).table;
      ws.sqlite().prepare(`UPDATE "${table}" SET households = 99 WHERE fid = 1`).run();
      expect(ws.cacheEntry('settlements')).toBeUndefined();
      expect((await analyze(ws)).report).toStrictEqual(reference(ws));
    } finally {
      ws.close();
    }
  });
});
