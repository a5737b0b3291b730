// The bulk-loaded rtree holds exactly what SQLite's own insertions would (same float32 boxes for the same ids),
// passes rtreecheck, answers bbox queries alike, and stays right through later edits by the standard triggers.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../../data/workspace/index';
import type { Feature } from '../../gis/types';
import { coverage, rng, settlements, tempDir } from './helpers';

function rtreeOf(ws: Workspace, layerId: number): { table: string; rtree: string } {
  const table = ws.layerStorage(layerId).table;
  return { table, rtree: `rtree_${table}_geom` };
}

/** The same entries inserted one by one, as the GeoPackage triggers would. */
function perRowCopy(ws: Workspace, table: string): string {
  const db = ws.sqlite();
  const copy = `${table}_reference`;
  db.exec(`CREATE VIRTUAL TABLE "${copy}" USING rtree(id, minx, maxx, miny, maxy)`);
  db.exec(`INSERT INTO "${copy}" SELECT fid, ST_MinX(geom), ST_MaxX(geom), ST_MinY(geom), ST_MaxY(geom) FROM "${table}"
    WHERE geom NOT NULL AND NOT ST_IsEmpty(geom) ORDER BY fid`);
  return copy;
}

describe('bulk-loaded rtree', () => {
  for (const [label, n] of [['one leaf', 20], ['two levels', 900], ['three levels', 6000]] as const) {
    it(`equals per-row insertion and passes rtreecheck (${label}, ${n} entries)`, async () => {
      const ws = Workspace.create(join(tempDir(), 'r.gpkg'));
      try {
        const r = rng(n);
        const points: Feature[] = settlements(n, n);
        // Values that do not fit float32 exactly, negative coordinates, and a null geometry.
        points[1] = { ...points[1], geometry: { type: 'Point', coordinates: [-0.1 - r() * 1e-3, -33.3333333333] } };
        points[2] = { ...points[2], geometry: null };
        const pts = await ws.writeLayer({ name: 'pts', role: 'settlements', geometryType: 'POINT' }, [points]);
        const polys = await ws.writeLayer({ name: 'polys', role: 'mobile', geometryType: 'MULTIPOLYGON' }, [coverage(n, n + 1)]);
        const db = ws.sqlite();
        for (const layer of [pts, polys]) {
          const { table, rtree } = rtreeOf(ws, layer.id);
          expect(db.prepare('SELECT rtreecheck(?)').pluck().get(rtree)).toBe('ok');
          const copy = perRowCopy(ws, table);
          const all = (t: string) => db.prepare(`SELECT * FROM "${t}" ORDER BY id`).raw(true).all();
          expect(all(rtree)).toEqual(all(copy));
          expect(all(rtree)).toHaveLength(layer.id === pts.id ? n - 1 : n);
          const query = (t: string) => db.prepare(`SELECT id FROM "${t}" WHERE maxx >= 114.5 AND minx <= 115 AND maxy >= 25 AND miny <= 25.5 ORDER BY id`).pluck().all();
          expect(query(rtree)).toEqual(query(copy));
          // Node numbers are stored as integers, as the rtree module writes them (a JS number binds as a REAL).
          const types = (t: string) => db.prepare(`SELECT (SELECT group_concat(DISTINCT typeof(rowid) || typeof(nodeno)) FROM "${t}_rowid")
            || ' ' || coalesce((SELECT group_concat(DISTINCT typeof(nodeno) || typeof(parentnode)) FROM "${t}_parent"), '')`).pluck().get();
          expect(types(rtree)).toBe(types(copy));
          expect(types(rtree)).toBe(`integerinteger ${n > 51 ? 'integerinteger' : ''}`);
        }
      } finally {
        ws.close();
      }
    });
  }

  it('equals per-row insertion when null geometries leave gaps in the ids (runs of consecutive ids and single rows)', async () => {
    const ws = Workspace.create(join(tempDir(), 'g.gpkg'));
    try {
      // Gaps now and then (runs of 500 consecutive ids remain) and, further on, every 7th row without a geometry.
      const points: Feature[] = settlements(6000, 11).map((f, i) =>
        ((i > 0 && i % 1700 === 0) || (i > 3500 && i % 7 === 0) ? { ...f, geometry: null } : f));
      const layer = await ws.writeLayer({ name: 'gaps', role: 'settlements', geometryType: 'POINT' }, [points]);
      const { table, rtree } = rtreeOf(ws, layer.id);
      const db = ws.sqlite();
      expect(db.prepare('SELECT rtreecheck(?)').pluck().get(rtree)).toBe('ok');
      const copy = perRowCopy(ws, table);
      const all = (t: string) => db.prepare(`SELECT * FROM "${t}" ORDER BY id`).raw(true).all();
      expect(all(rtree)).toEqual(all(copy));
      expect(db.prepare(`SELECT count(*) FROM "${rtree}_rowid" WHERE typeof(nodeno) = 'integer'`).pluck().get()).toBe(points.filter((f) => f.geometry).length);
    } finally {
      ws.close();
    }
  });

  it('stays right through later inserts, moves and deletes by the triggers', async () => {
    const ws = Workspace.create(join(tempDir(), 'e.gpkg'));
    try {
      const layer = await ws.writeLayer({ name: 'polys', role: 'mobile', geometryType: 'MULTIPOLYGON' }, [coverage(5000, 3)]);
      const { table, rtree } = rtreeOf(ws, layer.id);
      const db = ws.sqlite();
      db.prepare(`DELETE FROM "${table}" WHERE fid % 3 = 0`).run();
      db.prepare(`UPDATE "${table}" SET geom = (SELECT geom FROM "${table}" WHERE fid = 1) WHERE fid % 5 = 1`).run();
      db.prepare(`INSERT INTO "${table}" (geom) SELECT geom FROM "${table}" WHERE fid < 2000`).run();
      expect(db.prepare('SELECT rtreecheck(?)').pluck().get(rtree)).toBe('ok');
      const copy = perRowCopy(ws, table);
      const all = (t: string) => db.prepare(`SELECT * FROM "${t}" ORDER BY id`).raw(true).all();
      expect(all(rtree)).toEqual(all(copy));
    } finally {
      ws.close();
    }
  });
});
