// Zoomed out, coverage polygons are drawn as raster tiles painted in the coverage tile worker, every coverage
// layer into the same tiles: SwiftShader otherwise shades every triangle and outline of tens of thousands of
// polygons on every frame of a pan, but only one textured square per tile this way. The picture follows the fill and outline layers of style.ts
// (coverageLayers: operator colours, opacity, the 1 px outline, broadband dashed, operators in OPERATORS order,
// each polygon blended on its own); from COVERAGE_DETAIL_ZOOM on those vector layers take over.
import type { CoverageColumns } from '../../api/columns';
import type { Feature, FeatureCollection, Operator } from '../../gis/types';
import { OPERATORS } from '../../gis/types';
import { BROADBAND_COLOR, OPERATOR_COLORS } from './style';

/** Raster tiles up to this zoom; the vector fill and outline layers from COVERAGE_DETAIL_ZOOM on. */
export const COVERAGE_RASTER_MAX_ZOOM = 11;
export const COVERAGE_DETAIL_ZOOM = COVERAGE_RASTER_MAX_ZOOM + 1;
export const COVERAGE_TILE_SIZE = 512;
/** Coverage raster tiles come from this URL scheme (coverageTiles.ts registers it). */
export const COVERAGE_PROTOCOL = 'atlas-coverage';

/**
 * The polygons as the vector layers of style.ts read them (one Polygon feature per packed polygon): the operator
 * when it is one of OPERATORS (the layers' filters match nothing else) and the upper-cased tech their filters compare.
 */
export function coverageFeatures(p: CoverageColumns): FeatureCollection {
  const features: Feature[] = [];
  const polys = p.polyRing.length - 1;
  for (let q = 0; q < polys; q++) {
    const rings: number[][][] = [];
    for (let r = p.polyRing[q]; r < p.polyRing[q + 1]; r++) {
      const ring: number[][] = [];
      for (let v = p.ringVertex[r]; v < p.ringVertex[r + 1]; v++) ring.push([p.coords[2 * v], p.coords[2 * v + 1]]);
      rings.push(ring);
    }
    features.push({
      type: 'Feature', properties: { operator: OPERATORS[p.operator[q]] ?? null, tech: p.techs[p.tech[q]] },
      geometry: { type: 'Polygon', coordinates: rings },
    });
  }
  return { type: 'FeatureCollection', features };
}

/** Packed coverage in Web Mercator world units (0..1 both ways), with each polygon's bounding box: what tiles are painted from. */
export interface ProjectedCoverage extends CoverageColumns {
  /** x, y pairs in world units (overwrites nothing: a new array). */
  world: Float64Array;
  /** minX, minY, maxX, maxY per polygon, world units. */
  bbox: Float64Array;
}

export function projectCoverage(p: CoverageColumns): ProjectedCoverage {
  const n = p.coords.length / 2;
  const world = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const lon = p.coords[2 * i], lat = Math.max(-85.0511, Math.min(85.0511, p.coords[2 * i + 1]));
    const s = Math.sin((lat * Math.PI) / 180);
    world[2 * i] = (lon + 180) / 360;
    world[2 * i + 1] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  const polys = p.polyRing.length - 1;
  const bbox = new Float64Array(polys * 4);
  for (let q = 0; q < polys; q++) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    // The outer ring bounds the polygon.
    for (let v = p.ringVertex[p.polyRing[q]]; v < p.ringVertex[p.polyRing[q] + 1]; v++) {
      const x = world[2 * v], y = world[2 * v + 1];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    bbox.set([x0, y0, x1, y1], q * 4);
  }
  return { ...p, world, bbox };
}

/** What the tiles of one coverage layer show: its kind, the operators shown, the fill opacity and (mobile) the techs counted. */
export interface CoverageLook {
  kind: 'mobile' | 'broadband';
  operators: readonly Operator[];
  opacity: number;
  /** Upper- or lower-case; empty: every technology. */
  techs: readonly string[];
}

/** The look as a tile URL carries it (and back). */
export function coverageLookKey(l: CoverageLook): string {
  const ops = OPERATORS.filter((o) => l.operators.includes(o)).join(',');
  return [l.kind, ops, String(l.opacity), l.techs.map((t) => t.toUpperCase()).join(',')].join('|');
}
export function parseCoverageLookKey(key: string): CoverageLook {
  const [kind, ops, opacity, techs] = key.split('|');
  if ((kind !== 'mobile' && kind !== 'broadband') || ops === undefined || opacity === undefined || techs === undefined) {
    throw new Error(`coverage tile: cannot read the look "${key}" (expected kind|operators|opacity|techs)`);
  }
  return {
    kind, opacity: Number(opacity),
    operators: ops === '' ? [] : ops.split(',').filter((o): o is Operator => (OPERATORS as readonly string[]).includes(o)),
    techs: techs === '' ? [] : techs.split(','),
  };
}

/** One coverage layer in a tile: its polygons of URL version `version`, painted with the look of key `look`. */
export interface CoveragePart { layerId: number; version: string; look: string }

