// Raster settlement tiles: painted like the vector layers (status colour, filters, rings), found by clicks.
import { describe, expect, it } from 'vitest';
import { toColumns } from '../../api/columns';
import {
  filtersKey, paintRasterTile, parseFiltersKey, RASTER_MAX_ZOOM, RASTER_MIN_SETTLEMENTS, rowFilter, vectorTileDrawn, villageGroups,
} from '../../renderer/map/settlement-raster';
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

  it('draw one ring per listed village, around all its settlements, zoomed out', () => {
    // A listed village's seat and two more of its settlements, 0.01° apart, and an unlisted settlement near by.
    const village = [
      settlement({ id: 's', lon: 115.5, lat: 25.95, households: 100, listed: true, committee: true }),
      settlement({ id: 'm', lon: 115.51, lat: 25.95, households: 100, listed: true }),
      settlement({ id: 'n', lon: 115.52, lat: 25.95, households: 100, listed: true }),
      settlement({ id: 'u', lon: 115.6, lat: 25.95, households: 100 }),
    ];
    const vc = toColumns(village, 'w');
    const vi = buildTileIndex(vc);
    expect([...villageGroups(vi, vc)]).toEqual([0, 0, 0, -1]);
    const [x, y, px, py] = tileOf(115.51, 25.95, 10);
    const tile = paintRasterTile(vi, vc, NO_FILTERS, 10, x, y);
    // The ring is centred on the middle settlement and clears the outer ones' circles (5 px + 3 px ring gap).
    const step = (0.01 / 360) * 512 * 1024;
    const top = Math.round(py - step - 8);
    const column = Array.from({ length: 6 }, (_, k) => tile[((top - 3 + k) * 512 + px) * 4 + 3]);
    expect(Math.max(...column)).toBeGreaterThan(150);
    // No ring of its own around the middle settlement, just outside its circle.
    expect(tile[((py - 9) * 512 + px) * 4 + 3]).toBeLessThan(20);
    // A village the filters leave out gets no ring.
    const other = paintRasterTile(vi, vc, { ...NO_FILTERS, county: '宁都县' }, 10, x, y);
    expect(Math.max(...Array.from({ length: 6 }, (_, k) => other[((top - 3 + k) * 512 + px) * 4 + 3]))).toBe(0);
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
