// Coordinate reference systems: what the user chose or the file declares, turned into a function to WGS-84 lon/lat.
import gcoord, { type CRSTypes } from 'gcoord';
import type { CrsChoice } from '../../api/contract';

type Proj4 = typeof import('proj4');
/**
 * Loaded only for projected coordinates: proj4 takes ~65 ms to load, at the start of every import on the importing
 * thread and again on its worker thread (data/import/in-worker.ts), ahead of the first row.
 */
let proj4: Proj4 | null = null;

/** Thrown when a projected CRS is resolved before loadProjections(): load, then resolve again. */
export class ProjectionsNotLoaded extends Error {
  constructor() {
    super('crs: proj4 is not loaded (await loadProjections() first)');
    this.name = 'ProjectionsNotLoaded';
  }
}

export async function loadProjections(): Promise<void> {
  proj4 ??= (await import('proj4')).default;
}

/** Source x/y → WGS-84 [lon, lat]. Always returns a fresh array; never touches its inputs. */
export type ToWgs84 = (x: number, y: number) => [number, number];

export interface CrsResolution {
  choice: CrsChoice;
  reason: string;
  /** null: coordinates are already WGS-84 / CGCS2000 lon/lat. */
  toWgs84: ToWgs84 | null;
  /** Something the user should know (datum approximated, zone guessed from the numbers…). */
  warning?: string;
}

const identity: CrsResolution['toWgs84'] = null;

function fromGcoord(from: CRSTypes): ToWgs84 {
  // gcoord mutates what it is given: hand it a fresh pair each time.
  return (x, y) => {
    const out = gcoord.transform([x, y] as [number, number], from, gcoord.WGS84);
    return [out[0], out[1]];
  };
}

function fromProj4(def: string): ToWgs84 {
  if (!proj4) throw new ProjectionsNotLoaded();
  const conv = proj4(def, 'WGS84');
  return (x, y) => {
    const out = conv.forward([x, y]);
    return [out[0], out[1]];
  };
}

function tmerc(centralMeridian: number, falseEasting: number, ellps = '+ellps=GRS80', k = 1, falseNorthing = 0, lat0 = 0): string {
  return `+proj=tmerc +lat_0=${lat0} +lon_0=${centralMeridian} +k=${k} +x_0=${falseEasting} +y_0=${falseNorthing} ${ellps} +units=m +no_defs`;
}

/**
 * CGCS2000 Gauss–Krüger codes. 3-degree zones: EPSG:4513–4533 are zones 25–45 with the zone number prefixed to the
 * easting (38 500 000 m), EPSG:4534–4554 are CM 75°E–135°E without the prefix. 6-degree zones: EPSG:4491–4501 are
 * zones 13–23 with prefix, EPSG:4502–4512 CM 75°E–135°E without. Ganzhou (113.9°E–116.6°E) lies in the 3-degree zones
 * CM 114°E (EPSG:4526 / 4547) and CM 117°E (EPSG:4527 / 4548).
 */
export function gaussKrugerDefinition(epsg: number): string | null {
  if (epsg >= 4513 && epsg <= 4533) {
    const zone = 25 + (epsg - 4513);
    return tmerc(zone * 3, zone * 1e6 + 500000);
  }
  if (epsg >= 4534 && epsg <= 4554) return tmerc(75 + 3 * (epsg - 4534), 500000);
  if (epsg >= 4491 && epsg <= 4501) {
    const zone = 13 + (epsg - 4491);
    return tmerc(zone * 6 - 3, zone * 1e6 + 500000);
  }
  if (epsg >= 4502 && epsg <= 4512) return tmerc(75 + 6 * (epsg - 4502), 500000);
  return null;
}

/** The CGCS2000 code matching a Gauss–Krüger central meridian and false easting, when there is one. */
export function gaussKrugerEpsg(centralMeridian: number, falseEasting: number): number | null {
  const prefixed = falseEasting !== 500000;
  const zone3 = centralMeridian / 3;
  if (Number.isInteger(zone3) && zone3 >= 25 && zone3 <= 45) {
    if (!prefixed) return 4534 + (zone3 - 25);
    if (falseEasting === zone3 * 1e6 + 500000) return 4513 + (zone3 - 25);
  }
  const zone6 = (centralMeridian + 3) / 6;
  if (Number.isInteger(zone6) && zone6 >= 13 && zone6 <= 23) {
    if (!prefixed) return 4502 + (zone6 - 13);
    if (falseEasting === zone6 * 1e6 + 500000) return 4491 + (zone6 - 13);
  }
  return null;
}

