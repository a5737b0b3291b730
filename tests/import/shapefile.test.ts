import { describe, expect, it } from 'vitest';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync, strToU8 } from 'fflate';
import { previewImport } from '../../data/import/index';
import { assemblePolygons } from '../../data/import/formats/shp';
import { extract, listZip } from '../../data/import/zip';
import { importAll, metres, tmp, writeTmp } from './helpers';

const fixtures = join(import.meta.dirname, 'fixtures');
const truth = (name: string): { properties: Record<string, unknown>; geometry: { coordinates: unknown } }[] =>
  JSON.parse(readFileSync(join(fixtures, 'src', name), 'utf8')).features;

describe('zipped Shapefile', () => {
  it('GBK .dbf + Gauss–Krüger zone 38 .prj → points within 1 m of the source lon/lat', async () => {
    const path = join(fixtures, 'settlements_gk38.zip');
    const preview = await previewImport(path, { file: path, role: 'settlements' });
    expect(preview.format).toBe('shapefile');
    expect(preview.encoding).toMatch(/gb18030 \(.cpg says GBK\)/);
    expect(preview.crs.detected).toBe('EPSG:4526');
    expect(preview.mapping).toMatchObject({ id: '编号', name: '自然村', households: '户数', village: '行政村', township: '乡镇', county: '县区', committee: '村委会' });
    const { stream, features } = await importAll(path, { role: 'settlements' });
    expect(stream.issues).toEqual([]);
    const src = truth('settlements-wgs84.geojson');
    expect(features).toHaveLength(src.length);
    for (const [i, f] of features.entries()) {
      expect(metres((f.geometry as { coordinates: number[] }).coordinates, src[i].geometry.coordinates as number[])).toBeLessThan(1);
      expect(f.properties).toMatchObject({ id: src[i].properties.编号, name: src[i].properties.自然村, households: src[i].properties.户数, county: src[i].properties.县区 });
    }
    expect(features[0].properties).toMatchObject({ committee: true });
  });

  it('polygons in CM 117°E: outer rings and holes assembled, MultiPolygon parts kept, within 1 m', async () => {
    const path = join(fixtures, 'coverage_gk117.zip');
    const { stream, features } = await importAll(path, { role: 'mobile' });
    expect(stream.issues).toEqual([]);
    expect(features.map((f) => f.properties)).toEqual([
      { operator: 'CMCC', tech: '4G', name: '宁都东山坝覆盖' },
      { operator: 'CT', tech: '4G', name: '宁都两片' },
    ]);
    const src = truth('coverage-wgs84.geojson');
    const a = (features[0].geometry as { coordinates: number[][][][] }).coordinates;
    expect(a).toHaveLength(1);
    expect(a[0]).toHaveLength(2); // outer + hole
    const srcRings = src[0].geometry.coordinates as number[][][];
    for (const [k, ring] of a[0].entries()) {
      for (const p of ring) expect(Math.min(...srcRings[k].map((q) => metres(p, q)))).toBeLessThan(1);
    }
    expect((features[1].geometry as { coordinates: unknown[] }).coordinates).toHaveLength(2);
  });

  it('without .cpg, non-UTF-8 bytes are read as GBK; a bare .shp with siblings works too', async () => {
    const files = unzipSync(readFileSync(join(fixtures, 'settlements_gk38.zip')));
    const noCpg = Object.fromEntries(Object.entries(files).filter(([n]) => !n.endsWith('.cpg')));
    const path = writeTmp('nocpg.zip', zipSync(noCpg));
    const preview = await previewImport(path, { file: path, role: 'settlements' });
    expect(preview.encoding).toMatch(/GBK assumed/);
    expect(preview.sample[0]).toMatchObject({ 自然村: '上坪' });
    const dir = join(tmp, 'bare');
    mkdirSync(dir, { recursive: true });
    for (const [n, data] of Object.entries(files)) writeFileSync(join(dir, n.replace('settlements_gk38', '聚居区')), data);
    const { stream, features } = await importAll(join(dir, '聚居区.shp'), { role: 'settlements' });
    expect(stream.issues).toEqual([]);
    expect(features[2].properties).toMatchObject({ name: '龙潭', households: 52 });
  });

  it('zip bombs, encrypted entries and zips without a .shp are clear file issues', async () => {
    const zeros = new Uint8Array(8 * 1024 * 1024);
    const bomb = zipSync({ 'a.shp': zeros, 'a.dbf': zeros });
    expect(bomb.length).toBeLessThan(100_000);
    expect(() => extract(bomb, listZip(bomb), 4 * 1024 * 1024)).toThrow(/expands to more than 4 MB/);
    // A header that understates the size does not get past the cap: it counts inflated bytes.
    const lying = new Uint8Array(bomb);
    const view = new DataView(lying.buffer);
    const entries = listZip(lying);
    let p = view.getUint32(lying.length - 22 + 16, true);
    for (let k = 0; k < entries.length; k++) {
      view.setUint32(p + 24, 10, true);
      p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    }
    expect(() => extract(lying, listZip(lying), 4 * 1024 * 1024)).toThrow(/expands to more than/);

    const enc = new Uint8Array(readFileSync(join(fixtures, 'settlements_gk38.zip')));
    const ev = new DataView(enc.buffer);
    const q = ev.getUint32(enc.length - 22 + 16, true);
    ev.setUint16(q + 8, ev.getUint16(q + 8, true) | 1, true);
    const encPath = writeTmp('enc.zip', enc);
    const r = await importAll(encPath, { role: 'settlements' });
    expect(r.stream.issues).toEqual([{ file: encPath, row: -1, field: 'file', message: '"settlements_gk38.shp" in the ZIP is encrypted; expected an archive without a password' }]);

    const noShp = writeTmp('noshp.zip', zipSync({ 'readme.txt': strToU8('hello') }));
    const r2 = await importAll(noShp, { role: 'settlements' });
    expect(r2.stream.issues[0].message).toMatch(/holds no .shp file \(found: readme.txt\)/);
  });
});

describe('assemblePolygons', () => {
  it('assigns a counter-clockwise hole to the clockwise ring that contains it, and outputs RFC 7946 winding', () => {
    const outerCw = [[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]];
    const holeCcw = [[2, 2], [4, 2], [4, 4], [2, 4], [2, 2]];
    const otherCw = [[20, 0], [20, 5], [25, 5], [25, 0], [20, 0]];
    const g = assemblePolygons([outerCw, otherCw, holeCcw]);
    expect(g?.type).toBe('MultiPolygon');
    const coords = (g as { coordinates: number[][][][] }).coordinates;
    expect(coords[0]).toHaveLength(2);
    expect(coords[1]).toHaveLength(1);
    expect(coords[0][0]).toEqual([...outerCw].reverse());
    expect(coords[0][1]).toEqual([...holeCcw].reverse());
    expect(outerCw[1]).toEqual([0, 10]); // input untouched
  });
});
