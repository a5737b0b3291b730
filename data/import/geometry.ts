// Source geometry → canonical WGS-84 geometry: validated position by position, converted, copied (inputs untouched;
// a WGS-84 [x, y] position is shared with the input, not copied: nothing downstream writes to positions).
import type { Geometry, MultiPolygonGeometry, PointGeometry, Position } from '../../gis/types';
import { validLonLat, type ToWgs84 } from './crs';

export type GeometryResult<G> = { ok: true; geometry: G; closedRings: number } | { ok: false; message: string };

class BadGeometry extends Error {}

/** Where a position sits, built only for a message: most positions are valid, so no per-position strings. */
type Where = () => string;

function place(at: Where, index: number): string {
  return index < 0 ? at() : `${at()} position ${index}`;
}

/** Position `index` of `at` (a point's own position: index -1). */
function convert(p: unknown, toWgs84: ToWgs84 | null, at: Where, index: number): Position {
  if (!Array.isArray(p) || p.length < 2) throw new BadGeometry(`${place(at, index)}: expected a position [x, y], found ${JSON.stringify(p)?.slice(0, 60)}`);
  const x: unknown = p[0], y: unknown = p[1];
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
    throw new BadGeometry(`${place(at, index)}: expected finite numbers, found [${String(x)}, ${String(y)}]`);
  }
  let lon = x, lat = y;
  if (toWgs84) [lon, lat] = toWgs84(x, y);
  else if (p.length === 2 && validLonLat(x, y)) return p as Position; // WGS-84 [x, y]: nothing to copy (nor to collect)
  if (!validLonLat(lon, lat)) {
    throw new BadGeometry(`${place(at, index)}: [${x}, ${y}] is outside longitude −180…180 / latitude −90…90${toWgs84 ? ' after conversion from the file\'s coordinate system: check the .prj or choose the CRS' : ''}`);
  }
  return [lon, lat];
}

function ring(r: unknown, toWgs84: ToWgs84 | null, where: Where, counter: { closed: number }): Position[] {
  if (!Array.isArray(r)) throw new BadGeometry(`${where()}: expected an array of positions`);
  const out: Position[] = new Array(r.length);
  for (let i = 0; i < r.length; i++) out[i] = convert(r[i], toWgs84, where, i);
  if (out.length > 0) {
    const a = out[0], b = out[out.length - 1];
    if (a[0] !== b[0] || a[1] !== b[1]) {
      out.push([a[0], a[1]]);
      counter.closed++;
    }
  }
  if (out.length < 4) throw new BadGeometry(`${where()}: a ring needs at least 4 positions (3 distinct, closed), found ${r.length}`);
  return out;
}

function polygon(rings: unknown, toWgs84: ToWgs84 | null, where: Where, counter: { closed: number }): Position[][] {
  if (!Array.isArray(rings) || rings.length === 0) throw new BadGeometry(`${where()}: expected at least one ring`);
  const out: Position[][] = new Array(rings.length);
  for (let i = 0; i < rings.length; i++) out[i] = ring(rings[i], toWgs84, () => `${where()} ring ${i}`, counter);
  return out;
}

function describe(g: unknown): string {
  if (g === null || g === undefined) return 'no geometry';
  if (typeof g === 'object' && 'type' in g) return `a ${String((g as { type: unknown }).type)}`;
  return JSON.stringify(g)?.slice(0, 40) ?? String(g);
}

const COORDINATES: Where = () => 'coordinates';

/** Point (or a MultiPoint of one position) → Point. */
export function toPoint(g: unknown, toWgs84: ToWgs84 | null): GeometryResult<PointGeometry> {
  try {
    const geom = g as Geometry | null;
    if (geom?.type === 'Point') return { ok: true, geometry: { type: 'Point', coordinates: convert(geom.coordinates, toWgs84, COORDINATES, -1) }, closedRings: 0 };
    if (geom?.type === 'MultiPoint' && Array.isArray(geom.coordinates) && geom.coordinates.length === 1) {
      return { ok: true, geometry: { type: 'Point', coordinates: convert(geom.coordinates[0], toWgs84, COORDINATES, -1) }, closedRings: 0 };
    }
    return { ok: false, message: `expected a Point, found ${describe(g)}` };
  } catch (e) {
    if (e instanceof BadGeometry) return { ok: false, message: e.message };
    throw e;
  }
}

/** Polygon, MultiPolygon or a GeometryCollection of them → MultiPolygon (one table type for a whole layer). */
export function toMultiPolygon(g: unknown, toWgs84: ToWgs84 | null): GeometryResult<MultiPolygonGeometry> {
  const counter = { closed: 0 };
  const parts: Position[][][] = [];
  const collect = (geom: Geometry | null, where: Where): void => {
    if (geom?.type === 'Polygon') parts.push(polygon(geom.coordinates, toWgs84, where, counter));
    else if (geom?.type === 'MultiPolygon') {
      if (!Array.isArray(geom.coordinates)) throw new BadGeometry(`${where()}: expected an array of polygons`);
      geom.coordinates.forEach((p, i) => parts.push(polygon(p, toWgs84, () => `${where()} polygon ${i}`, counter)));
    } else if (geom?.type === 'GeometryCollection' && Array.isArray(geom.geometries)) {
      geom.geometries.forEach((m, i) => collect(m, () => `${where()} member ${i}`));
    } else throw new BadGeometry(`expected a Polygon or MultiPolygon, found ${describe(geom)}`);
  };
  try {
    collect(g as Geometry | null, COORDINATES);
    if (parts.length === 0) return { ok: false, message: 'expected a Polygon or MultiPolygon, found an empty geometry' };
    return { ok: true, geometry: { type: 'MultiPolygon', coordinates: parts }, closedRings: counter.closed };
  } catch (e) {
    if (e instanceof BadGeometry) return { ok: false, message: e.message };
    throw e;
  }
}

/** Twice the signed area of a ring (x/y plane): positive when counter-clockwise. */
export function signedArea2(ring: ArrayLike<number>[]): number {
  let s = 0;
  for (let i = 0, n = ring.length, j = n - 1; i < n; j = i++) s += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return s;
}

/** Ray casting; boundary points count either way, which is fine for assigning holes. */
export function ringContains(ring: ArrayLike<number>[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, n = ring.length, j = n - 1; i < n; j = i++) {
    const [xi, yi] = [ring[i][0], ring[i][1]];
    const [xj, yj] = [ring[j][0], ring[j][1]];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
