// Plausibility checks that produce warnings with numbers: swapped axes, points outside Ganzhou, a GCJ-02 shift.
import Flatbush from 'flatbush';
import gcoord from 'gcoord';

/** Ganzhou's extent (about 113.9–116.6°E, 24.5–27.2°N) rounded outwards. */
export const GANZHOU_BBOX = [113.5, 24.3, 117.0, 27.5] as const;
export const BBOX_MARGIN_DEG = 0.2;

export function outsideGanzhou(lon: number, lat: number, margin = BBOX_MARGIN_DEG): boolean {
  const [w, s, e, n] = GANZHOU_BBOX;
  return lon < w - margin || lon > e + margin || lat < s - margin || lat > n + margin;
}

/** Longitude in 24–28 and latitude in 113–117: the columns are swapped (Ganzhou read as lat/lon). */
export function swappedDegrees(x: number, y: number): boolean {
  return x >= 24 && x <= 28 && y >= 113 && y <= 117;
}

/**
 * Projected pairs written the Chinese surveying way (X = northing, Y = easting): a northing of 2–6 million metres in
 * the first column and an easting (0.1–0.9 million, or zone-prefixed 13–46 million) in the second.
 */
export function swappedProjected(x: number, y: number): boolean {
  const northing = (v: number): boolean => v >= 2e6 && v <= 6e6;
  const easting = (v: number): boolean => (v >= 1e5 && v <= 9e5) || (v >= 13e6 && v < 46e6);
  return northing(x) && easting(y) && !(northing(y) || easting(x));
}

export interface GcjSuspicion {
  suspected: boolean;
  /** Median distance from sample points to their nearest reference point, as given. */
  medianShiftMetres: number;
  /** The same median after a trial GCJ-02 → WGS-84 conversion of the sample. */
  improvedMetres: number;
}

const EARTH = 6371008.8;
const RAD = Math.PI / 180;

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Detects a layer sitting a few hundred metres off a WGS-84 reference layer the way GCJ-02 does (around Ganzhou the
 * shift is about 300–600 m, mostly east/north): compares the median nearest-neighbour distance to the reference
 * before and after a trial GCJ-02 → WGS-84 conversion. Suspected when the trial conversion at least halves a median
 * of 100 m or more. Pure: inputs are read, never modified.
 */
export function suspectGcjOffset(sample: [number, number][], reference: [number, number][]): GcjSuspicion {
  const ref = reference.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const pts = sample.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (ref.length === 0 || pts.length === 0) return { suspected: false, medianShiftMetres: NaN, improvedMetres: NaN };
  // Local equirectangular metres around the reference centre: accurate to well under 1 % across a city.
  const lat0 = ref.reduce((s, p) => s + p[1], 0) / ref.length;
  const kx = EARTH * RAD * Math.cos(lat0 * RAD);
  const ky = EARTH * RAD;
  const index = new Flatbush(ref.length);
  for (const [x, y] of ref) index.add(x * kx, y * ky, x * kx, y * ky);
  index.finish();
  const nearest = (x: number, y: number): number => {
    const [i] = index.neighbors(x * kx, y * ky, 1);
    const [rx, ry] = ref[i];
    return Math.hypot((x - rx) * kx, (y - ry) * ky);
  };
  const before = median(pts.map(([x, y]) => nearest(x, y)));
  const after = median(pts.map(([x, y]) => {
    const [wx, wy] = gcoord.transform([x, y] as [number, number], gcoord.GCJ02, gcoord.WGS84);
    return nearest(wx, wy);
  }));
  return { suspected: before >= 100 && before <= 2000 && after <= before / 2, medianShiftMetres: before, improvedMetres: after };
}
