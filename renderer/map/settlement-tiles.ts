// Settlement points as Mapbox Vector Tiles, cut on demand from the settlement columns (in a worker, see
// settlement-tile-worker.ts). maplibre then parses only the tiles in view, and a filter change re-evaluates
// those tiles' buckets instead of re-sending and re-indexing 200,000 GeoJSON features.
//
// Feature properties (style.ts reads them): f = FLAG bits, h = households, county = county name, and
// name = settlement name from LABEL_MIN_ZOOM on (labels are not drawn below). The feature id is the row in the
// columns (a click asks settlementDetails for it).
//
// Below THIN_BELOW_ZOOM a tile keeps, per pixel of its 512-pixel grid, one point (the most households) of each
// combination of county and flags: every point left out lies under an identical-looking circle at least as big,
// and every filter and colouring the map offers depends on county and flags only, so what is drawn is the same.
import type { SettlementColumns } from '../../api/columns';

export const SETTLEMENT_SOURCE_LAYER = 'settlements';
export const LABEL_MIN_ZOOM = 11;
export const THIN_BELOW_ZOOM = 11;
/** Deepest tiles cut; maplibre over-zooms them beyond. */
export const TILE_MAX_ZOOM = 14;
const EXTENT = 4096;
/** Grid of the index: 2^GRID cells per side of the Web Mercator square. */
const GRID = 12;
const CELLS = 1 << GRID;

export interface TileIndex {
  /** Web Mercator x, y of each settlement in [0, 1). */
  mx: Float64Array;
  my: Float64Array;
  /** Settlement rows ordered by grid cell (row-major), and the cell key of each. */
  order: Uint32Array;
  keys: Uint32Array;
}

function mercatorX(lon: number): number {
  return Math.min(Math.max((lon + 180) / 360, 0), 1 - 1e-12);
}
function mercatorY(lat: number): number {
  const s = Math.sin((Math.max(-85.05, Math.min(85.05, lat)) * Math.PI) / 180);
  return Math.min(Math.max(0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI), 0), 1 - 1e-12);
}

export function buildTileIndex(c: SettlementColumns): TileIndex {
  const n = c.count;
  const mx = new Float64Array(n), my = new Float64Array(n);
  const cell = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    mx[i] = mercatorX(c.lon[i]);
    my[i] = mercatorY(c.lat[i]);
    cell[i] = Math.floor(my[i] * CELLS) * CELLS + Math.floor(mx[i] * CELLS);
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => cell[a] - cell[b] || a - b);
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = cell[order[i]];
  return { mx, my, order, keys };
}

