import { describe, expect, it } from 'vitest';
import gcoord from 'gcoord';
import proj4 from 'proj4';
import { booleanPointInPolygon, point } from '@turf/turf';
import { suspectGcjOffset, outsideGanzhou, swappedProjected } from '../../data/import/checks';
import { detectFromSample, gaussKrugerDefinition, gaussKrugerEpsg, loadProjections, ProjectionsNotLoaded, resolveChoice, resolvePrj } from '../../data/import/crs';
import { detectMapping, mergeMapping, parseBoolean, parseCoordinate, parseHouseholds, parseNumber } from '../../data/import/mapping';
import { detectFormat } from '../../data/import/registry';
import { DEFAULT_RADIUS_M, destination, parseBand, sitesToSectors } from '../../data/import/sectors';
import { signedArea2 } from '../../data/import/geometry';
import type { Feature } from '../../gis/types';
import { metres } from './helpers';

describe('mapping', () => {
  it('detects Chinese and English headers per role, exact spellings before unit suffixes', () => {
    expect(detectMapping(['ID', 'Name', 'HH', 'Longitude', 'Latitude', 'County', 'Township', 'Village'], 'settlements', true)).toEqual({
      id: 'ID', name: 'Name', households: 'HH', lon: 'Longitude', lat: 'Latitude', county: 'County', township: 'Township', village: 'Village', committee: null, code: null,
    });
    expect(detectMapping(['户数（户）', '东经', '北纬', '聚居点', '行政区划代码'], 'settlements', true)).toMatchObject({ households: '户数（户）', lon: '东经', lat: '北纬', name: '聚居点', code: '行政区划代码' });
    expect(detectMapping(['站号', '运营商', '方位角', '波瓣宽度', '覆盖半径', '频段', 'lng', 'lat'], 'sites', true)).toMatchObject({ id: '站号', operator: '运营商', azimuth: '方位角', beamwidth: '波瓣宽度', radius: '覆盖半径', band: '频段', lon: 'lng', lat: 'lat' });
    expect(detectMapping(['经度', '纬度'], 'settlements', false)).not.toHaveProperty('lon');
  });

  it('user overrides move a column away from the field it was detected for', () => {
    const m = mergeMapping({ name: '自然村', village: '行政村' }, { village: '自然村' });
    expect(m).toEqual({ name: null, village: '自然村' });
  });

  it('parses households, booleans, numbers with units and coordinates in DMS', () => {
    expect(parseHouseholds('36户')).toEqual({ ok: true, value: 36 });
    expect(parseHouseholds(' 36 ')).toEqual({ ok: true, value: 36 });
    expect(parseHouseholds('３６')).toEqual({ ok: true, value: 36 });
    for (const v of ['约三十', '二十', '-1', '2.5', '', 12.5, -3, null]) expect(parseHouseholds(v).ok).toBe(false);
    expect(['是', 'Y', '1', 'true', 1, true].map((v) => parseBoolean(v))).toEqual(Array(6).fill({ ok: true, value: true }));
    expect(['否', 'n', '0', 'FALSE', '', null].map((v) => parseBoolean(v))).toEqual(Array(6).fill({ ok: true, value: false }));
    expect(parseBoolean('也许').ok).toBe(false);
    expect(parseNumber('1.5km', { km: 1000 })).toEqual({ ok: true, value: 1500 });
    expect(parseNumber('65°')).toEqual({ ok: true, value: 65 });
    expect(parseCoordinate('115°24\'36"E').ok && (parseCoordinate('115°24\'36"E') as { value: number }).value).toBeCloseTo(115.41, 6);
  });
});

