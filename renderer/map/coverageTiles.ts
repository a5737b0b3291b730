// The coverage raster tiles maplibre asks for, `atlas-coverage://PARTS/z/x/y`, answered by the coverage tile
// worker from the latest polygons of each layer (coverage-raster.ts): PARTS lists the layers to paint, bottom
// first, each as LAYER~VERSION~LOOK. Registered once per page.
import * as maplibregl from 'maplibre-gl';
import type { CoverageWorkerRequest } from './coverage-tile-worker';
import type { CoverageColumns } from '../../api/columns';
import { WorkerRequests } from './worker-requests';
import { COVERAGE_PROTOCOL, parseCoverageParts, type CoveragePart } from './coverage-raster';

const URL_RE = new RegExp(`^${COVERAGE_PROTOCOL}://([^/]*)/(\\d+)/(\\d+)/(\\d+)$`);

let tiles: WorkerRequests<CoverageWorkerRequest, ImageBitmap> | null = null;
let watcher: ((tile: Promise<unknown>) => void) | null = null;

function coverageWorker(): Worker {
  if (!tiles) {
    const requests = (tiles = new WorkerRequests(new Worker(new URL('./coverage-tile-worker.ts', import.meta.url), { type: 'module', name: 'coverage-tiles' })));
    maplibregl.addProtocol(COVERAGE_PROTOCOL, (params) => {
      const m = URL_RE.exec(params.url);
      if (!m) return Promise.reject(new Error(`coverage tiles: cannot read the tile address ${params.url}`));
      const tile = requests.request((id) => ({
        kind: 'tile', id, parts: parseCoverageParts(decodeURIComponent(m[1])),
        pixelRatio: Math.min(2, window.devicePixelRatio || 1), z: Number(m[2]), x: Number(m[3]), y: Number(m[4]),
      }));
      watcher?.(tile);
      return tile;
    });
  }
  return tiles.worker;
}

/**
 * Makes `packed` the polygons of layer `layerId`'s tiles of URL version `version`. The worker gets a copy (one
 * memory copy of the arrays): the page keeps them for the vector layers once zoomed in.
 */
export function setCoverageTileData(layerId: number, version: string, packed: CoverageColumns): void {
  coverageWorker().postMessage({ kind: 'data', layerId, version, packed } satisfies CoverageWorkerRequest);
}

/** The parts every tile is painted with from now on, whatever its URL (see coverage-tile-worker.ts). */
export function setCoverageTileParts(parts: CoveragePart[]): void {
  coverageWorker().postMessage({ kind: 'current', parts } satisfies CoverageWorkerRequest);
}

/** `watch` sees every coverage tile request (the map stays unsettled until they are answered). */
export function watchCoverageTiles(watch: (tile: Promise<unknown>) => void): void {
  watcher = watch;
}

export function dropCoverageTileData(layerId: number): void {
  coverageWorker().postMessage({ kind: 'drop', layerId } satisfies CoverageWorkerRequest);
}

/** The protocol must exist before the first coverage tile request. */
export function registerCoverageTiles(): void {
  coverageWorker();
}
