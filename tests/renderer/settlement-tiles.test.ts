// Settlement vector tiles: decoded with maplibre's own vector-tile reader, they hold every settlement of the
// tile (or, zoomed out, one per pixel and look) with the properties the style reads.
import { describe, expect, it } from 'vitest';
import { PbfReader } from 'pbf';
import { VectorTile } from '@mapbox/vector-tile';
import { FLAG, toColumns } from '../../api/columns';
import { buildTileIndex, encodeTile, LABEL_MIN_ZOOM, SETTLEMENT_SOURCE_LAYER, thinRows, tileRows } from '../../renderer/map/settlement-tiles';
import { settlement } from './fixtures';

function decode(bytes: Uint8Array) {
  const layer = new VectorTile(new PbfReader(bytes)).layers[SETTLEMENT_SOURCE_LAYER];
  return Array.from({ length: layer?.length ?? 0 }, (_, k) => {
    const f = layer.feature(k);
    return { id: f.id, type: f.type, props: f.properties, point: f.loadGeometry()[0][0], extent: layer.extent };
  });
}

/** The tile of zoom z holding lon/lat. */
function tileOf(lon: number, lat: number, z: number): [number, number] {
  const s = Math.sin((lat * Math.PI) / 180);
  return [Math.floor(((lon + 180) / 360) * 2 ** z), Math.floor((0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 2 ** z)];
}

describe('settlement tiles', () => {
  const list = [
    settlement({ id: 'a', name: '上屋', lon: 115.4, lat: 25.9, households: 48, mobile: true, mobileOperators: ['CT'] }),
    settlement({ id: 'b', name: '下屋', lon: 115.40001, lat: 25.90001, households: 20, mobile: true, mobileOperators: ['CT'] }),
    settlement({ id: 'c', name: '中屋', lon: 115.40001, lat: 25.90001, households: 60, listed: true }),
    settlement({ id: 'd', name: '远屋', lon: 118.9, lat: 28.9, households: 30, county: '宁都县' }),
  ];
  const c = toColumns(list, 'v');
  const index = buildTileIndex(c);

  it('hold each settlement of the tile with its row as id, flags, households, county and (zoomed in) its name', () => {
    const [x, y] = tileOf(115.4, 25.9, 14);
    const features = decode(encodeTile(index, c, 14, x, y));
    expect(features.map((f) => f.id).sort()).toEqual([0, 1, 2]);
    const a = features.find((f) => f.id === 0)!;
    expect(a.type).toBe(1);
    expect(a.props).toEqual({ f: FLAG.eligible | FLAG.focus | FLAG.mobile | FLAG.mobileCT, h: 48, county: '于都县', name: '上屋' });
    // The point sits where the settlement is, within one tile unit.
    const [px, py] = tileOf(115.4, 25.9, 14 + 12);
    expect(Math.abs(x * a.extent + a.point.x - px)).toBeLessThanOrEqual(1);
    expect(Math.abs(y * a.extent + a.point.y - py)).toBeLessThanOrEqual(1);
    expect(decode(encodeTile(index, c, 14, x + 1, y))).toEqual([]);
  });

  it('keep, zoomed out, one point per pixel and look: the biggest, and every distinct look', () => {
    const [x, y] = tileOf(115.4, 25.9, 8);
    const rows = tileRows(index, 8, x, y);
    expect(rows.sort()).toEqual([0, 1, 2]);
    // a and b look the same and share a pixel: a (more households) stands for both; c is listed, so it stays.
    expect(thinRows(index, c, rows, 8, x, y)).toEqual([0, 2]);
    const features = decode(encodeTile(index, c, 8, x, y));
    expect(features.map((f) => f.id)).toEqual([0, 2]);
    expect(features[0].props).not.toHaveProperty('name');
    expect(thinRows(index, c, rows, LABEL_MIN_ZOOM, x, y)).toEqual([0, 1, 2]);
  });

  // thinRows keeps its table in typed arrays with open addressing: thousands of rows over a few pixels and looks
  // make long probe runs and wrap-arounds, checked here against the plain definition.
  it('thin crowded tiles exactly as one pick per pixel and look (the most households, the first on ties)', () => {
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const crowd = Array.from({ length: 5000 }, (_, k) => settlement({
      id: `r${k}`, lon: 115.4 + Math.floor(random() * 40) * 0.0005, lat: 25.9 + Math.floor(random() * 40) * 0.0005,
      households: Math.floor(random() * 6), county: random() < 0.5 ? '于都县' : '宁都县', listed: random() < 0.3,
      mobile: random() < 0.5, mobileOperators: ['CU'],
    }));
    const cc = toColumns(crowd, 'crowd');
    const ci = buildTileIndex(cc);
    for (const z of [6, 8, 10]) {
      const [x, y] = tileOf(115.41, 25.91, z);
      const rows = tileRows(ci, z, x, y);
      const pixels = 512 * 2 ** z;
      const best = new Map<string, number>();
      for (const i of rows) {
        const key = `${Math.floor(ci.mx[i] * pixels)},${Math.floor(ci.my[i] * pixels)},${cc.county[i]},${cc.flags[i]}`;
        const held = best.get(key);
        if (held === undefined || cc.households[i] > cc.households[held]) best.set(key, i);
      }
      const want = [...best.values()].sort((a, b) => a - b);
      expect(want.length).toBeLessThan(rows.length);
      expect(thinRows(ci, cc, rows, z, x, y)).toEqual(want);
    }
  });

  it('cover the world at zoom 0 and are empty where there is nothing', () => {
    expect(decode(encodeTile(index, c, 0, 0, 0)).map((f) => f.id).sort()).toEqual([0, 2, 3]);
    expect(encodeTile(index, c, 3, 0, 0).byteLength).toBe(0);
  });
});
