// Coverage columns read straight from the GeoPackage blobs are toCoverageColumns of the layer's features, whole
// and through the rtree, for every geometry the map may meet (the fallback decoder included).
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toCoverageColumns, type CoverageColumns } from '../../api/columns';
import type { Bbox } from '../../api/contract';
import { encodeGpkgGeometry } from '../../data/workspace/gpkg-geometry';
import { Workspace } from '../../data/workspace/index';
import { registerFunctions } from '../../data/workspace/sql';
import type { Feature } from '../../gis/types';
import { batchesOf, coverage, rng, tempDir } from './helpers';

function plain(c: CoverageColumns): Record<string, unknown> {
  return { operator: [...c.operator], tech: [...c.tech], techs: c.techs, polyRing: [...c.polyRing], ringVertex: [...c.ringVertex], coords: [...c.coords] };
}

function expectSame(ws: Workspace, layerId: number, bbox?: Bbox): CoverageColumns {
  const got = ws.coverageColumns(layerId, bbox);
  expect(plain(got)).toEqual(plain(toCoverageColumns(ws.readFeatures(layerId, { bbox }))));
  return got;
}

/** Polygons with holes, several parts, empty parts and rings, Z values, every kind of operator and tech value. */
function mixed(n: number): Feature[] {
  const r = rng(7);
  const ops = ['CMCC', 'CT', 'CU', '移动', null, 'cu'];
  const techs = ['4G', '4g', '5G', null, 5, true, ''];
  return Array.from({ length: n }, (_, i) => {
    const x = 114 + r() * 2, y = 25 + r() * 2, d = 0.01 + r() * 0.05;
    const square = (s: number) => [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]];
    const hole = [[x + d / 4, y + d / 4], [x + d / 4, y + d / 2], [x + d / 2, y + d / 4], [x + d / 4, y + d / 4]];
    const kind = i % 7;
    const geometry = kind === 0 ? { type: 'Polygon', coordinates: [square(d), hole] }
      : kind === 1 ? { type: 'MultiPolygon', coordinates: [[square(d)], [square(d / 2).map(([a, b]) => [a - 0.2, b - 0.2])], []] }
        : kind === 2 ? { type: 'Polygon', coordinates: [square(d).map(([a, b], k) => [a, b, 100 + k])] }
          : kind === 3 ? { type: 'MultiPolygon', coordinates: [] }
            : kind === 4 ? null
              : kind === 5 ? { type: 'Polygon', coordinates: [] }
                : { type: 'MultiPolygon', coordinates: [[square(d), hole, hole]] };
    return { type: 'Feature', geometry, properties: { operator: ops[i % ops.length], tech: techs[i % techs.length], cell: i } } as Feature;
  });
}

describe('Workspace.coverageColumns', () => {
  it('is toCoverageColumns of the features, whole and for boxes, however the geometry is written', async () => {
    const ws = Workspace.create(join(tempDir(), 'cov.gpkg'));
    try {
      const layer = await ws.writeLayer({ name: 'mixed', role: 'mobile', geometryType: 'GEOMETRY' }, batchesOf(mixed(700), 97));
      const whole = expectSame(ws, layer.id);
      // Per 7 features: a polygon with a hole, two parts (and an empty one), a Z polygon, a part with two holes.
      expect(whole.operator.length).toBe(500);
      expect(whole.techs.length).toBeGreaterThan(3);
      for (const bbox of [[114.5, 25.5, 115.2, 26.1], [113, 24, 117, 28], [0, 0, 1, 1], [115, 26, 115, 26]] as Bbox[]) expectSame(ws, layer.id, bbox);
      const squares = await ws.writeLayer({ name: 'squares', role: 'broadband', geometryType: 'MULTIPOLYGON' }, batchesOf(coverage(3000), 500));
      expectSame(ws, squares.id);
      expectSame(ws, squares.id, [114.5, 25.5, 115.2, 26.1]);
    } finally {
      ws.close();
    }
  });

  it('blobs in big-endian order, with trailing bytes, or broken: the same columns, or the same error', async () => {
    const path = join(tempDir(), 'blobs.gpkg');
    const ws = Workspace.create(path);
    try {
      const layer = await ws.writeLayer({ name: 'c', role: 'mobile', geometryType: 'GEOMETRY' }, [mixed(14)]);
      const db = new Database(path);
      registerFunctions(db);
      try {
        const rows = db.prepare(`SELECT fid, geom FROM "${layer.table}" WHERE geom IS NOT NULL ORDER BY fid`).all() as { fid: number; geom: Uint8Array }[];
        const set = db.prepare(`UPDATE "${layer.table}" SET geom = ? WHERE fid = ?`);
        // Big-endian WKB of the first polygon, written by hand: GDAL reads either order.
        const le = encodeGpkgGeometry({ type: 'Polygon', coordinates: [[[114, 25], [114.1, 25], [114, 25.1], [114, 25]]] }).bytes;
        // The WKB after the header: byte order, type, ring count, point count, four points.
        const at = le.length - (1 + 4 + 4 + 4 + 4 * 16);
        const swapped = le.slice();
        const view = new DataView(swapped.buffer), src = new DataView(le.buffer, le.byteOffset, le.byteLength);
        swapped[at] = 0;
        for (const o of [1, 5, 9]) view.setUint32(at + o, src.getUint32(at + o, true), false);
        for (let k = 0; k < 8; k++) view.setFloat64(at + 13 + 8 * k, src.getFloat64(at + 13 + 8 * k, true), false);
        set.run(swapped, rows[0].fid);
        set.run(new Uint8Array([...rows[1].geom, 1, 2, 3]), rows[1].fid);
      } finally {
        db.close();
      }
      expectSame(ws, layer.id);
      const broken = new Database(path);
      registerFunctions(broken);
      try {
        // Written by a program that checks nothing (the rtree triggers, which decode the blob, dropped first).
        for (const name of broken.prepare(`SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?`).pluck().all(layer.table) as string[]) {
          broken.exec(`DROP TRIGGER "${name}"`);
        }
        const fid = (broken.prepare(`SELECT min(fid) FROM "${layer.table}" WHERE geom IS NOT NULL`).pluck().get()) as number;
        broken.prepare(`UPDATE "${layer.table}" SET geom = ? WHERE fid = ?`).run(new Uint8Array([0x47, 0x50, 0, 1, 0, 0, 0, 0, 1, 3, 0, 0, 0, 9, 0, 0, 0]), fid);
      } finally {
        broken.close();
      }
      let want: unknown;
      try {
        toCoverageColumns(ws.readFeatures(layer.id));
      } catch (e) {
        want = (e as Error).message;
      }
      expect(want).toBeTypeOf('string');
      expect(() => ws.coverageColumns(layer.id)).toThrow(want as string);
    } finally {
      ws.close();
    }
  });
});
