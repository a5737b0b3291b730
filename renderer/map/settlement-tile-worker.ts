// The settlement tile cutter off the UI thread: holds the latest columns and their grid index, and answers
// tile requests with vector-tile bytes (transferred, not copied).
import type { SettlementColumns } from '../../api/columns';
import { buildTileIndex, encodeTile, type TileIndex } from './settlement-tiles';

export type TileWorkerRequest =
  | { kind: 'columns'; columns: SettlementColumns }
  | { kind: 'tile'; id: number; version: string; z: number; x: number; y: number };
export interface TileWorkerReply { id: number; data: ArrayBuffer }

let current: { columns: SettlementColumns; index: TileIndex } | null = null;

self.onmessage = (e: MessageEvent<TileWorkerRequest>) => {
  const m = e.data;
  if (m.kind === 'columns') {
    current = { columns: m.columns, index: buildTileIndex(m.columns) };
    return;
  }
  // A tile of other columns than the latest (a request still on its way after new data) is empty.
  const bytes = current && current.columns.version === m.version ? encodeTile(current.index, current.columns, m.z, m.x, m.y) : new Uint8Array(0);
  const data = bytes.slice().buffer;
  self.postMessage({ id: m.id, data } satisfies TileWorkerReply, { transfer: [data] });
};
