// A coverage layer's polygons as CoverageColumns straight from the GeoPackage blobs, without GeoJSON features in
// between: the same columns as toCoverageColumns(readFeatures(...)). Plain 2D Polygon and MultiPolygon WKB goes
// through the analysis's decoder (layer-tables' packPolygonal); anything else (Z or M coordinates, other types,
// malformed blobs) takes the readFeatures() decoder.
import type Database from 'better-sqlite3';
import { PackedCoordinates } from '../../gis/scan/coordinates';
import { CoverageColumnsBuilder, type CoverageColumns } from '../../api/columns';
import type { Bbox } from '../../api/contract';
import { decodeValue } from './columns';
import { decodeGpkgGeometry } from './gpkg-geometry';
import { checkBbox } from './layer-reader';
import { packPolygonal, wkbOffset, WKB_POLYGON } from './layer-tables';
import { blobOf, layerPages, viewOf } from './layer-pages';
import type { StoredColumn, StoredColumns } from './layer-writer';
import { quoteIdent } from './sql';

/** In fid order; with `bbox`, the features whose rtree box meets it (as readFeatures selects them). */
export function readCoverageColumns(db: Database.Database, table: string, columns: StoredColumns, bbox?: Bbox): CoverageColumns {
  const operatorCol = columns.properties.find((p) => p.key === 'operator');
  const techCol = columns.properties.find((p) => p.key === 'tech');
  if (!bbox) return wholeLayer(db, table, operatorCol, techCol);
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
  const packed = new PackedCoordinates();
  for (const row of db.prepare(sql).raw(true).iterate(...params) as IterableIterator<unknown[]>) {
    const blob = row[0] as Uint8Array | null;
    if (!blob) continue;
    // A column absent from the layer reads as null, as readFeatures gives it.
    const operator = operatorCol ? decodeValue(operatorCol.kind, row[1]) : null;
    const tech = techCol ? decodeValue(techCol.kind, row[2]) : null;
    if (!addPolygonal(builder, packed, blob, operator, tech)) builder.addFeature({ geometry: decodeGpkgGeometry(blob), properties: { operator, tech } });
  }
  return builder.finish();
}

/** A whole layer, read a page at a time (layer-pages.ts). */
function wholeLayer(db: Database.Database, table: string, operatorCol?: StoredColumn, techCol?: StoredColumn): CoverageColumns {
  const builder = new CoverageColumnsBuilder();
  const packed = new PackedCoordinates();
  const wanted = [operatorCol, techCol].filter((c) => c !== undefined);
  for (const page of layerPages(db, table, wanted)) {
    // A column absent from the layer reads as null, as readFeatures gives it.
    const operators = operatorCol ? page.values[0] : null;
    const techs = techCol ? page.values[wanted.length - 1] : null;
    for (let i = 0; i < page.count; i++) {
      if (page.lengths[i] < 0) continue;
      const blob = blobOf(page, i);
      const operator = operators ? operators[i] : null;
      const tech = techs ? techs[i] : null;
      if (!addPolygonal(builder, packed, blob, operator, tech)) builder.addFeature({ geometry: decodeGpkgGeometry(blob), properties: { operator, tech } });
    }
  }
  return builder.finish();
}

/** Adds a plain 2D Polygon or MultiPolygon blob as addFeature would its GeoJSON; false (nothing added) otherwise. */
function addPolygonal(builder: CoverageColumnsBuilder, packed: PackedCoordinates, b: Uint8Array, operator: unknown, tech: unknown): boolean {
  const at = wkbOffset(b);
  if (at < 0 || b.length < at + 5) return false;
  const v = viewOf(b);
  // Decoded and checked whole (layer-tables' packPolygonal, the analysis's own decoder) before anything is added.
  packed.reset();
  const root = packPolygonal(b, v, at, packed);
  if (root < 0) return false;
  builder.addPolygonal(operator, tech, root, v.getUint32(at + 1, b[at] === 1) === WKB_POLYGON, packed);
  return true;
}