describe('crs', () => {
  it('loads proj4 only for projected coordinates: resolving one first asks for loadProjections()', async () => {
    // Runs first in this file: nothing has loaded proj4 yet (file imports load it only through openImport).
    expect(resolveChoice('wgs84').toWgs84).toBeNull();
    expect(detectFromSample([[115.4, 25.9]]).resolution?.toWgs84).toBeNull();
    expect(() => resolveChoice('EPSG:4547')).toThrow(ProjectionsNotLoaded);
    await loadProjections();
    expect(resolveChoice('EPSG:4547').toWgs84).toBeTypeOf('function');
  });

  it('maps CGCS2000 Gauss–Krüger codes (3° and 6°, with and without zone prefix) to their parameters', () => {
    expect(gaussKrugerDefinition(4547)).toMatch(/\+lon_0=114 .*\+x_0=500000 /);
    expect(gaussKrugerDefinition(4548)).toMatch(/\+lon_0=117 .*\+x_0=500000 /);
    expect(gaussKrugerDefinition(4526)).toMatch(/\+lon_0=114 .*\+x_0=38500000 /);
    expect(gaussKrugerDefinition(4527)).toMatch(/\+lon_0=117 .*\+x_0=39500000 /);
    expect(gaussKrugerDefinition(4498)).toMatch(/\+lon_0=117 .*\+x_0=20500000 /);
    expect(gaussKrugerDefinition(4509)).toMatch(/\+lon_0=117 .*\+x_0=500000 /);
    expect(gaussKrugerDefinition(4326)).toBeNull();
    expect([gaussKrugerEpsg(114, 500000), gaussKrugerEpsg(117, 500000), gaussKrugerEpsg(114, 38500000), gaussKrugerEpsg(117, 39500000)]).toEqual([4547, 4548, 4526, 4527]);
  });

  it('round-trips a Ganzhou point through EPSG:4547 within a centimetre', () => {
    const gk = proj4('WGS84', gaussKrugerDefinition(4547) as string).forward([115.0, 25.85]);
    const back = resolveChoice('EPSG:4547').toWgs84?.(gk[0], gk[1]) as number[];
    expect(metres(back, [115.0, 25.85])).toBeLessThan(0.01);
  });

  it('reads ESRI .prj WKT; old datums warn; unsupported projections and codes throw with a sentence', () => {
    const prj = 'PROJCS["Xian_1980_3_Degree_GK_CM_114E",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';
    const r = resolvePrj(prj);
    expect(r.choice).toBe('auto');
    expect(r.warning).toMatch(/Xian_1980.*without a datum shift/);
    expect(resolvePrj('GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]]]').toWgs84).toBeNull();
    expect(() => resolveChoice('EPSG:2435')).toThrow(/not supported; expected/);
  });

  it('auto: degrees → WGS-84, zone-prefixed eastings → that zone, other metres → a problem naming the likely codes', () => {
    expect(detectFromSample([[115.4, 25.9]]).resolution?.choice).toBe('wgs84');
    expect(detectFromSample([[38641462, 2871420], [39500000, 2900000], [38600000, 2850000]]).resolution?.choice).toBe('EPSG:4526');
    const p = detectFromSample([[641462, 2871420]]);
    expect(p.resolution).toBeNull();
    expect(p.problem).toMatch(/EPSG:4547.*EPSG:4548/);
  });
});

describe('checks', () => {
  const reference: [number, number][] = Array.from({ length: 200 }, (_, i) => [114.6 + (i % 20) * 0.1, 25.0 + Math.floor(i / 20) * 0.2]);

  it('suspectGcjOffset: a GCJ-02 copy of the reference is suspected; the reference itself is not', () => {
    const gcj = reference.map((p) => gcoord.transform([p[0], p[1]] as [number, number], gcoord.WGS84, gcoord.GCJ02) as [number, number]);
    const before = JSON.stringify(gcj);
    const r = suspectGcjOffset(gcj, reference);
    expect(r.suspected).toBe(true);
    expect(r.medianShiftMetres).toBeGreaterThan(300);
    expect(r.medianShiftMetres).toBeLessThan(700);
    expect(r.improvedMetres).toBeLessThan(5);
    expect(JSON.stringify(gcj)).toBe(before);
    const same = suspectGcjOffset(reference, reference);
    expect(same).toMatchObject({ suspected: false, medianShiftMetres: 0 });
    // A shift that the GCJ conversion does not explain (2 km due west) is not blamed on GCJ-02.
    expect(suspectGcjOffset(reference.map(([x, y]) => [x - 0.02, y]), reference).suspected).toBe(false);
  });

  it('bbox and projected swap predicates', () => {
    expect(outsideGanzhou(115, 26)).toBe(false);
    expect(outsideGanzhou(113.0, 26)).toBe(true);
    expect(swappedProjected(2871420, 641462)).toBe(true);
    expect(swappedProjected(641462, 2871420)).toBe(false);
  });
});

