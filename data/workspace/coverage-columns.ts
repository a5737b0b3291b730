// A coverage layer's polygons as CoverageColumns straight from the GeoPackage blobs, without GeoJSON features in
// between: the same columns as toCoverageColumns(readFeatures(...)). Plain 2D Polygon and MultiPolygon WKB is read
// here; anything else (Z or M coordinates, other types, malformed blobs) takes the readFeatures() decoder.
import type Database from 'better-sqlite3';
import { CoverageColumnsBuilder, type CoverageColumns } from '../../api/columns';
import type { Bbox } from '../../api/contract';
import { decodeValue } from './columns';
import { decodeGpkgGeometry } from './gpkg-geometry';
import { checkBbox } from './layer-reader';
import { viewOf, wkbOffset } from './layer-tables';
import type { StoredColumns } from './layer-writer';
import { quoteIdent } from './sql';

const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;

/** In fid order; with `bbox`, the features whose rtree box meets it (as readFeatures selects them). */
export function readCoverageColumns(db: Database.Database, table: string, columns: StoredColumns, bbox?: Bbox): CoverageColumns {
  const operatorCol = columns.properties.find((p) => p.key === 'operator');
  const techCol = columns.properties.find((p) => p.key === 'tech');
  const select = ['t."geom"', operatorCol ? `t.${quoteIdent(operatorCol.column)}` : 'NULL', techCol ? `t.${quoteIdent(techCol.column)}` : 'NULL'];
  let sql = `SELECT ${select.join(', ')} FROM ${quoteIdent(table)} AS t`;
  const params: number[] = [];
  if (bbox) {
    checkBbox(bbox);
    sql += ` JOIN ${quoteIdent(`rtree_${table}_geom`)} AS r ON r.id = t."fid" WHERE r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ?`;
    params.push(bbox[0], bbox[2], bbox[1], bbox[3]);
  }
  sql += ' ORDER BY t."fid"';
  const builder = new CoverageColumnsBuilder();
  for (const row of db.prepare(sql).raw(true).iterate(...params) as IterableIterator<unknown[]>) {
    const blob = row[0] as Uint8Array | null;
    if (!blob) continue;
    // A column absent from the layer reads as null, as readFeatures gives it.
    const operator = operatorCol ? decodeValue(operatorCol.kind, row[1]) : null;
    const tech = techCol ? decodeValue(techCol.kind, row[2]) : null;
    if (!addPolygonal(builder, blob, operator, tech)) builder.addFeature({ geometry: decodeGpkgGeometry(blob), properties: { operator, tech } });
  }
  return builder.finish();
}

/** Adds a plain 2D Polygon or MultiPolygon blob as addFeature would its GeoJSON; false (nothing added) otherwise. */
function addPolygonal(builder: CoverageColumnsBuilder, b: Uint8Array, operator: unknown, tech: unknown): boolean {
  const at = wkbOffset(b);
  if (at < 0 || at + 9 > b.length) return false;
  const v = viewOf(b);
  const code = v.getUint32(at + 1, b[at] === 1);
  // Polygons' offsets, checked whole before anything is added.
  const polygons: number[] = [];
  if (code === WKB_POLYGON) polygons.push(at);
  else if (code === WKB_MULTIPOLYGON) {
    const parts = v.getUint32(at + 5, b[at] === 1);
    let o = at + 9;
    for (let p = 0; p < parts; p++) {
      polygons.push(o);
      o = polygonEnd(b, v, o);
      if (o < 0) return false;
    }
    if (o !== b.length) return false;
  } else return false;
  if (code === WKB_POLYGON && polygonEnd(b, v, at) !== b.length) return false;
  if (polygons.length === 0) return true;
  builder.feature(operator, tech);
  for (const start of polygons) {
    const le = b[start] === 1;
    const rings = v.getUint32(start + 5, le);
    if (rings === 0) continue;
    builder.polygon();
    let o = start + 9;
    for (let r = 0; r < rings; r++) {
      const n = v.getUint32(o, le);
      o += 4;
      for (let k = 0; k < n; k++, o += 16) builder.vertex(v.getFloat64(o, le), v.getFloat64(o + 8, le));
      builder.ring();
    }
    builder.polygonEnd();
  }
  return true;
}

/** The end of a well-formed 2D Polygon WKB at `o`, or -1. */
function polygonEnd(b: Uint8Array, v: DataView, o: number): number {
  if (o + 9 > b.length || (b[o] !== 0 && b[o] !== 1)) return -1;
  const le = b[o] === 1;
  if (v.getUint32(o + 1, le) !== WKB_POLYGON) return -1;
  const rings = v.getUint32(o + 5, le);
  o += 9;
  for (let r = 0; r < rings; r++) {
    if (o + 4 > b.length) return -1;
    const n = v.getUint32(o, le);
    o += 4;
    if (n * 16 > b.length - o) return -1;
    o += n * 16;
  }
  return o;
}
