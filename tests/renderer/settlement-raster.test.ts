// Raster settlement tiles: painted like the vector layers (status colour, filters, rings), found by clicks.
import { describe, expect, it } from 'vitest';
import { toColumns } from '../../api/columns';
import { filtersKey, paintRasterTile, parseFiltersKey, RASTER_MAX_ZOOM, RASTER_MIN_SETTLEMENTS, rowFilter, vectorTileDrawn } from '../../renderer/map/settlement-raster';
import { buildTileIndex } from '../../renderer/map/settlement-tiles';
import { NO_FILTERS, STATUS_COLORS } from '../../renderer/map/style';
import { settlement } from './fixtures';

function tileOf(lon: number, lat: number, z: number): [number, number, number, number] {
  const s = Math.sin((lat * Math.PI) / 180);
  const fx = ((lon + 180) / 360) * 2 ** z, fy = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 2 ** z;
  return [Math.floor(fx), Math.floor(fy), Math.floor((fx % 1) * 512), Math.floor((fy % 1) * 512)];
}
const hex = (p: Uint8ClampedArray, o: number) => `#${[p[o], p[o + 1], p[o + 2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

describe('settlement raster tiles', () => {
  const list = [
    settlement({ id: 'a', lon: 115.4, lat: 25.9, households: 400, mobile: true, mobileOperators: ['CT'], broadband: true, broadbandOperators: ['CMCC'] }),
    settlement({ id: 'b', lon: 115.5, lat: 25.95, households: 400, county: '宁都县', listed: true }),
  ];
  const c = toColumns(list, 'v');
  const index = buildTileIndex(c);

  it('paint each settlement in its status colour, under the operator chosen, and leave filtered ones out', () => {
    const [x, y, px, py] = tileOf(115.4, 25.9, 9);
    const at = (py * 512 + px) * 4;
    const all = paintRasterTile(index, c, NO_FILTERS, 9, x, y);
    expect(hex(all, at)).toBe(STATUS_COLORS.both);
    expect(all[at + 3]).toBeGreaterThan(200);
    const ct = paintRasterTile(index, c, { ...NO_FILTERS, operator: 'CT' }, 9, x, y);
    expect(hex(ct, at)).toBe(STATUS_COLORS.mobile);
    const other = paintRasterTile(index, c, { ...NO_FILTERS, county: '宁都县' }, 9, x, y);
    expect(other[at + 3]).toBe(0);
    // Away from both settlements the tile stays transparent.
    expect(all[3]).toBe(0);
  });

  it('ring the listed villages in dark grey around their circle', () => {
    const [x, y, px, py] = tileOf(115.5, 25.95, 10);
    const tile = paintRasterTile(index, c, NO_FILTERS, 10, x, y);
    expect(hex(tile, (py * 512 + px) * 4)).toBe(STATUS_COLORS.none);
    // Radius 8 px at zoom 10 for 400 households, the ring 3 px further out.
    const ring = (py * 512 + px + 11) * 4;
    expect(tile[ring]).toBeLessThan(90);
    expect(tile[ring + 3]).toBeGreaterThan(150);
  });

  it('carry the filters through the tile address and apply them like the style', () => {
    const f = { county: '于都县', focusOnly: true, listedOnly: false, eligibleOnly: true, operator: 'CU' as const };
    expect(parseFiltersKey(filtersKey(f))).toEqual(f);
    expect(parseFiltersKey(filtersKey(NO_FILTERS))).toEqual(NO_FILTERS);
    const keep = rowFilter(c, { ...NO_FILTERS, listedOnly: true });
    expect([keep(0), keep(1)]).toEqual([false, true]);
    expect(rowFilter(c, { ...NO_FILTERS, county: '无此县' })(0)).toBe(false);
  });

  it('leave vector tiles uncut where the raster stands in for them', () => {
    expect(vectorTileDrawn(RASTER_MIN_SETTLEMENTS, RASTER_MAX_ZOOM)).toBe(false);
    expect(vectorTileDrawn(RASTER_MIN_SETTLEMENTS, RASTER_MAX_ZOOM + 1)).toBe(true);
    expect(vectorTileDrawn(RASTER_MIN_SETTLEMENTS - 1, 3)).toBe(true);
  });
});
