// Base-station sites → coverage polygons: a wedge per directional sector, a circle per omni site. Pure: the
// input features are read, never modified; every output is a fresh object.
import type { Feature, PolygonGeometry, Position } from '../../gis/types';
import { normalizeOperator } from '../../gis/operators';

export type Terrain = 'plain' | 'hill' | 'mountain';
export type BandMHz = 700 | 900 | 1800 | 2100 | 2600 | 3500;

/**
 * Default cell radius in metres by band and terrain, for rural macro sites (antenna 30–40 m, UE outdoors, ~95 %
 * area reliability at the cell edge). Planning numbers, not measurements: replace them with drive-test results.
 * Reasoning: path loss grows ~20·log10(f) between bands (Okumura–Hata), so each step up in frequency shortens the
 * radius; low bands carry further than the ratio alone because they are usually deployed at higher power per
 * carrier. Hills cost roughly a third of the radius and mountains (Ganzhou's 宁都/兴国 uplands, valleys shadowed by
 * ridges) about 60 %, by diffraction loss over one to two ridge lines.
 */
export const DEFAULT_RADIUS_M: Record<BandMHz, Record<Terrain, number>> = {
  700: { plain: 8000, hill: 5000, mountain: 3000 },
  900: { plain: 6000, hill: 4000, mountain: 2500 },
  1800: { plain: 3000, hill: 2000, mountain: 1200 },
  2100: { plain: 2500, hill: 1600, mountain: 1000 },
  2600: { plain: 2000, hill: 1300, mountain: 800 },
  3500: { plain: 1200, hill: 800, mountain: 500 },
};

export const DEFAULT_BEAMWIDTH_DEG = 65;
/** When a site names no band, the radius of the band most 4G rural sites in Jiangxi use (1800 MHz). */
export const FALLBACK_BAND: BandMHz = 1800;

export interface SectorOptions {
  terrain?: Terrain | ((site: Feature) => Terrain);
  radiusTable?: Record<BandMHz, Record<Terrain, number>>;
  /** Largest angle between arc vertices, degrees. */
  stepDeg?: number;
  defaultBeamwidth?: number;
}

const BANDS = Object.keys(DEFAULT_RADIUS_M).map(Number) as BandMHz[];
/** TD-LTE band letters used by Chinese operators and 3GPP band numbers → MHz. */
// Maps: an object's lookup would also find what every object inherits ("constructor" read as a band).
const LETTERS = new Map(Object.entries({ a: 2000, f: 1900, d: 2600, e: 2300 }));
const NR_LTE = new Map(Object.entries({ n28: 700, b28: 700, n8: 900, b8: 900, n3: 1800, b3: 1800, n1: 2100, b1: 2100, n41: 2600, b41: 2600, n78: 3500, b39: 1900, b40: 2300, b34: 2000, b38: 2600 }));

/** "1800", "1.8G", "FDD1800", "900M", "D频段", "n41" → the nearest band of the radius table; null when unreadable. */
export function parseBand(value: unknown): BandMHz | null {
  let mhz: number | null = null;
  if (typeof value === 'number' && Number.isFinite(value)) mhz = value < 10 ? value * 1000 : value;
  else if (typeof value === 'string') {
    const s = value.normalize('NFKC').trim().toLowerCase().replace(/频段|band|\s/g, '');
    const num = /(\d+(?:\.\d+)?)\s*(g|ghz|m|mhz)?/.exec(s.replace(/^(fdd|tdd|lte|nr)-?/, ''));
    const named = NR_LTE.get(s) ?? LETTERS.get(s);
    if (named !== undefined) mhz = named;
    else if (num) {
      const n = Number(num[1]);
      mhz = num[2]?.startsWith('g') || n < 10 ? n * 1000 : n;
    }
  }
  if (mhz === null || mhz <= 0) return null;
  return BANDS.reduce((best, b) => (Math.abs(b - mhz) < Math.abs(best - mhz) ? b : best), BANDS[0]);
}

const R = 6371008.8;
const RAD = Math.PI / 180;

/** Point at `distance` metres and `bearing` degrees (clockwise from north) from lon/lat, on the sphere. */
export function destination(lon: number, lat: number, distance: number, bearing: number): Position {
  const d = distance / R;
  const b = bearing * RAD;
  const p1 = lat * RAD;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = lon * RAD + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [l2 / RAD, p2 / RAD];
}

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** Polygon of one site: a wedge (apex at the site) or, for omni sites, a circle. Counter-clockwise, closed. */
export function sectorPolygon(lon: number, lat: number, radius: number, azimuth: number | null, beamwidth: number | null, stepDeg = 5): PolygonGeometry {
  if (azimuth === null || beamwidth === null || beamwidth >= 360) {
    const n = Math.max(8, Math.ceil(360 / stepDeg));
    // Bearings run clockwise; walk them backwards so the ring is counter-clockwise (RFC 7946).
    const ring = Array.from({ length: n }, (_, i) => destination(lon, lat, radius, 360 - (i * 360) / n));
    ring.push([...ring[0]]);
    return { type: 'Polygon', coordinates: [ring] };
  }
  const n = Math.max(2, Math.ceil(beamwidth / stepDeg));
  const start = azimuth - beamwidth / 2;
  const arc = Array.from({ length: n + 1 }, (_, i) => destination(lon, lat, radius, start + (i * beamwidth) / n));
  // apex → arc clockwise is a clockwise ring; reverse the arc for counter-clockwise.
  const ring: Position[] = [[lon, lat], ...arc.reverse(), [lon, lat]];
  return { type: 'Polygon', coordinates: [ring] };
}

/**
 * Coverage polygons for base-station sites (canonical site points from the import: operator, tech, azimuth,
 * beamwidth, radius, band). Radius: the site's own, else the table by band and terrain. Sites without a usable
 * point or operator are skipped; the caller validated them at import.
 */
export function sitesToSectors(sites: Feature[], options: SectorOptions = {}): Feature<PolygonGeometry>[] {
  const table = options.radiusTable ?? DEFAULT_RADIUS_M;
  const step = options.stepDeg ?? 5;
  const out: Feature<PolygonGeometry>[] = [];
  for (const [i, site] of sites.entries()) {
    const g = site.geometry;
    if (!g || g.type !== 'Point') continue;
    const [lon, lat] = g.coordinates;
    const p = site.properties ?? {};
    const operator = normalizeOperator(p.operator);
    if (!operator) continue;
    const terrain = typeof options.terrain === 'function' ? options.terrain(site) : options.terrain ?? 'hill';
    const band = parseBand(p.band) ?? FALLBACK_BAND;
    const radius = num(p.radius) ?? table[band][terrain];
    const azimuth = num(p.azimuth);
    const beamwidth = azimuth === null ? null : num(p.beamwidth) ?? options.defaultBeamwidth ?? DEFAULT_BEAMWIDTH_DEG;
    const id = site.id ?? (typeof p.id === 'string' || typeof p.id === 'number' ? p.id : i);
    out.push({
      type: 'Feature',
      id: `${id}-s${i}`,
      geometry: sectorPolygon(lon, lat, radius, azimuth, beamwidth, step),
      properties: {
        operator, tech: typeof p.tech === 'string' && p.tech ? p.tech : '4G', site: String(id),
        radius, band, terrain, azimuth, beamwidth: beamwidth ?? 360, derived: 'sector',
      },
    });
  }
  return out;
}
