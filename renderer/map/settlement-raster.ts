// Zoomed out, a province-scale settlement layer is drawn as raster tiles painted here (in the tile worker):
// a software renderer has to shade every vertex and pixel of 100,000+ circles on every frame, but only one
// textured square per tile. The picture follows the circle, ring and star layers of style.ts (same radii,
// colours, strokes and filters); from RASTER_MAX_ZOOM + 1 on the vector layers take over (labels, clicks).
// One difference: a listed village gets one ring around the settlements it has in view (villageGroups), not a
// ring per settlement, whose dozens of overlapping rings read as a black disc when zoomed out.
import { BROADBAND_FLAG, FLAG, MOBILE_FLAG, type SettlementColumns } from '../../api/columns';
import { rowsInBox, thinRows, type TileIndex } from './settlement-tiles';
import {
  CIRCLE_STROKE, circleRadius, interpolate, RING_COLOR, RING_EXTRA, RING_STROKE, SEAT_COLOR, SEAT_SIZE, STATUS_COLORS, type Filters,
} from './style';

/** Workspaces with at least this many settlements draw them as raster tiles below RASTER_MAX_ZOOM + 1. */
export const RASTER_MIN_SETTLEMENTS = 10_000;
export const RASTER_MAX_ZOOM = 10;

/** Whether the vector tile z is drawn: not where raster tiles stand in for it, so none is cut for nothing. */
export function vectorTileDrawn(settlements: number, z: number): boolean {
  return settlements < RASTER_MIN_SETTLEMENTS || z > RASTER_MAX_ZOOM;
}
/** Tile size in CSS pixels (maplibre's raster tileSize). */
export const RASTER_TILE_SIZE = 512;
/** Largest circle plus ring and stroke (px at zoom 14 scale): how far outside a tile a point can still paint it. */
const MAX_REACH = 13 * 1.6 + RING_EXTRA + 2;

type Rgb = [number, number, number];
function rgb(hex: string): Rgb {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}
const WHITE: Rgb = [255, 255, 255];
const STATUS_RGB: readonly Rgb[] = [rgb(STATUS_COLORS.none), rgb(STATUS_COLORS.mobile), rgb(STATUS_COLORS.broadband), rgb(STATUS_COLORS.both)];

/** One buffer per tile size, reused: a 512-px tile's accumulation is 4 MB, and tiles come by the dozen. */
const buffers = new Map<number, Float32Array>();

