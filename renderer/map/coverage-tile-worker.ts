// The coverage tile painter off the UI thread: holds each coverage layer's latest polygons (projected once) and
// answers tile requests with raster tiles painted on an OffscreenCanvas (transferred, not copied).
import {
  COVERAGE_TILE_SIZE, paintCoverageTile, parseCoverageLookKey, projectCoverage, type CoveragePart, type PackedCoverage, type ProjectedCoverage,
} from './coverage-raster';

export type CoverageWorkerRequest =
  | { kind: 'data'; layerId: number; version: string; packed: PackedCoverage }
  | { kind: 'drop'; layerId: number }
  | { kind: 'tile'; id: number; parts: CoveragePart[]; pixelRatio: number; z: number; x: number; y: number };
export interface CoverageWorkerReply { id: number; data: ImageBitmap }

const layers = new Map<number, { version: string; coverage: ProjectedCoverage }>();

self.onmessage = (e: MessageEvent<CoverageWorkerRequest>) => {
  const m = e.data;
  if (m.kind === 'data') {
    layers.set(m.layerId, { version: m.version, coverage: projectCoverage(m.packed) });
    return;
  }
  if (m.kind === 'drop') {
    layers.delete(m.layerId);
    return;
  }
  // Layers whose data changed since the URL was made (a request still on its way) are left out of the tile.
  const current = m.parts.flatMap((p) => {
    const data = layers.get(p.layerId);
    return data && data.version === p.version ? [{ coverage: data.coverage, look: parseCoverageLookKey(p.look) }] : [];
  });
  const size = current.length > 0 ? Math.round(COVERAGE_TILE_SIZE * m.pixelRatio) : 1;
  const canvas = new OffscreenCanvas(size, size);
  if (current.length > 0) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('coverage tiles: this browser gives no 2D context on an OffscreenCanvas');
    ctx.lineJoin = 'round';
    for (const c of current) paintCoverageTile(ctx, c.coverage, c.look, m.z, m.x, m.y, m.pixelRatio);
  }
  const bitmap = canvas.transferToImageBitmap();
  self.postMessage({ id: m.id, data: bitmap } satisfies CoverageWorkerReply, { transfer: [bitmap] });
};