/** Resolves an explicit choice. Throws with a sentence naming the choice when it is not supported. */
export function resolveChoice(choice: Exclude<CrsChoice, 'auto'>): CrsResolution {
  switch (choice) {
    case 'wgs84': return { choice, reason: 'WGS-84 longitude/latitude (chosen)', toWgs84: identity };
    case 'cgcs2000': return { choice, reason: 'CGCS2000 longitude/latitude, same as WGS-84 within centimetres (chosen)', toWgs84: identity };
    case 'gcj02': return { choice, reason: 'GCJ-02 (高德/腾讯) converted to WGS-84 (chosen)', toWgs84: fromGcoord(gcoord.GCJ02) };
    case 'bd09': return { choice, reason: 'BD-09 (百度) converted to WGS-84 (chosen)', toWgs84: fromGcoord(gcoord.BD09) };
  }
  const m = /^EPSG:(\d+)$/i.exec(choice);
  const code = m ? Number(m[1]) : NaN;
  if (code === 4326 || code === 4490) return { choice, reason: `EPSG:${code} longitude/latitude (chosen)`, toWgs84: identity };
  if (code === 3857) return { choice, reason: 'EPSG:3857 Web Mercator (chosen)', toWgs84: fromProj4('EPSG:3857') };
  const def = gaussKrugerDefinition(code);
  if (def) return { choice, reason: `EPSG:${code} CGCS2000 Gauss–Krüger (chosen)`, toWgs84: fromProj4(def) };
  throw new Error(`coordinate system "${choice}" is not supported; expected wgs84, cgcs2000, gcj02, bd09, EPSG:4326, EPSG:4490, EPSG:3857 or a CGCS2000 Gauss–Krüger code EPSG:4491–4554`);
}

function wktString(wkt: string, key: string): string | null {
  const m = new RegExp(`${key}\\s*\\[\\s*"([^"]*)"`, 'i').exec(wkt);
  return m ? m[1] : null;
}

function wktParameter(wkt: string, name: string): number | null {
  const m = new RegExp(`PARAMETER\\s*\\[\\s*"${name}"\\s*,\\s*([-+0-9.eE]+)`, 'i').exec(wkt);
  return m ? Number(m[1]) : null;
}

/** Reads a .prj (ESRI or OGC WKT 1). Throws with a sentence when the CRS is not one we can convert. */
export function resolvePrj(wkt: string): CrsResolution {
  const datum = `${wktString(wkt, 'DATUM') ?? ''} ${wktString(wkt, 'GEOGCS') ?? ''}`;
  const oldDatum = /beijing|1954|xian|xi'an|1980/i.test(datum);
  const spheroid = /SPHEROID\s*\[\s*"[^"]*"\s*,\s*([0-9.]+)\s*,\s*([0-9.]+)/i.exec(wkt);
  const ellps = spheroid && Number(spheroid[2]) > 0 ? `+a=${spheroid[1]} +rf=${spheroid[2]}` : '+ellps=GRS80';
  const datumWarning = oldDatum
    ? `.prj uses the ${datum.trim()} datum; converted without a datum shift (no published parameters), positions may be off by up to ~100 m`
    : undefined;
  if (!/^\s*PROJCS/i.test(wkt)) {
    if (!/^\s*GEOGCS/i.test(wkt)) throw new Error('.prj is not a WKT GEOGCS/PROJCS definition');
    return { choice: 'EPSG:4490', reason: `.prj: geographic ${datum.trim() || 'lon/lat'}`, toWgs84: identity, warning: datumWarning };
  }
  const projection = wktString(wkt, 'PROJECTION') ?? '';
  if (/gauss|transverse_mercator|tmerc/i.test(projection)) {
    const cm = wktParameter(wkt, 'central_meridian') ?? wktParameter(wkt, 'longitude_of_center');
    const fe = wktParameter(wkt, 'false_easting') ?? 0;
    const fn = wktParameter(wkt, 'false_northing') ?? 0;
    const k = wktParameter(wkt, 'scale_factor') ?? 1;
    const lat0 = wktParameter(wkt, 'latitude_of_origin') ?? 0;
    if (cm === null) throw new Error('.prj: Transverse Mercator without a central_meridian parameter');
    const epsg = !oldDatum && k === 1 && fn === 0 && lat0 === 0 ? gaussKrugerEpsg(cm, fe) : null;
    const choice: CrsChoice = epsg ? `EPSG:${epsg}` : 'auto';
    return {
      choice,
      reason: `.prj: Gauss–Krüger / Transverse Mercator, central meridian ${cm}°E, false easting ${fe} m${epsg ? ` (EPSG:${epsg})` : ''}`,
      toWgs84: fromProj4(tmerc(cm, fe, ellps, k, fn, lat0)),
      warning: datumWarning,
    };
  }
  try {
    return { choice: 'auto', reason: `.prj: ${wktString(wkt, 'PROJCS') ?? projection}`, toWgs84: fromProj4(wkt), warning: datumWarning };
  } catch (err) {
    if (err instanceof ProjectionsNotLoaded) throw err;
    throw new Error(`.prj: projection "${projection}" is not supported; expected Gauss–Krüger / Transverse Mercator or lon/lat`, { cause: err });
  }
}