/** Premultiplied RGBA accumulation with source-over blending. */
class Canvas {
  readonly px: Float32Array;
  constructor(readonly size: number) {
    let px = buffers.get(size);
    if (px) px.fill(0);
    else buffers.set(size, (px = new Float32Array(size * size * 4)));
    this.px = px;
  }
  /** Blends `color` at `alpha` (0..1) into pixel (x, y). */
  blend(x: number, y: number, color: Rgb, alpha: number): void {
    if (alpha <= 0) return;
    const o = (y * this.size + x) * 4;
    const keep = 1 - alpha;
    this.px[o] = color[0] * alpha + this.px[o] * keep;
    this.px[o + 1] = color[1] * alpha + this.px[o + 1] * keep;
    this.px[o + 2] = color[2] * alpha + this.px[o + 2] * keep;
    this.px[o + 3] = alpha + this.px[o + 3] * keep;
  }
  /**
   * A disc of radius r (fill, at fillAlpha; null: none) with a stroke of width w outside it, antialiased over one
   * pixel like maplibre's circle shader.
   */
  circle(cx: number, cy: number, r: number, fill: Rgb | null, fillAlpha: number, w: number, stroke: Rgb): void {
    const outer = r + w;
    // Pixels whose centre lies within outer + 0.5 get some coverage; nothing else is visited.
    const reach = outer + 0.5, reach2 = reach * reach;
    // Within r - 0.5 of the centre the fill covers the pixel wholly and the stroke not at all: no square root.
    const solid = r - 0.5, solid2 = solid > 0 ? solid * solid : -1;
    const x0 = Math.max(0, Math.floor(cx - reach)), x1 = Math.min(this.size - 1, Math.floor(cx + reach));
    const y0 = Math.max(0, Math.floor(cy - reach)), y1 = Math.min(this.size - 1, Math.floor(cy + reach));
    const px = this.px, size = this.size;
    const fa = fill ? fillAlpha : 0;
    const fr = fill ? fill[0] : 0, fg = fill ? fill[1] : 0, fb = fill ? fill[2] : 0;
    const [sr, sg, sb] = stroke;
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - cx;
        const d2 = dx * dx + dy * dy;
        if (d2 >= reach2) continue;
        let a: number, s: number;
        if (d2 <= solid2) {
          a = fa;
          s = 0;
        } else {
          const d = Math.sqrt(d2);
          const inFill = Math.min(1, Math.max(0, r - d + 0.5));
          a = fa * inFill;
          s = w > 0 ? Math.max(0, Math.min(outer - d + 0.5, 1 - inFill)) : 0;
        }
        // The fill, then the stroke over it, blended as one source: the same sums as two blends, half the work.
        const under = a * (1 - s), keep = (1 - a) * (1 - s);
        const o = (y * size + x) * 4;
        px[o] = sr * s + fr * under + px[o] * keep;
        px[o + 1] = sg * s + fg * under + px[o + 1] * keep;
        px[o + 2] = sb * s + fb * under + px[o + 2] * keep;
        px[o + 3] = s + under + px[o + 3] * keep;
      }
    }
  }
  /** A five-pointed star of outer radius R centred at (cx, cy), with a one-pixel white halo. */
  star(cx: number, cy: number, R: number, color: Rgb): void {
    const pts: [number, number][] = [];
    for (let k = 0; k < 10; k++) {
      const a = -Math.PI / 2 + (k * Math.PI) / 5;
      const rr = k % 2 === 0 ? R : R * 0.42;
      pts.push([cx + rr * Math.cos(a), cy + rr * Math.sin(a)]);
    }
    const inside = (x: number, y: number) => {
      let hit = false;
      for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
        const [xi, yi] = pts[i], [xj, yj] = pts[j];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
      }
      return hit;
    };
    const x0 = Math.max(0, Math.floor(cx - R - 2)), x1 = Math.min(this.size - 1, Math.ceil(cx + R + 2));
    const y0 = Math.max(0, Math.floor(cy - R - 2)), y1 = Math.min(this.size - 1, Math.ceil(cy + R + 2));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        // 2×2 samples for the edge; the halo is the star grown by one pixel.
        let star = 0, halo = 0;
        for (const [sx, sy] of [[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]]) {
          if (inside(x + sx, y + sy)) star++;
          else if (inside(x + sx - 1, y + sy) || inside(x + sx + 1, y + sy) || inside(x + sx, y + sy - 1) || inside(x + sx, y + sy + 1)) halo++;
        }
        if (halo) this.blend(x, y, WHITE, halo / 4);
        if (star) this.blend(x, y, color, star / 4);
      }
    }
  }
  /** Straight (not premultiplied) RGBA bytes, as ImageData wants them. */
  rgba(): Uint8ClampedArray<ArrayBuffer> {
    const out = new Uint8ClampedArray(this.size * this.size * 4);
    for (let o = 0; o < out.length; o += 4) {
      const a = this.px[o + 3];
      if (a <= 0) continue;
      out[o] = this.px[o] / a;
      out[o + 1] = this.px[o + 1] / a;
      out[o + 2] = this.px[o + 2] / a;
      out[o + 3] = a * 255;
    }
    return out;
  }
}

/** Settlements of a listed village lie within this distance (world units, ~7 km in Ganzhou) of its committee seat. */
const VILLAGE_REACH = 2 ** -12 / 2;

/**
 * Each listed settlement's village group: the listed committee seat nearest to it within VILLAGE_REACH (the
 * columns carry no village name; a listed village has one seat and villages lie apart), or a group of its own.
 * -1 for settlements that are not listed.
 */
export function villageGroups(index: TileIndex, c: SettlementColumns): Int32Array {
  const group = new Int32Array(c.count).fill(-1);
  const seatFlags = FLAG.listed | FLAG.committee;
  const cells = new Map<number, number[]>();
  const cellOf = (cx: number, cy: number) => cy * 4096 * 16 + cx;
  for (let i = 0; i < c.count; i++) {
    if ((c.flags[i] & seatFlags) !== seatFlags) continue;
    const k = cellOf(Math.floor(index.mx[i] / VILLAGE_REACH), Math.floor(index.my[i] / VILLAGE_REACH));
    const list = cells.get(k);
    if (list) list.push(i);
    else cells.set(k, [i]);
  }
  for (let i = 0; i < c.count; i++) {
    if ((c.flags[i] & FLAG.listed) === 0) continue;
    const cx = Math.floor(index.mx[i] / VILLAGE_REACH), cy = Math.floor(index.my[i] / VILLAGE_REACH);
    let best = i, bestD = VILLAGE_REACH * VILLAGE_REACH;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const s of cells.get(cellOf(cx + dx, cy + dy)) ?? []) {
          const d = (index.mx[s] - index.mx[i]) ** 2 + (index.my[s] - index.my[i]) ** 2;
          if (d <= bestD) { bestD = d; best = s; }
        }
      }
    }
    group[i] = best;
  }
  return group;
}

const groupsOf = new WeakMap<TileIndex, Int32Array>();

