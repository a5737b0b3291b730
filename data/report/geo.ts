// GIS exports: blind spots and per-settlement results as GeoJSON, and the same (plus county rates on the
// boundary polygons when the workspace has them) as a new GeoPackage written by the workspace code.
import { writeFileSync } from 'node:fs';
import type { Feature, FeatureCollection, Geometry } from '../../gis/types';
import { Workspace } from '../workspace';
import type { MonthlyReport } from './monthly';
import { BROADBAND, COMMITTEE, ELIGIBLE, isBlind, MOBILE, statusAt, type Snapshot } from './snapshot';

export function blindSpotsGeoJSON(m: MonthlyReport): FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: m.blindSpots.map((b) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [b.lon, b.lat] },
      properties: {
        id: b.id, name: b.name, county: b.county, township: b.township, village: b.village, households: b.households,
        missing_4g: b.missingMobile, missing_broadband: b.missingBroadband, committee: b.committee, listed: b.listed,
        new_this_month: b.isNew, month: m.month,
      },
    })),
  };
}

/** Status in words for GIS users: 达标 / 缺宽带 / 缺4G / 缺4G和宽带 / 不足户数. */
export function statusText(bits: number): string {
  if (!(bits & ELIGIBLE)) return '不足户数';
  if (!isBlind(bits)) return '达标';
  if (bits & MOBILE) return '缺宽带';
  return bits & BROADBAND ? '缺4G' : '缺4G和宽带';
}

export function resultsGeoJSON(snap: Snapshot): FeatureCollection {
  const features: Feature[] = snap.ids.map((id, i) => {
    const bits = statusAt(snap, i);
    const [county, township, village] = snap.villages[snap.village[i]].split('/');
    return {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [snap.lon[i] / 1e5, snap.lat[i] / 1e5] },
      properties: {
        id, name: snap.names[i], county, township, village, households: snap.households[i],
        eligible: (bits & ELIGIBLE) !== 0, has_4g: (bits & MOBILE) !== 0, has_broadband: (bits & BROADBAND) !== 0,
        committee: (bits & COMMITTEE) !== 0, status: statusText(bits), month: snap.month,
      },
    };
  });
  return { type: 'FeatureCollection', features };
}

/** County polygons (boundaries with level=county) carrying this month's rates. */
export function countyRatesGeoJSON(m: MonthlyReport, countyPolygons: readonly Feature[]): FeatureCollection {
  const byName = new Map(m.counties.map((c) => [c.county, c]));
  const features: Feature[] = [];
  for (const f of countyPolygons) {
    const name = String(f.properties?.name ?? '');
    const r = byName.get(name);
    if (!r || !f.geometry) continue;
    features.push({
      type: 'Feature', geometry: f.geometry,
      properties: {
        name, focus: r.focus, leader: r.leader ?? '', settlements: r.settlements, rate_4g: r.mobile, rate_broadband: r.broadband,
        met_4g: r.mobileMet, met_broadband: r.broadbandMet, closed: r.closed, remaining: r.remaining, month: m.month,
      },
    });
  }
  return { type: 'FeatureCollection', features };
}

/** One FeatureCollection with two members would not be valid GeoJSON: blind spots go to `path`, results beside it. */
export function writeGeoJSONFiles(m: MonthlyReport, snap: Snapshot, path: string): string[] {
  const stem = path.replace(/\.(geo)?json$/i, '');
  const blind = `${stem}.geojson`;
  const results = `${stem}_分析结果.geojson`;
  writeFileSync(blind, JSON.stringify(blindSpotsGeoJSON(m)));
  writeFileSync(results, JSON.stringify(resultsGeoJSON(snap)));
  return [blind, results];
}

/**
 * A new GeoPackage (Workspace.create, so GDAL/QGIS open it like any workspace) with the layers 盲点,
 * 分析结果 and, when county polygons are given, 县区达标. The names carry an ASCII part because GDAL lists
 * layers by table name, which the workspace derives from the ASCII of the name (blind_spots_2020_06_1).
 * Throws if the file exists.
 */
export async function writeResultsGeoPackage(path: string, m: MonthlyReport, snap: Snapshot, countyPolygons: readonly Feature[]): Promise<void> {
  const ws = Workspace.create(path, { name: `覆盖分析结果 ${m.monthZh}`, synthetic: m.synthetic });
  try {
    const source = `覆盖图谱 ${m.month} snapshot "${m.label}"`;
    await ws.writeLayer({ name: `盲点 blind_spots ${m.month}`, role: 'settlements', geometryType: 'POINT', source, synthetic: m.synthetic },
      [blindSpotsGeoJSON(m).features]);
    await ws.writeLayer({ name: `分析结果 results ${m.month}`, role: 'settlements', geometryType: 'POINT', source, synthetic: m.synthetic },
      [resultsGeoJSON(snap).features]);
    const counties = countyRatesGeoJSON(m, countyPolygons).features.map((f) => ({ ...f, geometry: asMulti(f.geometry as Geometry) }));
    if (counties.length) {
      await ws.writeLayer({ name: `县区达标 county_rates ${m.month}`, role: 'boundaries', geometryType: 'MULTIPOLYGON', source, synthetic: m.synthetic },
        [counties]);
    }
  } finally {
    ws.close();
  }
}

function asMulti(g: Geometry): Geometry {
  return g.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [g.coordinates] } : g;
}
