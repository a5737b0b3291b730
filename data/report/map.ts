// A map as a list of drawing primitives in points (1/72 inch): county and township boundaries, coverage (as an
// embedded raster, see raster.ts), settlements coloured by status, legend, scale bar and north arrow. The SVG
// writer (svg.ts) and the PDF atlas (pdf.ts) draw the same scene, so the PNG and the PDF pages agree.
import type { Feature, Position } from '../../gis/types';
import { colourMask, encodePng, fillPolygon } from './raster';
import { ELIGIBLE, isBlind, MOBILE, statusAt, type Snapshot } from './snapshot';

export type Prim =
  | { kind: 'path'; d: string; fill?: string; stroke?: string; width?: number; fillOpacity?: number }
  | { kind: 'dots'; xy: number[]; r: number; fill: string; stroke?: string }
  | { kind: 'text'; x: number; y: number; text: string; size: number; fill?: string; anchor?: 'start' | 'middle' | 'end'; bold?: boolean; halo?: boolean }
  | { kind: 'rect'; x: number; y: number; w: number; h: number; fill?: string; stroke?: string; width?: number }
  | { kind: 'image'; x: number; y: number; w: number; h: number; png: Buffer }
  /** Clip what follows to a rectangle until the matching 'unclip'. */
  | { kind: 'clip'; x: number; y: number; w: number; h: number }
  | { kind: 'unclip' };

export interface Frame { x: number; y: number; w: number; h: number }

export const STATUS_COLOURS = {
  met: '#1a9850',
  noBroadband: '#f08a24',
  noMobile: '#d7301f',
  small: '#a8a8a8',
} as const;

/** Coverage raster colours: 4G only, broadband only, both. */
const COVERAGE_PALETTE: Record<number, readonly number[]> = {
  1: [90, 150, 235, 70],
  2: [240, 200, 60, 80],
  3: [60, 170, 160, 90],
};
const COVERAGE_CSS = { 1: 'rgba(90,150,235,0.27)', 2: 'rgba(240,200,60,0.31)', 3: 'rgba(60,170,160,0.35)' } as const;

export interface MapInput {
  /** County polygons (boundaries layer, level=county). */
  counties: readonly Feature[];
  /** Township polygons, drawn thin (county pages). */
  townships?: readonly Feature[];
  mobile: Iterable<Feature>;
  broadband: Iterable<Feature>;
  snapshot: Snapshot;
  /** Only this county's settlements and a view fitted to it; the whole city otherwise. */
  county?: string;
  /** Counties drawn with a heavier outline and bold label (the focus counties on the city map). */
  emphasise?: readonly string[];
  /** Coverage raster pixels per point (2 ≈ 144 dpi). */
  rasterScale?: number;
}

type Bbox = [number, number, number, number];

function outerRings(f: Feature): Position[][][] {
  const g = f.geometry;
  if (!g) return [];
  if (g.type === 'Polygon') return [g.coordinates];
  if (g.type === 'MultiPolygon') return g.coordinates;
  return [];
}

function extend(b: Bbox, rings: Position[][][]): void {
  for (const poly of rings) for (const p of poly[0] ?? []) {
    if (p[0] < b[0]) b[0] = p[0];
    if (p[1] < b[1]) b[1] = p[1];
    if (p[0] > b[2]) b[2] = p[0];
    if (p[1] > b[3]) b[3] = p[1];
  }
}

/** Label point: area centroid of the largest polygon's outer ring. */
function labelPoint(f: Feature): [number, number] | null {
  let best: [number, number] | null = null;
  let bestArea = 0;
  for (const poly of outerRings(f)) {
    const ring = poly[0];
    let a = 0;
    let cx = 0;
    let cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += cross;
      cx += (ring[j][0] + ring[i][0]) * cross;
      cy += (ring[j][1] + ring[i][1]) * cross;
    }
    if (Math.abs(a) > bestArea) {
      bestArea = Math.abs(a);
      best = [cx / (3 * a), cy / (3 * a)];
    }
  }
  return best;
}

/**
 * Local equirectangular projection (x scaled by cos of the mid latitude): at county and city extent (≤ 300 km)
 * distances stay within about 1% across the map, which is what a briefing map and its scale bar need.
 */
