// Layer rows fed straight to the analysis builders: only the columns an analysis reads, and coverage geometry
// decoded from the GeoPackage blob into packed coordinates instead of GeoJSON arrays. Each builder sees the same
// feature index, property values and coordinates as it would from readFeatures(), so it reports the same problems
// in the same words; anything but plain 2D polygons and points takes the readFeatures() decoder itself.
import type Database from 'better-sqlite3';
import { JSON_COORDINATES, lonLatInRange, type PolygonSetBuilder } from '../../gis/polygon-set';
import { PackedCoordinates } from '../../gis/scan/coordinates';
import { SETTLEMENT_FIELDS, type SettlementTableBuilder } from '../../gis/settlement-table';
import { decodeGpkgGeometry } from './gpkg-geometry';
import { blobOf, layerPages, type RowPage } from './layer-pages';
import type { StoredColumns } from './layer-writer';

const ENVELOPE_BYTES = [0, 32, 48, 48, 64];
const WKB_POINT = 1;
export const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;

/**
 * Offset of the WKB after a well-formed GeoPackage header in b[start, end), or -1 (then decodeGpkgGeometry reports
 * the problem).
 */
export function wkbOffset(b: Uint8Array, start = 0, end = b.length): number {
  if (end - start < 8 || b[start] !== 0x47 || b[start + 1] !== 0x50 || b[start + 2] !== 0 || (b[start + 3] & 0x20) !== 0) return -1;
  const env = ENVELOPE_BYTES[(b[start + 3] >> 1) & 0x07];
  return env === undefined || end - start < 8 + env ? -1 : start + 8 + env;
}

/** Row i's 2D Point coordinates into xy; false when its geometry is anything else (or malformed). */
function pointAt(page: RowPage, i: number, xy: Float64Array): boolean {
  const { bytes: b, view: v } = page;
  const end = page.starts[i] + page.lengths[i];
  const at = wkbOffset(b, page.starts[i], end);
  if (at < 0 || end < at + 21) return false;
  const le = b[at] === 1;
  if (v.getUint32(at + 1, le) !== WKB_POINT) return false;
  xy[0] = v.getFloat64(at + 5, le);
  xy[1] = v.getFloat64(at + 13, le);
  return true;
}

/** Row i's geometry as decodeGpkgGeometry returns it. */
function geometryAt(page: RowPage, i: number, xy: Float64Array): unknown {
  if (!pointAt(page, i, xy)) return decodeGpkgGeometry(blobOf(page, i));
  return { type: 'Point', coordinates: Number.isNaN(xy[0]) && Number.isNaN(xy[1]) ? [] : [xy[0], xy[1]] };
}

/** Feeds every row of a settlements layer to `builder` (feature index = call order, as over readFeatures()). */
export function feedSettlements(db: Database.Database, table: string, columns: StoredColumns, builder: SettlementTableBuilder): void {
  const props = columns.properties.filter((p) => SETTLEMENT_FIELDS.has(p.key));
  // The builder reads a feature's top-level id only when its id property is null.
  const idCol = columns.featureId && { ...columns.featureId, whereNull: props.find((p) => p.key === 'id')?.column };
  const field = (key: string) => props.findIndex((p) => p.key === key);
  const [id, households, county, township, village, name, code, committee] =
    ['id', 'households', 'county', 'township', 'village', 'name', 'code', 'committee'].map(field);
  const xy = new Float64Array(2);
  for (const page of layerPages(db, table, idCol ? [...props, idCol] : props)) {
    const values = page.values;
    const ids = idCol ? values[props.length] : null;
    // A property the layer has no column for is absent, as from readFeatures().
    const at = (k: number, i: number) => (k < 0 ? undefined : values[k][i]);
    for (let i = 0; i < page.count; i++) {
      // A valid point goes in without a feature made for it; anything else as the feature readFeatures() gives.
      if (page.lengths[i] >= 0 && pointAt(page, i, xy) && lonLatInRange(xy[0], xy[1])) {
        builder.addPoint(xy[0], xy[1], at(id, i) ?? (ids ? ids[i] : undefined), at(households, i), at(county, i), at(township, i),
          at(village, i), at(name, i), at(code, i), at(committee, i));
        continue;
      }
      const properties: Record<string, unknown> = {};
      for (let k = 0; k < props.length; k++) properties[props[k].key] = values[k][i];
      const feature: { type: 'Feature'; geometry: unknown; properties: Record<string, unknown>; id?: unknown } =
        { type: 'Feature', geometry: page.lengths[i] < 0 ? null : geometryAt(page, i, xy), properties };
      if (ids && ids[i] !== null) feature.id = ids[i];
      builder.add(feature, JSON_COORDINATES);
    }
  }
}

/**
 * Packs a 2D Polygon or MultiPolygon WKB in b[at, end) into `packed` (the scanner's layout for the same coordinates
 * in JSON); returns the coordinates node, or -1 for anything else or anything malformed.
 */
export function packPolygonal(b: Uint8Array, v: DataView, at: number, packed: PackedCoordinates, end = b.length): number {
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
  const operatorAt = props.findIndex((p) => p.key === 'operator'), techAt = props.findIndex((p) => p.key === 'tech');
  const packed = new PackedCoordinates();
  let index = 0;
  for (const page of layerPages(db, table, props)) {
    const { bytes: b, view: v } = page;
    const operators = operatorAt < 0 ? null : page.values[operatorAt], techs = techAt < 0 ? null : page.values[techAt];
    for (let i = 0; i < page.count; i++) {
      // One literal, not members added by name: V8 discarded this loop's code at each new shape of the object.
      const properties = { operator: operators ? operators[i] : undefined, tech: techs ? techs[i] : undefined };
      const feature = { type: 'Feature', properties, geometry: null as unknown };
      if (page.lengths[i] >= 0) {
        packed.reset();
        const end = page.starts[i] + page.lengths[i];
        const at = wkbOffset(b, page.starts[i], end);
        const code = at < 0 || end < at + 5 ? 0 : v.getUint32(at + 1, b[at] === 1);
        const root = code === WKB_POLYGON || code === WKB_MULTIPOLYGON ? packPolygonal(b, v, at, packed, end) : -1;
        if (root >= 0) {
          feature.geometry = { type: code === WKB_POLYGON ? 'Polygon' : 'MultiPolygon', coordinates: root };
          builder.add(source, sourceName, index++, feature, packed);
          continue;
        }
        feature.geometry = decodeGpkgGeometry(blobOf(page, i));
      }
      builder.add(source, sourceName, index++, feature, JSON_COORDINATES);
    }
  }
}
