// The coverage tile painter off the UI thread: holds each coverage layer's latest polygons (projected once) and
// answers tile requests with raster tiles painted on an OffscreenCanvas (transferred, not copied).
// Every tile is painted with the newest parts (the 'current' message), whatever its URL asked for: maplibre may
// apply an older request's answer after a newer one's, and quick toggles would otherwise leave tiles of an old
// look on the map (and paint each tile once per toggle). The newest tiles are kept, so those answers are copies.
import {
  COVERAGE_TILE_SIZE, paintCoverageTile, parseCoverageLookKey, projectCoverage, type CoveragePart, type ProjectedCoverage,
} from './coverage-raster';
import type { CoverageColumns } from '../../api/columns';

export type CoverageWorkerRequest =
  | { kind: 'data'; layerId: number; version: string; packed: CoverageColumns }
  | { kind: 'drop'; layerId: number }
  | { kind: 'current'; parts: CoveragePart[] }
  | { kind: 'tile'; id: number; parts: CoveragePart[]; pixelRatio: number; z: number; x: number; y: number };
export interface CoverageWorkerReply { id: number; data: ImageBitmap }

const layers = new Map<number, { version: string; coverage: ProjectedCoverage }>();
let current: CoveragePart[] | null = null;
/** Tiles painted with `current`, by z/x/y/pixelRatio. */
const painted = new Map<string, ImageBitmap>();
const KEEP_TILES = 64;

function paint(parts: CoveragePart[], pixelRatio: number, z: number, x: number, y: number): ImageBitmap {
  // Layers whose data changed since the parts were made are left out of the tile.
  const shown = parts.flatMap((p) => {
    const data = layers.get(p.layerId);
    return data && data.version === p.version ? [{ coverage: data.coverage, look: parseCoverageLookKey(p.look) }] : [];
  });
  const size = shown.length > 0 ? Math.round(COVERAGE_TILE_SIZE * pixelRatio) : 1;
  const canvas = new OffscreenCanvas(size, size);
  if (shown.length > 0) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('coverage tiles: this browser gives no 2D context on an OffscreenCanvas');
    ctx.lineJoin = 'round';
    for (const s of shown) paintCoverageTile(ctx, () => new Path2D(), s.coverage, s.look, z, x, y, pixelRatio);
  }
  return canvas.transferToImageBitmap();
}

self.onmessage = async (e: MessageEvent<CoverageWorkerRequest>) => {
  const m = e.data;
  if (m.kind === 'data') {
    layers.set(m.layerId, { version: m.version, coverage: projectCoverage(m.packed) });
    return;
  }
  if (m.kind === 'drop') {
    layers.delete(m.layerId);
    return;
  }
  if (m.kind === 'current') {
    current = m.parts;
    for (const b of painted.values()) b.close();
    painted.clear();
    return;
  }
  const key = `${m.z}/${m.x}/${m.y}/${m.pixelRatio}`;
  let kept = current ? painted.get(key) : undefined;
  if (!kept) {
    kept = paint(current ?? m.parts, m.pixelRatio, m.z, m.x, m.y);
    if (current) {
      if (painted.size >= KEEP_TILES) {
        const [oldest, bitmap] = painted.entries().next().value as [string, ImageBitmap];
        bitmap.close();
        painted.delete(oldest);
      }
      painted.set(key, kept);
    }
  }
  const data = current ? await createImageBitmap(kept) : kept;
  self.postMessage({ id: m.id, data } satisfies CoverageWorkerReply, { transfer: [data] });
};
