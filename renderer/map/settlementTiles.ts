// The `atlas-settlements://VERSION/z/x/y` tiles maplibre asks for, answered by the tile worker from the latest
// settlement columns. Registered once per page; the columns are replaced when a new analysis arrives.
import * as maplibregl from 'maplibre-gl';
import type { SettlementColumns } from '../../api/columns';
import type { TileWorkerReply, TileWorkerRequest } from './settlement-tile-worker';
import { SETTLEMENT_PROTOCOL } from './style';

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, (data: ArrayBuffer) => void>();
const URL_PATTERN = new RegExp(`^${SETTLEMENT_PROTOCOL}://([^/]+)/(\\d+)/(\\d+)/(\\d+)$`);

function tileWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./settlement-tile-worker.ts', import.meta.url), { type: 'module', name: 'settlement-tiles' });
    worker.onmessage = (e: MessageEvent<TileWorkerReply>) => {
      pending.get(e.data.id)?.(e.data.data);
      pending.delete(e.data.id);
    };
    maplibregl.addProtocol(SETTLEMENT_PROTOCOL, (params) => {
      const m = URL_PATTERN.exec(params.url);
      if (!m) return Promise.reject(new Error(`settlement tiles: cannot read the tile address ${params.url}`));
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, (data) => resolve({ data }));
        post({ kind: 'tile', id, version: decodeURIComponent(m[1]), z: Number(m[2]), x: Number(m[3]), y: Number(m[4]) });
      });
    });
  }
  return worker;
}

function post(m: TileWorkerRequest): void {
  tileWorker().postMessage(m);
}

/** Makes `columns` the data of the settlement tiles (of URL version columns.version). */
export function setTileColumns(columns: SettlementColumns): void {
  post({ kind: 'columns', columns });
}

/** The protocol must exist before the style's first tile request, even with no data yet. */
export function registerSettlementTiles(): void {
  tileWorker();
}