export class Projection {
  readonly k: number;
  private readonly cos: number;
  private readonly ox: number;
  private readonly oy: number;
  constructor(bbox: Bbox, frame: Frame, padding = 0.04) {
    const midLat = (bbox[1] + bbox[3]) / 2;
    this.cos = Math.cos((midLat * Math.PI) / 180);
    const w = Math.max((bbox[2] - bbox[0]) * this.cos, 1e-6);
    const h = Math.max(bbox[3] - bbox[1], 1e-6);
    this.k = Math.min((frame.w * (1 - 2 * padding)) / w, (frame.h * (1 - 2 * padding)) / h);
    this.ox = frame.x + (frame.w - w * this.k) / 2 - bbox[0] * this.cos * this.k;
    this.oy = frame.y + (frame.h + h * this.k) / 2 + bbox[1] * this.k;
  }
  x(lon: number): number { return this.ox + lon * this.cos * this.k; }
  y(lat: number): number { return this.oy - lat * this.k; }
  /** Points per kilometre (one degree of latitude ≈ 111.32 km). */
  perKm(): number { return this.k / 111.32; }
}

function ringPath(ring: Position[], p: Projection): string {
  let d = '';
  let lastX = NaN;
  let lastY = NaN;
  for (let i = 0; i < ring.length; i++) {
    const x = Math.round(p.x(ring[i][0]) * 10) / 10;
    const y = Math.round(p.y(ring[i][1]) * 10) / 10;
    if (x === lastX && y === lastY) continue;
    d += `${i === 0 ? 'M' : 'L'}${x} ${y}`;
    lastX = x;
    lastY = y;
  }
  return `${d}Z`;
}

function featuresPath(features: readonly Feature[], p: Projection): string {
  let d = '';
  for (const f of features) for (const poly of outerRings(f)) for (const ring of poly) d += ringPath(ring, p);
  return d;
}

function niceKm(maxKm: number): number {
  const pow = 10 ** Math.floor(Math.log10(maxKm));
  for (const m of [5, 2, 1]) if (m * pow <= maxKm) return m * pow;
  return pow;
}

function coverageImage(input: MapInput, p: Projection, frame: Frame): Prim {
  const scale = input.rasterScale ?? 2;
  const width = Math.max(1, Math.round(frame.w * scale));
  const height = Math.max(1, Math.round(frame.h * scale));
  const mask = new Uint8Array(width * height);
  const draw = (features: Iterable<Feature>, bit: number) => {
    for (const f of features) {
      for (const poly of outerRings(f)) {
        const rings = poly.map((ring) => {
          const out = new Float64Array(ring.length * 2);
          ring.forEach((pt, i) => {
            out[2 * i] = (p.x(pt[0]) - frame.x) * scale;
            out[2 * i + 1] = (p.y(pt[1]) - frame.y) * scale;
          });
          return out;
        });
        fillPolygon(mask, width, height, rings, bit);
      }
    }
  };
  draw(input.mobile, 1);
  draw(input.broadband, 2);
  return { kind: 'image', x: frame.x, y: frame.y, w: frame.w, h: frame.h, png: encodePng(colourMask(mask, width, height, COVERAGE_PALETTE)) };
}

