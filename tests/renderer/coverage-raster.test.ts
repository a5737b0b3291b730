// Coverage raster tiles: polygons packed for the worker, and painted like the fill and outline layers of style.ts.
import { describe, expect, it } from 'vitest';
import {
  COVERAGE_PROTOCOL, COVERAGE_TILE_SIZE, coverageLookKey, coverageTileUrl, paintCoverageTile, parseCoverageLookKey, parseCoverageParts,
  projectCoverage, type CoverageLook, type PathSink, type TracedPath,
} from '../../renderer/map/coverage-raster';
import { toCoverageColumns } from '../../api/columns';
import { BROADBAND_COLOR, OPERATOR_COLORS } from '../../renderer/map/style';
import type { Feature, FeatureCollection } from '../../gis/types';

const square = (x: number, y: number, d: number): number[][] => [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]];
const feature = (operator: string, tech: unknown, coordinates: number[][][] | number[][][][], multi = false): Feature => ({
  type: 'Feature', properties: { operator, tech },
  geometry: multi ? { type: 'MultiPolygon', coordinates: coordinates as number[][][][] } : { type: 'Polygon', coordinates: coordinates as number[][][] },
});
const fc = (features: Feature[]): FeatureCollection => ({ type: 'FeatureCollection', features });

/** Records what a 2D context is asked to do: one entry per fill or stroke, with the state and the path it used. */
function recorder() {
  const ops: { kind: 'fill' | 'stroke'; color: string; alpha: number; dash: number[]; points: [number, number][] }[] = [];
  type Recorded = TracedPath & { points: [number, number][] };
  let dash: number[] = [];
  const newPath = (): Recorded => {
    const points: [number, number][] = [];
    return { points, moveTo: (x, y) => { points.push([x, y]); }, lineTo: (x, y) => { points.push([x, y]); }, closePath: () => undefined };
  };
  const sink: PathSink<Recorded> = {
    globalAlpha: 1, fillStyle: '', strokeStyle: '', lineWidth: 1,
    setLineDash: (d) => { dash = d; },
    fill: (p) => { ops.push({ kind: 'fill', color: String(sink.fillStyle), alpha: sink.globalAlpha, dash, points: p.points }); },
    stroke: (p) => { ops.push({ kind: 'stroke', color: String(sink.strokeStyle), alpha: sink.globalAlpha, dash, points: p.points }); },
  };
  return { sink, newPath, ops };
}

/** Tile z/x/y holding lon/lat, and the point's pixel in it. */
function tileOf(lon: number, lat: number, z: number): { x: number; y: number; px: number; py: number } {
  const s = Math.sin((lat * Math.PI) / 180);
  const fx = ((lon + 180) / 360) * 2 ** z, fy = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 2 ** z;
  return { x: Math.floor(fx), y: Math.floor(fy), px: (fx % 1) * COVERAGE_TILE_SIZE, py: (fy % 1) * COVERAGE_TILE_SIZE };
}