export function coverageTileUrl(parts: readonly CoveragePart[]): string {
  const key = parts.map((p) => [p.layerId, p.version, p.look].join('~')).join(';');
  return `${COVERAGE_PROTOCOL}://${encodeURIComponent(key)}/{z}/{x}/{y}`;
}

export function parseCoverageParts(key: string): CoveragePart[] {
  if (key === '') return [];
  return key.split(';').map((part) => {
    const [layerId, version, look] = part.split('~');
    if (look === undefined || !/^\d+$/.test(layerId)) throw new Error(`coverage tiles: cannot read the layer part "${part}" (expected LAYER~VERSION~LOOK)`);
    return { layerId: Number(layerId), version, look };
  });
}

/** A path polygons are traced into once, then filled and stroked: Path2D in the worker, a recorder in tests. */
export interface TracedPath {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
}

/** The part of CanvasRenderingContext2D that painting uses (OffscreenCanvas in the worker; a recorder in tests). */
export interface PathSink<P extends TracedPath = TracedPath> {
  globalAlpha: number;
  fillStyle: string | object;
  strokeStyle: string | object;
  lineWidth: number;
  setLineDash(segments: number[]): void;
  fill(path: P, rule: 'evenodd'): void;
  stroke(path: P): void;
}

/**
 * Paints raster tile z/x/y (size = COVERAGE_TILE_SIZE × pixelRatio) of one coverage layer under `look` into `ctx`,
 * each polygon traced once into a path from `newPath`. Returns how many polygons touch the tile (0: the tile stayed
 * empty).
 */
export function paintCoverageTile<P extends TracedPath>(
  ctx: PathSink<P>, newPath: () => P, c: ProjectedCoverage, look: CoverageLook, z: number, x: number, y: number, pixelRatio = 1,
): number {
  const size = COVERAGE_TILE_SIZE * pixelRatio;
  const scale = 2 ** z;
  // Outlines reach one pixel out of a polygon's box.
  const pad = 1 / (COVERAGE_TILE_SIZE * scale);
  const tx0 = x / scale - pad, ty0 = y / scale - pad, tx1 = (x + 1) / scale + pad, ty1 = (y + 1) / scale + pad;
  const wantTech = look.kind === 'mobile' && look.techs.length > 0 ? new Set(look.techs.map((t) => t.toUpperCase())) : null;
  const techOk = c.techs.map((t) => !wantTech || wantTech.has(t));
  const byOperator: number[][] = OPERATORS.map(() => []);
  const polys = c.polyRing.length - 1;
  for (let q = 0; q < polys; q++) {
    const op = c.operator[q];
    if (op === 255 || !techOk[c.tech[q]]) continue;
    const b = q * 4;
    if (c.bbox[b] > tx1 || c.bbox[b + 2] < tx0 || c.bbox[b + 1] > ty1 || c.bbox[b + 3] < ty0) continue;
    byOperator[op].push(q);
  }
  // Vertices closer than this (px) to the last one drawn add nothing visible at this zoom.
  const minStep = 0.35 * pixelRatio;
  const trace = (q: number): P => {
    const path = newPath();
    for (let r = c.polyRing[q]; r < c.polyRing[q + 1]; r++) {
      const v0 = c.ringVertex[r], v1 = c.ringVertex[r + 1];
      if (v1 - v0 < 3) continue;
      let lx = (c.world[2 * v0] * scale - x) * size, ly = (c.world[2 * v0 + 1] * scale - y) * size;
      path.moveTo(lx, ly);
      for (let v = v0 + 1; v < v1; v++) {
        const px = (c.world[2 * v] * scale - x) * size, py = (c.world[2 * v + 1] * scale - y) * size;
        if (Math.abs(px - lx) < minStep && Math.abs(py - ly) < minStep && v < v1 - 1) continue;
        path.lineTo(px, py);
        lx = px;
        ly = py;
      }
      path.closePath();
    }
    return path;
  };
  let touched = 0;
  const opacity = Math.max(0, Math.min(1, look.opacity));
  OPERATORS.forEach((operator, k) => {
    const list = byOperator[k];
    if (list.length === 0 || !look.operators.includes(operator)) return;
    touched += list.length;
    const color = look.kind === 'mobile' ? OPERATOR_COLORS[operator] : BROADBAND_COLOR;
    // Fill: each polygon on its own, so overlapping sectors deepen the tint as maplibre's fill layer does. Each is
    // traced once for its fill and its outline: tracing a polygon cost about as much as Skia filling it.
    ctx.globalAlpha = opacity;
    ctx.fillStyle = color;
    const paths = list.map(trace);
    for (const path of paths) ctx.fill(path, 'evenodd');
    // Outline (the line layer above its fill): each polygon's on its own, as maplibre blends each feature's line.
    // One path of every polygon took Skia 50× longer to stroke (1.3 s for 10,000 small sectors in a tile).
    ctx.globalAlpha = Math.min(1, opacity * 2.5);
    ctx.strokeStyle = color;
    ctx.lineWidth = pixelRatio;
    ctx.setLineDash(look.kind === 'broadband' ? [2 * pixelRatio, 2 * pixelRatio] : []);
    for (const path of paths) ctx.stroke(path);
  });
  return touched;
}