describe('registry', () => {
  const b = (s: string): Uint8Array => new TextEncoder().encode(s);
  it('sniffs content first, extension second', () => {
    expect(detectFormat(b('{"type":"FeatureCollection","features":[]}'), 'data.txt')?.id).toBe('geojson');
    expect(detectFormat(b('<?xml version="1.0"?><kml xmlns="x">'), 'a.xml')?.id).toBe('kml');
    expect(detectFormat(b('名称,户数\n'), 'a.dat')?.id).toBe('csv');
    expect(detectFormat(new Uint8Array([0, 0, 0x27, 0x0a, 0, 0]), 'x')?.id).toBe('shapefile');
    expect(detectFormat(new Uint8Array([1, 2, 3]), 'a.geojson')?.id).toBe('geojson');
    expect(detectFormat(new Uint8Array([1, 2, 3]), 'a.bin')).toBeNull();
  });
});

describe('sitesToSectors', () => {
  const site = (props: Record<string, unknown>): Feature => ({ type: 'Feature', id: 'S1', geometry: { type: 'Point', coordinates: [115.4, 25.95] }, properties: props });

  it('builds a wedge with vertices every ≤5°, apex at the site, arc at the radius, counter-clockwise', () => {
    const input = [site({ operator: '移动', azimuth: 90, beamwidth: 60, radius: 2000, band: '1800' })];
    const copy = JSON.stringify(input);
    const [s] = sitesToSectors(input);
    const ring = s.geometry.coordinates[0];
    expect(ring[0]).toEqual([115.4, 25.95]);
    expect(ring[ring.length - 1]).toEqual([115.4, 25.95]);
    expect(ring).toHaveLength(12 + 1 + 2);
    for (const p of ring.slice(1, -1)) expect(metres(p, [115.4, 25.95])).toBeCloseTo(2000, 3);
    expect(signedArea2(ring)).toBeGreaterThan(0);
    const mid = ring[7];
    expect(mid[0]).toBeGreaterThan(115.41); // azimuth 90: due east
    expect(Math.abs(mid[1] - 25.95)).toBeLessThan(0.001);
    expect(s.properties).toMatchObject({ operator: 'CMCC', tech: '4G', radius: 2000, band: 1800 });
    expect(JSON.stringify(input)).toBe(copy);
  });

  it('the wedge contains points in front of the antenna and not behind it (checked with Turf)', () => {
    const [s] = sitesToSectors([site({ operator: '电信', azimuth: 45, beamwidth: 65, radius: 3000 })]);
    const poly = s.geometry as unknown as Parameters<typeof booleanPointInPolygon>[1];
    // Points 1.5 km away at bearings 45° (inside), 80° (outside the ±32.5° beam) and 225° (behind).
    const at = (bearing: number): number[] => destination(115.4, 25.95, 1500, bearing);
    expect(booleanPointInPolygon(point(at(45)), poly)).toBe(true);
    expect(booleanPointInPolygon(point(at(80)), poly)).toBe(false);
    expect(booleanPointInPolygon(point(at(225)), poly)).toBe(false);
  });

  it('omni sites (no azimuth or beamwidth ≥ 360) are circles; radius from the band × terrain table', () => {
    const [c] = sitesToSectors([site({ operator: 'CT', band: '900M' })], { terrain: 'mountain' });
    expect(c.geometry.coordinates[0]).toHaveLength(73);
    expect(metres(c.geometry.coordinates[0][10], [115.4, 25.95])).toBeCloseTo(DEFAULT_RADIUS_M[900].mountain, 3);
    const [d] = sitesToSectors([site({ operator: 'CU', azimuth: 10, beamwidth: 360, band: 'D频段' })], { terrain: 'plain' });
    expect(d.properties).toMatchObject({ radius: DEFAULT_RADIUS_M[2600].plain, beamwidth: 360 });
  });

  it('reads bands in the spellings operators use', () => {
    expect(['700M', 'FDD900', '1.8G', 'F', 'D', 'n41', 'n78', 2100, 'x'].map(parseBand)).toEqual([700, 900, 1800, 1800, 2600, 2600, 3500, 2100, null]);
    // Regression: names every object inherits were read as a band.
    expect(['constructor', '__proto__'].map(parseBand)).toEqual([null, null]);
  });
});