export interface AutoDetection {
  resolution: CrsResolution | null;
  /** Set when no CRS could be chosen: what the user must do. */
  problem?: string;
}

/** Guesses from sample coordinates: degrees → WGS-84; a zone-prefixed easting → that Gauss–Krüger zone. */
export function detectFromSample(sample: [number, number][]): AutoDetection {
  const finite = sample.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (finite.length === 0) return { resolution: { choice: 'wgs84', reason: 'no coordinates to inspect; assumed WGS-84', toWgs84: identity } };
  // |y| up to 180 still counts as degrees: swapped lon/lat is reported per feature, not as a projected CRS.
  const degrees = finite.filter(([x, y]) => Math.abs(x) <= 180 && Math.abs(y) <= 180).length;
  if (degrees >= finite.length / 2) {
    return { resolution: { choice: 'wgs84', reason: 'coordinates are longitude/latitude in degrees; assumed WGS-84 (CGCS2000 is the same within centimetres)', toWgs84: identity } };
  }
  const zones = new Map<number, number>();
  for (const [x] of finite) {
    const zone = Math.floor(x / 1e6);
    if ((zone >= 25 && zone <= 45) || (zone >= 13 && zone <= 23)) zones.set(zone, (zones.get(zone) ?? 0) + 1);
  }
  const [zone, count] = [...zones.entries()].sort((a, b) => b[1] - a[1])[0] ?? [0, 0];
  if (count > finite.length / 2) {
    const epsg = zone >= 25 ? 4513 + (zone - 25) : 4491 + (zone - 13);
    const def = gaussKrugerDefinition(epsg);
    if (def) {
      return {
        resolution: {
          choice: `EPSG:${epsg}`,
          reason: `eastings carry the zone prefix ${zone}: CGCS2000 ${zone >= 25 ? '3' : '6'}-degree Gauss–Krüger zone ${zone} (EPSG:${epsg})`,
          toWgs84: fromProj4(def),
          warning: `坐标系由数字推断为 EPSG:${epsg}（东坐标带号 ${zone}）；如不正确请手动选择 / CRS guessed from the zone prefix ${zone}: EPSG:${epsg}`,
        },
      };
    }
  }
  const [x, y] = finite[0];
  return {
    resolution: null,
    problem: `coordinates look projected (first: x=${x}, y=${y}), not degrees: include the .prj or choose the CRS explicitly ` +
      '(Ganzhou usually uses CGCS2000 Gauss–Krüger CM 114°E EPSG:4547 or CM 117°E EPSG:4548; with zone prefix EPSG:4526 / 4527)',
  };
}

export function validLonLat(lon: number, lat: number): boolean {
  return Number.isFinite(lon) && Number.isFinite(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;
}