/** Legend (only what the map shows), scale bar and north arrow inside the frame's corners. */
function furniture(p: Projection, frame: Frame, u: number, shown: { small: boolean; emphasised: boolean; minHouseholds: number }): Prim[] {
  const out: Prim[] = [];
  // Legend, bottom left.
  const items: [string, Prim['kind'], string, number?][] = [
    [`聚居区（≥${shown.minHouseholds}户）：4G和宽带均覆盖`, 'dots', STATUS_COLOURS.met],
    ['聚居区：缺宽带', 'dots', STATUS_COLOURS.noBroadband],
    ['聚居区：缺4G', 'dots', STATUS_COLOURS.noMobile],
    ...(shown.small ? [[`聚居区：不足${shown.minHouseholds}户（不计入）`, 'dots', STATUS_COLOURS.small] as [string, Prim['kind'], string]] : []),
    ['4G覆盖', 'rect', COVERAGE_CSS[1]],
    ['宽带覆盖', 'rect', COVERAGE_CSS[2]],
    ['4G和宽带覆盖', 'rect', COVERAGE_CSS[3]],
    ['县（市、区）界', 'path', '#333', 0.8],
    ...(shown.emphasised ? [['重点县界', 'path', '#7a1f1f', 1.8] as [string, Prim['kind'], string, number]] : []),
  ];
  const line = 11 * u;
  const lw = 150 * u;
  const lh = (items.length + 1) * line + 6 * u;
  const lx = frame.x + 8 * u;
  const ly = frame.y + frame.h - lh - 8 * u;
  out.push({ kind: 'rect', x: lx, y: ly, w: lw, h: lh, fill: '#ffffff', stroke: '#888', width: 0.5 * u });
  out.push({ kind: 'text', x: lx + 6 * u, y: ly + 12 * u, text: '图例', size: 8 * u, bold: true });
  items.forEach(([label, kind, colour, width], i) => {
    const cy = ly + 12 * u + (i + 1) * line;
    const sx = lx + 12 * u;
    if (kind === 'dots') out.push({ kind: 'dots', xy: [sx, cy - 3 * u], r: 2.6 * u, fill: colour, stroke: '#ffffff' });
    else if (kind === 'rect') out.push({ kind: 'rect', x: sx - 5 * u, y: cy - 7 * u, w: 10 * u, h: 7 * u, fill: colour, stroke: '#999', width: 0.3 * u });
    else out.push({ kind: 'path', d: `M${sx - 6 * u} ${cy - 3 * u}L${sx + 6 * u} ${cy - 3 * u}`, stroke: colour, width: (width ?? 1) * u });
    out.push({ kind: 'text', x: sx + 10 * u, y: cy, text: label, size: 7 * u });
  });
  // Scale bar, bottom right.
  const km = niceKm((frame.w * 0.22) / p.perKm());
  const len = km * p.perKm();
  const sx = frame.x + frame.w - len - 14 * u;
  const sy = frame.y + frame.h - 14 * u;
  out.push({ kind: 'rect', x: sx - 6 * u, y: sy - 20 * u, w: len + 14 * u, h: 28 * u, fill: '#ffffff' });
  out.push({ kind: 'rect', x: sx, y: sy - 4 * u, w: len / 2, h: 4 * u, fill: '#222', stroke: '#222', width: 0.5 * u });
  out.push({ kind: 'rect', x: sx + len / 2, y: sy - 4 * u, w: len / 2, h: 4 * u, fill: '#ffffff', stroke: '#222', width: 0.5 * u });
  out.push({ kind: 'text', x: sx, y: sy - 7 * u, text: '0', size: 7 * u, anchor: 'start' });
  out.push({ kind: 'text', x: sx + len, y: sy - 7 * u, text: `${km} 千米`, size: 7 * u, anchor: 'end' });
  // North arrow, top right.
  const nx = frame.x + frame.w - 22 * u;
  const ny = frame.y + 14 * u;
  out.push({ kind: 'path', d: `M${nx} ${ny}L${nx + 7 * u} ${ny + 24 * u}L${nx} ${ny + 18 * u}Z`, fill: '#222', stroke: '#222', width: 0.6 * u });
  out.push({ kind: 'path', d: `M${nx} ${ny}L${nx - 7 * u} ${ny + 24 * u}L${nx} ${ny + 18 * u}Z`, fill: '#ffffff', stroke: '#222', width: 0.6 * u });
  out.push({ kind: 'text', x: nx, y: ny + 36 * u, text: '北', size: 9 * u, anchor: 'middle', bold: true });
  return out;
}

/**
 * The map inside `frame`. `u` scales line widths and text (1 for an A4 page; larger for a poster).
 * Inputs are read, never changed.
 */
