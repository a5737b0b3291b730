// The coverage raster tiles maplibre asks for, `atlas-coverage://PARTS/z/x/y`, answered by the coverage tile
// worker from the latest polygons of each layer (coverage-raster.ts): PARTS lists the layers to paint, bottom
// first, each as LAYER~VERSION~LOOK. Registered once per page.
import * as maplibregl from 'maplibre-gl';
import type { CoverageWorkerReply, CoverageWorkerRequest } from './coverage-tile-worker';
import { COVERAGE_PROTOCOL, packCoverage, packedBuffers, parseCoverageParts, type CoveragePart } from './coverage-raster';
import type { FeatureCollection } from '../../gis/types';

const URL_RE = new RegExp(`^${COVERAGE_PROTOCOL}://([^/]*)/(\\d+)/(\\d+)/(\\d+)$`);

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, (data: ImageBitmap) => void>();
let watcher: ((tile: Promise<unknown>) => void) | null = null;

function coverageWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./coverage-tile-worker.ts', import.meta.url), { type: 'module', name: 'coverage-tiles' });
    worker.onmessage = (e: MessageEvent<CoverageWorkerReply>) => {
      pending.get(e.data.id)?.(e.data.data);
      pending.delete(e.data.id);
    };
    maplibregl.addProtocol(COVERAGE_PROTOCOL, (params) => {
      const m = URL_RE.exec(params.url);
      if (!m) return Promise.reject(new Error(`coverage tiles: cannot read the tile address ${params.url}`));
      const id = nextId++;
      const tile = new Promise<{ data: ImageBitmap }>((resolve) => {
        pending.set(id, (data) => resolve({ data }));
        coverageWorker().postMessage({
          kind: 'tile', id, parts: parseCoverageParts(decodeURIComponent(m[1])),
          pixelRatio: Math.min(2, window.devicePixelRatio || 1), z: Number(m[2]), x: Number(m[3]), y: Number(m[4]),
        } satisfies CoverageWorkerRequest);
      });
      watcher?.(tile);
      return tile;
    });
  }
  return worker;
}

/** Makes `fc` the polygons of layer `layerId`'s tiles of URL version `version`. */
export function setCoverageTileData(layerId: number, version: string, fc: FeatureCollection): void {
  const packed = packCoverage(fc);
  coverageWorker().postMessage({ kind: 'data', layerId, version, packed } satisfies CoverageWorkerRequest, packedBuffers(packed));
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