function lowerBound(a: Uint32Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows of the settlements with minX ≤ x < maxX and minY ≤ y < maxY (Web Mercator units, [0, 1)). */
export function rowsInBox(index: TileIndex, minX: number, minY: number, maxX: number, maxY: number): number[] {
  const out: number[] = [];
  const cx0 = Math.max(0, Math.floor(minX * CELLS)), cx1 = Math.min(CELLS - 1, Math.floor(maxX * CELLS));
  const cy0 = Math.max(0, Math.floor(minY * CELLS)), cy1 = Math.min(CELLS - 1, Math.floor(maxY * CELLS));
  for (let cy = cy0; cy <= cy1; cy++) {
    const to = lowerBound(index.keys, cy * CELLS + cx1 + 1);
    for (let k = lowerBound(index.keys, cy * CELLS + cx0); k < to; k++) {
      const i = index.order[k];
      const x = index.mx[i], y = index.my[i];
      if (x >= minX && x < maxX && y >= minY && y < maxY) out.push(i);
    }
  }
  return out;
}

/** Rows of the settlements inside tile z/x/y (west and north edges inclusive). */
export function tileRows(index: TileIndex, z: number, x: number, y: number): number[] {
  const scale = 2 ** z;
  return rowsInBox(index, x / scale, y / scale, (x + 1) / scale, (y + 1) / scale);
}

/**
 * The rows a tile draws, in the columns' order (the drawing order of overlapping circles): all of them from
 * THIN_BELOW_ZOOM on, else one per pixel and look (see the file comment).
 */
export function thinRows(index: TileIndex, c: SettlementColumns, rows: readonly number[], z: number, x: number, y: number): number[] {
  if (z >= THIN_BELOW_ZOOM) return [...rows].sort((a, b) => a - b);
  const pixels = 512 * 2 ** z;
  // Open addressing over typed arrays: a Map keyed by these doubles (beyond small integers) cost more than the
  // painting it saves at zoom 7, where a tile holds 100,000 settlements.
  let size = 16;
  while (size < 2 * rows.length) size *= 2;
  const mask = size - 1;
  const keys = new Float64Array(size);
  const slots = new Int32Array(size).fill(-1);
  let count = 0;
  for (const i of rows) {
    // Rows may reach a tile beyond the edges (raster tiles paint neighbours' circles that spill over).
    const px = Math.floor(index.mx[i] * pixels) - x * 512 + 1024;
    const py = Math.floor(index.my[i] * pixels) - y * 512 + 1024;
    const pixel = py * 3072 + px;
    const look = c.county[i] * 4096 + c.flags[i];
    // 24 bits of pixel, 16 of county, 12 of flags: exact in a double.
    const key = pixel * 268435456 + look;
    let h = Math.imul(pixel ^ Math.imul(look, 0x9e3779b1), 0x85ebca6b) & mask;
    for (;;) {
      const held = slots[h];
      if (held < 0) {
        slots[h] = i;
        keys[h] = key;
        count++;
        break;
      }
      if (keys[h] === key) {
        if (c.households[i] > c.households[held]) slots[h] = i;
        break;
      }
      h = (h + 1) & mask;
    }
  }
  const kept = new Int32Array(count);
  for (let h = 0, k = 0; h < size; h++) if (slots[h] >= 0) kept[k++] = slots[h];
  return Array.from(kept.sort());
}

/** A growable protobuf writer: just what a vector tile needs. */
class Pbf {
  buf: Uint8Array;
  pos = 0;
  constructor(size = 1024) {
    this.buf = new Uint8Array(size);
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }
  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** A packed repeated uint32 field (`scratch` is reused between calls). */
  packed(field: number, values: readonly number[], scratch: Pbf): void {
    scratch.pos = 0;
    for (const v of values) scratch.varint(v);
    this.bytes(field, scratch.finish());
  }
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

const zigzag = (v: number) => (v << 1) ^ (v >> 31);
const utf8 = new TextEncoder();

/** The vector tile z/x/y of the settlements (empty body when none is inside). */
export function encodeTile(index: TileIndex, c: SettlementColumns, z: number, x: number, y: number): Uint8Array {
  const rows = thinRows(index, c, tileRows(index, z, x, y), z, x, y);
  if (rows.length === 0) return new Uint8Array(0);
  const withNames = z >= LABEL_MIN_ZOOM;
  const keys = withNames ? ['f', 'h', 'county', 'name'] : ['f', 'h', 'county'];
  const values: { kind: 'uint' | 'string'; v: number | string }[] = [];
  const valueIndex = new Map<string, number>();
  const value = (kind: 'uint' | 'string', v: number | string): number => {
    const k = `${kind}:${v}`;
    let at = valueIndex.get(k);
    if (at === undefined) {
      at = values.length;
      values.push({ kind, v });
      valueIndex.set(k, at);
    }
    return at;
  };
  const scale = 2 ** z;
  const layer = new Pbf(rows.length * 24 + 1024);
  const feature = new Pbf(64), scratch = new Pbf(64);
  layer.tag(15, 0);
  layer.varint(2);
  layer.bytes(1, utf8.encode(SETTLEMENT_SOURCE_LAYER));
  for (const i of rows) {
    const tx = Math.min(EXTENT - 1, Math.floor((index.mx[i] * scale - x) * EXTENT));
    const ty = Math.min(EXTENT - 1, Math.floor((index.my[i] * scale - y) * EXTENT));
    const tags = [0, value('uint', c.flags[i]), 1, value('uint', c.households[i]), 2, value('string', c.counties[c.county[i]])];
    if (withNames) tags.push(3, value('string', c.names[c.name[i]]));
    feature.pos = 0;
    feature.tag(1, 0);
    feature.varint(i);
    feature.packed(2, tags, scratch);
    feature.tag(3, 0);
    feature.varint(1); // POINT
    feature.packed(4, [9, zigzag(tx), zigzag(ty)], scratch); // MoveTo ×1
    layer.bytes(2, feature.finish());
  }
  for (const k of keys) layer.bytes(3, utf8.encode(k));
  for (const v of values) {
    const m = new Pbf(64);
    if (v.kind === 'string') m.bytes(1, utf8.encode(v.v as string));
    else {
      m.tag(5, 0);
      m.varint(v.v as number);
    }
    layer.bytes(4, m.finish());
  }
  layer.tag(5, 0);
  layer.varint(EXTENT);
  const tile = new Pbf();
  tile.bytes(3, layer.finish());
  return tile.finish();
}

/** The properties a tile gives a settlement at zoom `z` (what style.ts expressions read), for tests and tools. */
export function tileProperties(c: SettlementColumns, i: number, z = LABEL_MIN_ZOOM): Record<string, number | string> {
  const p: Record<string, number | string> = { f: c.flags[i], h: c.households[i], county: c.counties[c.county[i]] };
  if (z >= LABEL_MIN_ZOOM) p.name = c.names[c.name[i]];
  return p;
}