export function mapScene(input: MapInput, frame: Frame, u = 1): Prim[] {
  const counties = input.county ? input.counties.filter((f) => f.properties?.name === input.county) : input.counties;
  const bbox: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of counties) extend(bbox, outerRings(f));
  const snap = input.snapshot;
  const countyPrefix = input.county ? `${input.county}/` : null;
  const inView = (i: number) => !countyPrefix || snap.villages[snap.village[i]].startsWith(countyPrefix);
  if (!Number.isFinite(bbox[0])) {
    for (let i = 0; i < snap.ids.length; i++) {
      if (!inView(i)) continue;
      const lon = snap.lon[i] / 1e5;
      const lat = snap.lat[i] / 1e5;
      bbox[0] = Math.min(bbox[0], lon); bbox[1] = Math.min(bbox[1], lat);
      bbox[2] = Math.max(bbox[2], lon); bbox[3] = Math.max(bbox[3], lat);
    }
  }
  if (!Number.isFinite(bbox[0])) throw new RangeError(`map: nothing to draw${input.county ? ` for county ${input.county}` : ''}`);
  const p = new Projection(bbox, frame);
  const out: Prim[] = [{ kind: 'rect', x: frame.x, y: frame.y, w: frame.w, h: frame.h, fill: '#fbfaf6' }, { kind: 'clip', ...frame }];
  out.push(coverageImage(input, p, frame));
  if (input.townships?.length) {
    const towns = countyPrefix ? input.townships.filter((f) => f.properties?.county === input.county) : input.townships;
    out.push({ kind: 'path', d: featuresPath(towns, p), stroke: '#b9b9b9', width: 0.35 * u });
  }
  const emphasise = new Set(input.emphasise ?? []);
  // Neighbouring counties in grey for context on county maps.
  if (input.county) out.push({ kind: 'path', d: featuresPath(input.counties.filter((f) => f.properties?.name !== input.county), p), stroke: '#9a9a9a', width: 0.6 * u });
  out.push({ kind: 'path', d: featuresPath(counties.filter((f) => !emphasise.has(String(f.properties?.name))), p), stroke: '#333', width: 0.8 * u });
  const strong = counties.filter((f) => emphasise.has(String(f.properties?.name)));
  if (strong.length) out.push({ kind: 'path', d: featuresPath(strong, p), stroke: '#7a1f1f', width: 1.8 * u });

  const dots = { met: [] as number[], noBroadband: [] as number[], noMobile: [] as number[], small: [] as number[] };
  for (let i = 0; i < snap.ids.length; i++) {
    if (!inView(i)) continue;
    const bits = statusAt(snap, i);
    const key = !(bits & ELIGIBLE) ? 'small' : !isBlind(bits) ? 'met' : !(bits & MOBILE) ? 'noMobile' : 'noBroadband';
    if (key === 'small' && !input.county) continue; // too dense city-wide, and outside the campaign's count
    dots[key].push(Math.round(p.x(snap.lon[i] / 1e5) * 10) / 10, Math.round(p.y(snap.lat[i] / 1e5) * 10) / 10);
  }
  const r = (input.county ? 1.5 : 0.8) * u;
  out.push({ kind: 'dots', xy: dots.small, r: r * 0.6, fill: STATUS_COLOURS.small });
  out.push({ kind: 'dots', xy: dots.met, r, fill: STATUS_COLOURS.met });
  out.push({ kind: 'dots', xy: dots.noBroadband, r: r * 1.15, fill: STATUS_COLOURS.noBroadband });
  out.push({ kind: 'dots', xy: dots.noMobile, r: r * 1.3, fill: STATUS_COLOURS.noMobile });

  for (const f of (input.county ? input.counties : counties)) {
    const name = String(f.properties?.name ?? '');
    const at = labelPoint(f);
    if (!name || !at) continue;
    const x = p.x(at[0]);
    const y = p.y(at[1]);
    const own = !input.county || name === input.county;
    // Keep whole labels only: CJK glyphs are about 1 em wide.
    const half = ((own ? 10 : 8) * u * [...name].length) / 2;
    if (x - half < frame.x || x + half > frame.x + frame.w || y - 10 * u < frame.y || y > frame.y + frame.h) continue;
    out.push({ kind: 'text', x, y, text: name, size: (own ? 10 : 8) * u, anchor: 'middle', bold: emphasise.has(name) || (own && !!input.county), halo: true, fill: own ? '#111' : '#777' });
  }
  out.push({ kind: 'unclip' });
  out.push(...furniture(p, frame, u, { small: !!input.county, emphasised: strong.length > 0, minHouseholds: snap.options.minHouseholds }));
  out.push({ kind: 'rect', x: frame.x, y: frame.y, w: frame.w, h: frame.h, stroke: '#555', width: 0.8 * u });
  return out;
}

export const PAPER = {
  A4: { w: 841.89, h: 595.28 },
  A3: { w: 1190.55, h: 841.89 },
} as const;

export interface SheetText {
  title: string;
  /** Date of the data, YYYY-MM-DD. */
  date: string;
  sources: string[];
  synthetic: boolean;
}

/** A stand-alone map sheet (landscape): title, date, data sources and the 演示数据 mark around mapScene. */
export function mapSheet(input: MapInput, text: SheetText, paper: keyof typeof PAPER = 'A3'): { prims: Prim[]; width: number; height: number } {
  const { w, h } = PAPER[paper];
  const u = w / PAPER.A4.w;
  const m = 28 * u;
  const frame: Frame = { x: m, y: m + 40 * u, w: w - 2 * m, h: h - 2 * m - 60 * u };
  const prims: Prim[] = [
    { kind: 'text', x: m, y: m + 20 * u, text: text.title, size: 18 * u, bold: true },
    { kind: 'text', x: w - m, y: m + 20 * u, text: `数据日期 ${text.date}`, size: 10 * u, anchor: 'end', fill: '#444' },
    ...mapScene(input, frame, u),
    { kind: 'text', x: m, y: h - m, text: `数据来源：${text.sources.join('；')}`, size: 7 * u, fill: '#555' },
  ];
  if (text.synthetic) {
    prims.push({ kind: 'text', x: w - m, y: h - m, text: '演示数据（合成，非实测）', size: 9 * u, anchor: 'end', bold: true, fill: '#b2182b' });
  }
  return { prims, width: w, height: h };
}
