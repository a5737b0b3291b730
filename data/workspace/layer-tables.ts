// Layer rows fed straight to the analysis builders: only the columns an analysis reads, and coverage geometry
// decoded from the GeoPackage blob into packed coordinates instead of GeoJSON arrays. Each builder sees the same
// feature index, property values and coordinates as it would from readFeatures(), so it reports the same problems
// in the same words; anything but plain 2D polygons and points takes the readFeatures() decoder itself.
import type Database from 'better-sqlite3';
import { JSON_COORDINATES, type PolygonSetBuilder } from '../../gis/polygon-set';
import { PackedCoordinates } from '../../gis/scan/coordinates';
import { SETTLEMENT_FIELDS, type SettlementTableBuilder } from '../../gis/settlement-table';
import { decodeValue } from './columns';
import { decodeGpkgGeometry } from './gpkg-geometry';
import type { StoredColumn, StoredColumns } from './layer-writer';
import { quoteIdent } from './sql';

const ENVELOPE_BYTES = [0, 32, 48, 48, 64];
const WKB_POINT = 1;
export const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;

/** Offset of the WKB after a well-formed GeoPackage header, or -1 (then decodeGpkgGeometry reports the problem). */
export function wkbOffset(b: Uint8Array): number {
  if (b.length < 8 || b[0] !== 0x47 || b[1] !== 0x50 || b[2] !== 0 || (b[3] & 0x20) !== 0) return -1;
  const env = ENVELOPE_BYTES[(b[3] >> 1) & 0x07];
  return env === undefined || b.length < 8 + env ? -1 : 8 + env;
}

export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Selects geom, then the feature id column (when any), then `props`, in fid order. */
function rows(db: Database.Database, table: string, columns: StoredColumns, props: StoredColumn[]): IterableIterator<unknown[]> {
  const select = ['"geom"', ...(columns.featureId ? [quoteIdent(columns.featureId.column)] : []), ...props.map((p) => quoteIdent(p.column))];
  return db.prepare(`SELECT ${select.join(', ')} FROM ${quoteIdent(table)} ORDER BY "fid"`).raw(true).iterate() as IterableIterator<unknown[]>;
}

/** A Point geometry as decodeGpkgGeometry returns it. */
function pointGeometry(blob: Uint8Array): unknown {
  const at = wkbOffset(blob);
  if (at >= 0 && blob.length >= at + 21) {
    const v = viewOf(blob);
    const le = blob[at] === 1;
    if (v.getUint32(at + 1, le) === WKB_POINT) {
      const x = v.getFloat64(at + 5, le), y = v.getFloat64(at + 13, le);
      return { type: 'Point', coordinates: Number.isNaN(x) && Number.isNaN(y) ? [] : [x, y] };
    }
  }
  return decodeGpkgGeometry(blob);
}

/** Feeds every row of a settlements layer to `builder` (feature index = call order, as over readFeatures()). */
export function feedSettlements(db: Database.Database, table: string, columns: StoredColumns, builder: SettlementTableBuilder): void {
  const props = columns.properties.filter((p) => SETTLEMENT_FIELDS.has(p.key));
  const idCol = columns.featureId;
  const offset = idCol ? 2 : 1;
  for (const row of rows(db, table, columns, props)) {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < props.length; i++) properties[props[i].key] = decodeValue(props[i].kind, row[i + offset]);
    const blob = row[0] as Uint8Array | null;
    const feature: { type: 'Feature'; geometry: unknown; properties: Record<string, unknown>; id?: unknown } =
      { type: 'Feature', geometry: blob ? pointGeometry(blob) : null, properties };
    if (idCol && row[1] !== null) feature.id = decodeValue(idCol.kind, row[1]);
    builder.add(feature, JSON_COORDINATES);
  }
}

/**
 * Packs a 2D Polygon or MultiPolygon WKB at `at` into `packed` (the scanner's layout for the same coordinates
 * in JSON); returns the coordinates node, or -1 for anything else or anything malformed.
 */
export function packPolygonal(b: Uint8Array, v: DataView, at: number, packed: PackedCoordinates): number {
  const end = b.length;
  let o = at;
  const polygon = (): number => {
    if (o + 9 > end) return -1;
    const le = b[o] === 1;
    if (v.getUint32(o + 1, le) !== WKB_POLYGON) return -1;
    const rings = v.getUint32(o + 5, le);
    o += 9;
    if (rings * 4 > end - o) return -1;
    const base = packed.stackTop;
    for (let r = 0; r < rings; r++) {
      if (o + 4 > end) return -1;
      const n = v.getUint32(o, le);
      o += 4;
      if (n * 16 > end - o) return -1;
      const start = packed.numCount;
      for (let k = 0; k < n; k++, o += 16) {
        packed.pushNumber(v.getFloat64(o, le));
        packed.pushNumber(v.getFloat64(o + 8, le));
      }
      packed.push(packed.pairs(start));
    }
    return packed.array(base);
  };
  if (at + 9 > end) return -1;
  const le = b[at] === 1;
  const code = v.getUint32(at + 1, le);
  if (code === WKB_POLYGON) return polygon();
  if (code !== WKB_MULTIPOLYGON) return -1;
  const parts = v.getUint32(at + 5, le);
  o = at + 9;
  if (parts * 4 > end - o) return -1;
  const base = packed.stackTop;
  for (let p = 0; p < parts; p++) {
    const id = polygon();
    if (id < 0) return -1;
    packed.push(id);
  }
  return packed.array(base);
}

/** Feeds every row of a coverage layer to `builder` as source `source` named `sourceName`. */
export function feedCoverage(
  db: Database.Database, table: string, columns: StoredColumns, builder: PolygonSetBuilder, source: number, sourceName: string,
): void {
  const props = columns.properties.filter((p) => p.key === 'operator' || p.key === 'tech');
  const offset = columns.featureId ? 2 : 1;
  const packed = new PackedCoordinates();
  let index = 0;
  for (const row of rows(db, table, columns, props)) {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < props.length; i++) properties[props[i].key] = decodeValue(props[i].kind, row[i + offset]);
    const blob = row[0] as Uint8Array | null;
    const feature = { type: 'Feature', properties, geometry: null as unknown };
    if (blob) {
      packed.reset();
      const at = wkbOffset(blob);
      const v = viewOf(blob);
      const code = at < 0 || blob.length < at + 5 ? 0 : v.getUint32(at + 1, blob[at] === 1);
      const root = code === WKB_POLYGON || code === WKB_MULTIPOLYGON ? packPolygonal(blob, v, at, packed) : -1;
      if (root >= 0) {
        feature.geometry = { type: code === WKB_POLYGON ? 'Polygon' : 'MultiPolygon', coordinates: root };
        builder.add(source, sourceName, index++, feature, packed);
        continue;
      }
      feature.geometry = decodeGpkgGeometry(blob);
    }
    builder.add(source, sourceName, index++, feature, JSON_COORDINATES);
  }
}
