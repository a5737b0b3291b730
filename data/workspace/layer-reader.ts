// Streams a layer's rows back as GeoJSON features, optionally through the rtree for a bbox.
import type Database from 'better-sqlite3';
import type { Bbox } from '../../api/contract';
import type { Feature } from '../../gis/types';
import { decodeValue } from './columns';
import { decodeGpkgGeometry } from './gpkg-geometry';
import type { StoredColumns } from './layer-writer';
import { quoteIdent } from './sql';

export interface ReadOptions {
  /** Features whose bounding box intersects this one (rtree prefilter; exact geometry tests are the caller's). */
  bbox?: Bbox;
  limit?: number;
}

export function checkBbox(b: Bbox): void {
  if (!Array.isArray(b) || b.length !== 4 || !b.every((n) => typeof n === 'number' && !Number.isNaN(n)) || b[0] > b[2] || b[1] > b[3]) {
    throw new TypeError(`readFeatures: bbox: expected [minLon, minLat, maxLon, maxLat] with min <= max, got ${JSON.stringify(b)}`);
  }
}

/**
 * Iterates rows in fid order. Null columns come back as null properties (every feature carries every field,
 * as in any GeoPackage). The statement stays open while iterating: finish or break before writing.
 */
export function* readLayerFeatures(
  db: Database.Database,
  table: string,
  columns: StoredColumns,
  opts: ReadOptions = {},
): IterableIterator<Feature> {
  const limit = opts.limit ?? -1;
  if (!Number.isInteger(limit) || limit < -1) throw new TypeError(`readFeatures: limit: expected a non-negative integer, got ${opts.limit}`);
  const props = columns.properties;
  const fidCol = columns.featureId;
  const select = ['t."geom"', ...(fidCol ? [`t.${quoteIdent(fidCol.column)}`] : []), ...props.map((p) => `t.${quoteIdent(p.column)}`)];
  let sql = `SELECT ${select.join(', ')} FROM ${quoteIdent(table)} AS t`;
  const params: number[] = [];
  if (opts.bbox) {
    checkBbox(opts.bbox);
    const [minX, minY, maxX, maxY] = opts.bbox;
    sql += ` JOIN ${quoteIdent(`rtree_${table}_geom`)} AS r ON r.id = t."fid"` +
      ' WHERE r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ?';
    params.push(minX, maxX, minY, maxY);
  }
  sql += ' ORDER BY t."fid" LIMIT ?';
  params.push(limit);
  const stmt = db.prepare(sql).raw(true);
  const offset = fidCol ? 2 : 1;
  for (const row of stmt.iterate(...params) as IterableIterator<unknown[]>) {
    const geom = row[0] as Uint8Array | null;
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < props.length; i++) properties[props[i].key] = decodeValue(props[i].kind, row[i + offset]);
    const feature: Feature = { type: 'Feature', geometry: geom ? decodeGpkgGeometry(geom) : null, properties };
    if (fidCol && row[1] !== null) feature.id = decodeValue(fidCol.kind, row[1]) as string | number;
    yield feature;
  }
}
