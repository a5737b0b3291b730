// The workspace must be a GeoPackage that GDAL reads without complaint and converts losslessly.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerInfo } from '../../api/contract';
import { Workspace } from '../../data/workspace/index';
import type { Feature } from '../../gis/types';
import { batchesOf, coverage, settlements, tempDir } from './helpers';

const hasGdal = spawnSync('ogrinfo', ['--version']).status === 0;

interface OgrLayer { geometry: string; count: number; extent: number[]; fields: Record<string, string> }

/** Parses `ogrinfo -so` output for one layer. */
function ogrinfo(path: string, layer: string): { layer: OgrLayer; stderr: string } {
  const r = spawnSync('ogrinfo', ['-ro', '-so', path, layer], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  const out = r.stdout;
  const get = (re: RegExp) => {
    const m = out.match(re);
    if (!m) throw new Error(`ogrinfo output lacks ${re}:\n${out}`);
    return m;
  };
  const extent = get(/^Extent: \(([-\d.]+), ([-\d.]+)\) - \(([-\d.]+), ([-\d.]+)\)$/m).slice(1, 5).map(Number);
  const fields: Record<string, string> = {};
  const after = out.slice(out.indexOf('Geometry Column = geom'));
  for (const line of after.split('\n').slice(1)) {
    const m = line.match(/^(.+): (\S+) \(\d+\.\d+\)$/);
    if (m) fields[m[1]] = m[2];
  }
  return {
    layer: { geometry: get(/^Geometry: (.+)$/m)[1], count: Number(get(/^Feature Count: (\d+)$/m)[1]), extent, fields },
    stderr: r.stderr,
  };
}

describe.skipIf(!hasGdal)('GDAL reads the workspace', () => {
  const dir = tempDir();
  const path = join(dir, '赣州工作区.gpkg');
  const pts = settlements(1500, 11);
  const polys = coverage(800, 12);
  // A polygon layer mixing null geometry and text with quotes/newlines.
  const areas: Feature[] = [
    { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[115, 25], [115.5, 25], [115.5, 25.5], [115, 25]]] }, properties: { note: '引号"和\n换行', n: 1 } },
    { type: 'Feature', geometry: null, properties: { note: 'no geometry', n: 2 } },
  ];
  let layers: LayerInfo[] = [];

  beforeAll(async () => {
    const ws = Workspace.create(path, { name: '赣州' });
    await ws.writeLayer({ name: '聚居区', role: 'settlements', geometryType: 'POINT' }, batchesOf(pts, 500));
    await ws.writeLayer({ name: 'CMCC 4G', role: 'mobile', geometryType: 'MULTIPOLYGON' }, batchesOf(polys, 300));
    await ws.writeLayer({ name: '行政区', role: 'boundaries', geometryType: 'POLYGON' }, [areas]);
    layers = ws.layers();
    ws.close();
  });

  it('lists exactly our layers (plus the registered attribute tables) without warnings', () => {
    const r = spawnSync('ogrinfo', ['-ro', '-q', path], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const names = [...r.stdout.matchAll(/^\d+: (\S+) \((.+)\)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(names).toEqual(['settlements_1 Point', 'cmcc_4g_1 Multi Polygon', 'boundaries_1 Polygon', 'atlas_runs None', 'atlas_ledger None']);
  });

  it('reports each layer\'s geometry type, feature count, extent and attribute types', () => {
    const expected: Record<string, Omit<OgrLayer, 'extent'>> = {
      settlements_1: { geometry: 'Point', count: 1500, fields: { id: 'String', name: 'String', households: 'Integer64', committee: 'Integer(Boolean)', ratio: 'Real', county: 'String', extra: 'String(JSON)' } },
      cmcc_4g_1: { geometry: 'Multi Polygon', count: 800, fields: { operator: 'String', tech: 'String', cell: 'Integer64' } },
      boundaries_1: { geometry: 'Polygon', count: 2, fields: { note: 'String', n: 'Integer64' } },
    };
    for (const l of layers) {
      const { layer, stderr } = ogrinfo(path, l.table);
      expect(stderr).toBe('');
      expect(layer).toMatchObject(expected[l.table]);
      // ogrinfo prints 6 decimals
      const [minX, minY, maxX, maxY] = l.bbox as number[];
      expect(layer.extent).toEqual([minX, minY, maxX, maxY].map((v) => Number(v.toFixed(6))));
    }
  });

  it('converts every layer to GeoJSON losslessly: properties and coordinates equal', () => {
    const inputs: Record<string, Feature[]> = { settlements_1: pts, cmcc_4g_1: polys, boundaries_1: areas };
    for (const l of layers) {
      const out = join(dir, `${l.table}.geojson`);
      execFileSync('ogr2ogr', ['-f', 'GeoJSON', out, path, l.table], { stdio: 'pipe' });
      const fc = JSON.parse(readFileSync(out, 'utf8')) as { features: Feature[] };
      const got = fc.features.map((f) => ({ geometry: f.geometry, properties: f.properties }));
      expect(got).toEqual(inputs[l.table].map((f) => ({ geometry: f.geometry, properties: f.properties })));
    }
  });

  it('agrees with our own bbox query through the rtree', () => {
    const ws = Workspace.open(path, { readOnly: true });
    try {
      const id = layers[1].id;
      const ours = [...ws.readFeatures(id, { bbox: [114.5, 25, 115, 25.5] })].map((f) => f.properties?.cell);
      const r = spawnSync('ogrinfo', ['-ro', '-q', '-spat', '114.5', '25', '115', '25.5', path, 'cmcc_4g_1'], { encoding: 'utf8' });
      const theirs = [...r.stdout.matchAll(/^\s+cell \(Integer64\) = (\d+)$/gm)].map((m) => Number(m[1]));
      expect(ours.length).toBeGreaterThan(10);
      expect(ours).toEqual(theirs.sort((a, b) => a - b)); // GDAL returns rtree order, we return fid order
    } finally {
      ws.close();
    }
  });
});
