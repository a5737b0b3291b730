// The settlement tiles maplibre asks for, answered by the tile worker from the latest settlement columns:
// `atlas-settlements://VERSION/z/x/y` vector tiles and `atlas-settlement-raster://VERSION/FILTERS/z/x/y` painted
// raster tiles. Registered once per page; the columns are replaced when a new analysis arrives.
import * as maplibregl from 'maplibre-gl';
import type { SettlementColumns } from '../../api/columns';
import type { TileWorkerRequest } from './settlement-tile-worker';
import { WorkerRequests } from './worker-requests';
import { SETTLEMENT_PROTOCOL, SETTLEMENT_RASTER_PROTOCOL } from './style';

let tiles: WorkerRequests<TileWorkerRequest, ArrayBuffer | ImageBitmap> | null = null;
const VECTOR_URL = new RegExp(`^${SETTLEMENT_PROTOCOL}://([^/]+)/(\\d+)/(\\d+)/(\\d+)$`);
const RASTER_URL = new RegExp(`^${SETTLEMENT_RASTER_PROTOCOL}://([^/]+)/([^/]*)/(\\d+)/(\\d+)/(\\d+)$`);

function tileWorker(): Worker {
  if (!tiles) {
    const requests = (tiles = new WorkerRequests(new Worker(new URL('./settlement-tile-worker.ts', import.meta.url), { type: 'module', name: 'settlement-tiles' })));
    maplibregl.addProtocol(SETTLEMENT_PROTOCOL, (params) => {
      const m = VECTOR_URL.exec(params.url);
      if (!m) return Promise.reject(new Error(`settlement tiles: cannot read the tile address ${params.url}`));
      return requests.request((id) => ({ kind: 'tile', id, version: decodeURIComponent(m[1]), z: Number(m[2]), x: Number(m[3]), y: Number(m[4]) }));
    });
    maplibregl.addProtocol(SETTLEMENT_RASTER_PROTOCOL, (params) => {
      const m = RASTER_URL.exec(params.url);
      if (!m) return Promise.reject(new Error(`settlement raster tiles: cannot read the tile address ${params.url}`));
      return requests.request((id) => ({
        kind: 'raster', id, version: decodeURIComponent(m[1]), filters: decodeURIComponent(m[2]), pixelRatio: Math.min(2, window.devicePixelRatio || 1),
        z: Number(m[3]), x: Number(m[4]), y: Number(m[5]),
      }));
    });
  }
  return tiles.worker;
}

/** Makes `columns` the data of the settlement tiles (of URL version columns.version). */
export function setTileColumns(columns: SettlementColumns): void {
  tileWorker().postMessage({ kind: 'columns', columns } satisfies TileWorkerRequest);
}

/** The protocols must exist before the style's first tile request, even with no data yet. */
export function registerSettlementTiles(): void {
  tileWorker();
}