/** The filter state as the tile URL carries it (and back). */
export function filtersKey(f: Filters): string {
  return [f.county ?? '', f.focusOnly ? 1 : 0, f.listedOnly ? 1 : 0, f.eligibleOnly ? 1 : 0, f.operator ?? ''].join('|');
}
export function parseFiltersKey(key: string): Filters {
  const [county, focus, listed, eligible, operator] = key.split('|');
  return {
    county: county || null, focusOnly: focus === '1', listedOnly: listed === '1', eligibleOnly: eligible === '1',
    operator: operator === 'CMCC' || operator === 'CT' || operator === 'CU' ? operator : null,
  };
}

/** Which rows `filters` keeps (style.ts filterExpression over the columns). */
export function rowFilter(c: SettlementColumns, f: Filters): (i: number) => boolean {
  const must = (f.eligibleOnly ? FLAG.eligible : 0) | (f.focusOnly ? FLAG.focus : 0) | (f.listedOnly ? FLAG.listed : 0);
  const county = f.county === null ? -1 : c.counties.indexOf(f.county);
  if (f.county !== null && county < 0) return () => false;
  return (i) => (c.flags[i] & must) === must && (county < 0 || c.county[i] === county);
}

/**
 * RGBA pixels (size × size, size = RASTER_TILE_SIZE × pixelRatio) of raster tile z/x/y: status circles in the
 * columns' order, then the listed-village rings, then the committee-seat stars, as the vector layers draw them.
 */
export function paintRasterTile(
  index: TileIndex, c: SettlementColumns, filters: Filters, z: number, x: number, y: number, pixelRatio = 1,
): Uint8ClampedArray<ArrayBuffer> {
  const size = Math.round(RASTER_TILE_SIZE * pixelRatio);
  const canvas = new Canvas(size);
  const scale = 2 ** z;
  const reach = MAX_REACH / (RASTER_TILE_SIZE * scale);
  const keep = rowFilter(c, filters);
  const near = rowsInBox(index, x / scale - reach, y / scale - reach, (x + 1) / scale + reach, (y + 1) / scale + reach).filter(keep);
  const rows = thinRows(index, c, near, z, x, y);
  const mBit = filters.operator === null ? FLAG.mobile : MOBILE_FLAG[filters.operator];
  const bBit = filters.operator === null ? FLAG.broadband : BROADBAND_FLAG[filters.operator];
  const toPx = (i: number): [number, number] => [(index.mx[i] * scale - x) * size, (index.my[i] * scale - y) * size];
  const stroke = interpolate(CIRCLE_STROKE, z) * pixelRatio;
  for (const i of rows) {
    const f = c.flags[i];
    const status = ((f & mBit) !== 0 ? 1 : 0) | ((f & bBit) !== 0 ? 2 : 0);
    canvas.circle((index.mx[i] * scale - x) * size, (index.my[i] * scale - y) * size, circleRadius(z, c.households[i]) * pixelRatio,
      STATUS_RGB[status], (f & FLAG.eligible) !== 0 ? 0.9 : 0.45, stroke, WHITE);
  }
  const ringWidth = interpolate(RING_STROKE, z) * pixelRatio;
  const ring = rgb(RING_COLOR);
  // One ring per listed village, around the circles of its settlements that the filters keep (all of them, not
  // only those near this tile, so a village across a tile edge gets the same ring in both tiles).
  let groups = groupsOf.get(index);
  if (!groups) {
    groups = villageGroups(index, c);
    groupsOf.set(index, groups);
  }
  const members = new Map<number, number[]>();
  for (let i = 0; i < c.count; i++) {
    if (groups[i] < 0 || !keep(i)) continue;
    const list = members.get(groups[i]);
    if (list) list.push(i);
    else members.set(groups[i], [i]);
  }
  for (const list of members.values()) {
    let sx = 0, sy = 0;
    for (const i of list) {
      sx += index.mx[i];
      sy += index.my[i];
    }
    const cx = ((sx / list.length) * scale - x) * size, cy = ((sy / list.length) * scale - y) * size;
    let r = 0;
    for (const i of list) {
      const [px, py] = toPx(i);
      r = Math.max(r, Math.hypot(px - cx, py - cy) + circleRadius(z, c.households[i], RING_EXTRA) * pixelRatio);
    }
    if (cx + r + ringWidth < 0 || cy + r + ringWidth < 0 || cx - r - ringWidth > size || cy - r - ringWidth > size) continue;
    canvas.circle(cx, cy, r, null, 0, ringWidth, ring);
  }
  const seatPx = interpolate(SEAT_SIZE, z) * pixelRatio;
  const seat = rgb(SEAT_COLOR);
  for (const i of rows) {
    if ((c.flags[i] & (FLAG.listed | FLAG.committee)) !== (FLAG.listed | FLAG.committee)) continue;
    const [px, py] = toPx(i);
    // text-offset [0, -1.1] em: the star's centre sits 1.1 × its size above the point.
    canvas.star(px, py - 1.1 * seatPx, seatPx * 0.45, seat);
  }
  return canvas.rgba();
}