describe('coverage raster tiles', () => {
  const data = fc([
    feature('CMCC', '4g', [square(115.0, 25.8, 0.05), square(115.01, 25.81, 0.01)]),
    feature('CT', 'NR', [[square(115.1, 25.8, 0.05)], [square(115.2, 25.8, 0.05)]], true),
    feature('unknown', '4G', [square(115.3, 25.8, 0.05)]),
  ]);

  it('pack polygons, their rings and vertices, operators and upper-cased techs', () => {
    const p = toCoverageColumns(data.features);
    // The MultiPolygon is two polygons; the first polygon has a hole.
    expect([...p.operator]).toEqual([0, 1, 1, 255]);
    expect(p.techs).toEqual(['4G', 'NR']);
    expect([...p.tech]).toEqual([0, 1, 1, 0]);
    expect([...p.polyRing]).toEqual([0, 2, 3, 4, 5]);
    expect([...p.ringVertex]).toEqual([0, 5, 10, 15, 20, 25]);
    expect(p.coords.length).toBe(50);
    expect([p.coords[10], p.coords[11]]).toEqual([115.01, 25.81]);
    const w = projectCoverage(p);
    const t = tileOf(115.0, 25.8, 0);
    expect(w.world[0]).toBeCloseTo(t.px / COVERAGE_TILE_SIZE, 12);
    expect(w.bbox[0]).toBeCloseTo(w.world[0], 15);
    // Mercator y grows southwards: the box's top is the polygon's north edge.
    expect(w.bbox[1]).toBeLessThan(w.world[1]);
    expect(w.bbox[3]).toBeCloseTo(w.world[1], 15);
  });

  it('carry the look in the tile URL and back', () => {
    const look: CoverageLook = { kind: 'mobile', operators: ['CU', 'CMCC'], opacity: 0.35, techs: ['4g', 'LTE'] };
    const key = coverageLookKey(look);
    expect(key).toBe('mobile|CMCC,CU|0.35|4G,LTE');
    expect(parseCoverageLookKey(key)).toEqual({ kind: 'mobile', operators: ['CMCC', 'CU'], opacity: 0.35, techs: ['4G', 'LTE'] });
    expect(parseCoverageLookKey('broadband||0.2|')).toEqual({ kind: 'broadband', operators: [], opacity: 0.2, techs: [] });
    expect(() => parseCoverageLookKey('nonsense')).toThrow(/kind\|operators\|opacity\|techs/);
  });

  it('paint each shown operator in its colour: fills at the opacity, then each polygon\'s 1 px outline', () => {
    const c = projectCoverage(toCoverageColumns(data.features));
    const t = tileOf(115.1, 25.8, 9);
    const { sink, newPath, ops } = recorder();
    const touched = paintCoverageTile(sink, newPath, c, { kind: 'mobile', operators: ['CMCC', 'CT', 'CU'], opacity: 0.3, techs: [] }, 9, t.x, t.y);
    // Both CMCC and CT polygons lie in this tile; the unknown operator's is never drawn.
    expect(touched).toBe(4 - 1);
    const fills = ops.filter((o) => o.kind === 'fill');
    expect(fills.map((o) => o.color)).toEqual([OPERATOR_COLORS.CMCC, OPERATOR_COLORS.CT, OPERATOR_COLORS.CT]);
    expect(fills.every((o) => o.alpha === 0.3)).toBe(true);
    const strokes = ops.filter((o) => o.kind === 'stroke');
    // One outline per polygon, each with the points its fill traced.
    expect(strokes.map((o) => [o.color, o.alpha, o.dash.length])).toEqual([[OPERATOR_COLORS.CMCC, 0.75, 0], [OPERATOR_COLORS.CT, 0.75, 0], [OPERATOR_COLORS.CT, 0.75, 0]]);
    expect(strokes.map((o) => o.points)).toEqual(fills.map((o) => o.points));
    // The CMCC fill traced its outer ring and its hole, in tile pixels.
    const p0 = tileOf(115.0, 25.8, 9);
    expect(fills[0].points[0][0]).toBeCloseTo(p0.px + (p0.x - t.x) * COVERAGE_TILE_SIZE, 6);
    expect(fills[0].points.length).toBe(10);
  });

  it('leave out hidden operators, other techs and polygons outside the tile; dash broadband', () => {
    const c = projectCoverage(toCoverageColumns(data.features));
    const t = tileOf(115.1, 25.8, 9);
    const only = recorder();
    paintCoverageTile(only.sink, only.newPath, c, { kind: 'mobile', operators: ['CT'], opacity: 0.3, techs: ['4G'] }, 9, t.x, t.y);
    expect(only.ops).toEqual([]);
    const nr = recorder();
    paintCoverageTile(nr.sink, nr.newPath, c, { kind: 'mobile', operators: ['CT'], opacity: 0.3, techs: ['nr'] }, 9, t.x, t.y);
    expect(nr.ops.filter((o) => o.kind === 'fill')).toHaveLength(2);
    const far = recorder();
    expect(paintCoverageTile(far.sink, far.newPath, c, { kind: 'mobile', operators: ['CMCC', 'CT', 'CU'], opacity: 0.3, techs: [] }, 9, t.x + 3, t.y)).toBe(0);
    const bb = recorder();
    paintCoverageTile(bb.sink, bb.newPath, c, { kind: 'broadband', operators: ['CMCC'], opacity: 0.2, techs: ['ignored'] }, 9, t.x, t.y, 2);
    expect(bb.ops.map((o) => [o.kind, o.color, o.dash])).toEqual([['fill', BROADBAND_COLOR, []], ['stroke', BROADBAND_COLOR, [4, 4]]]);
  });
});

describe('coverage tile URLs', () => {
  it('list the layers to paint, bottom first, and read back', () => {
    const parts = [{ layerId: 5, version: '3', look: 'broadband|CT|0.2|' }, { layerId: 2, version: '4', look: 'mobile|CMCC,CU|0.35|4G' }];
    const url = coverageTileUrl(parts);
    expect(url.startsWith(`${COVERAGE_PROTOCOL}://`)).toBe(true);
    expect(url.endsWith('/{z}/{x}/{y}')).toBe(true);
    const key = decodeURIComponent(url.slice(COVERAGE_PROTOCOL.length + 3, -'/{z}/{x}/{y}'.length));
    expect(parseCoverageParts(key)).toEqual(parts);
    expect(parseCoverageParts('')).toEqual([]);
    expect(() => parseCoverageParts('x~1')).toThrow(/LAYER~VERSION~LOOK/);
  });
});
