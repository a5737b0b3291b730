// The settlement tile cutter off the UI thread: holds the latest columns and their grid index, and answers
// tile requests with vector-tile bytes or painted raster tiles (transferred, not copied).
import type { SettlementColumns } from '../../api/columns';
import { paintRasterTile, parseFiltersKey, vectorTileDrawn } from './settlement-raster';
import { buildTileIndex, encodeTile, type TileIndex } from './settlement-tiles';

export type TileWorkerRequest =
  | { kind: 'columns'; columns: SettlementColumns }
  | { kind: 'tile'; id: number; version: string; z: number; x: number; y: number }
  | { kind: 'raster'; id: number; version: string; filters: string; pixelRatio: number; z: number; x: number; y: number };
export interface TileWorkerReply { id: number; data: ArrayBuffer | ImageBitmap }

let current: { columns: SettlementColumns; index: TileIndex } | null = null;

self.onmessage = async (e: MessageEvent<TileWorkerRequest>) => {
  const m = e.data;
  if (m.kind === 'columns') {
    current = { columns: m.columns, index: buildTileIndex(m.columns) };
    return;
  }
  // A tile of other columns than the latest (a request still on its way after new data) is empty.
  const data = current && current.columns.version === m.version ? current : null;
  if (m.kind === 'tile') {
    const bytes = data && vectorTileDrawn(data.columns.count, m.z) ? encodeTile(data.index, data.columns, m.z, m.x, m.y) : new Uint8Array(0);
    const buf = bytes.slice().buffer;
    self.postMessage({ id: m.id, data: buf } satisfies TileWorkerReply, { transfer: [buf] });
    return;
  }
  const pixels = data
    ? new ImageData(paintRasterTile(data.index, data.columns, parseFiltersKey(m.filters), m.z, m.x, m.y, m.pixelRatio), Math.round(512 * m.pixelRatio))
    : new ImageData(1, 1);
  const bitmap = await createImageBitmap(pixels);
  self.postMessage({ id: m.id, data: bitmap } satisfies TileWorkerReply, { transfer: [bitmap] });
};
