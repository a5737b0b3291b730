// The coverage tile painter off the UI thread: holds each coverage layer's latest polygons (projected once) and
// answers tile requests with raster tiles painted on an OffscreenCanvas (transferred, not copied).
import { COVERAGE_TILE_SIZE, paintCoverageTile, parseCoverageLookKey, projectCoverage, type PackedCoverage, type ProjectedCoverage } from './coverage-raster';

export type CoverageWorkerRequest =
  | { kind: 'data'; layerId: number; version: string; packed: PackedCoverage }
  | { kind: 'drop'; layerId: number }
  | { kind: 'tile'; id: number; layerId: number; version: string; look: string; pixelRatio: number; z: number; x: number; y: number };
export interface CoverageWorkerReply { id: number; data: ImageBitmap }

const layers = new Map<number, { version: string; coverage: ProjectedCoverage }>();

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
  // A tile of other data than the latest (a request still on its way after new data) is empty.
  const data = layers.get(m.layerId);
  const size = Math.round(COVERAGE_TILE_SIZE * m.pixelRatio);
  const canvas = new OffscreenCanvas(data?.version === m.version ? size : 1, data?.version === m.version ? size : 1);
  if (data?.version === m.version) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('coverage tiles: this browser gives no 2D context on an OffscreenCanvas');
    ctx.lineJoin = 'round';
    paintCoverageTile(ctx, data.coverage, parseCoverageLookKey(m.look), m.z, m.x, m.y, m.pixelRatio);
  }
  const bitmap = canvas.transferToImageBitmap();
  self.postMessage({ id: m.id, data: bitmap } satisfies CoverageWorkerReply, { transfer: [bitmap] });
};
