// The demo workspace: generated deterministically from the seeds, every record marked 演示数据.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LayerRole } from '../api/contract';
import type { Feature, FeatureCollection } from '../gis';
import { generateDemo, type DemoOptions } from '../seeds/demo';
import { Workspace } from './workspace';

/** Bump when the generator's output changes, so cached demo workspaces are rebuilt. */
const DEMO_REVISION = 2;

export function defaultDemoPath(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'coverage-atlas', `demo-r${DEMO_REVISION}.gpkg`);
}

/** The demo workspace's path, generating it first when it does not exist yet. */
export async function ensureDemoWorkspace(path = defaultDemoPath()): Promise<string> {
  if (!existsSync(path)) await writeDemoWorkspace(path);
  return path;
}

function* batchesOf(features: readonly Feature[], size = 2000): Generator<Feature[]> {
  for (let i = 0; i < features.length; i += size) yield features.slice(i, i + size).map(asMulti);
}

/** Polygon layers are stored as MULTIPOLYGON, as imports store them, so GIS tools see one geometry type. */
function asMulti(f: Feature): Feature {
  const g = f.geometry;
  return g?.type === 'Polygon' ? { ...f, geometry: { type: 'MultiPolygon', coordinates: [g.coordinates] } } : f;
}

/** Writes a complete demo workspace at `path` (built beside it, then renamed: never a half-written file). */
export async function writeDemoWorkspace(path: string, options: Partial<DemoOptions> = {}): Promise<void> {
  if (existsSync(path)) throw new Error(`文件已存在，不会覆盖：${path} (file exists; not overwritten)`);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.partial`;
  rmSync(tmp, { force: true });
  const demo = generateDemo(options);
  const ws = Workspace.create(tmp, { name: '赣州演示工作空间 (演示数据)', synthetic: true });
  try {
    const layers: [string, LayerRole, FeatureCollection, 'POINT' | 'MULTIPOLYGON'][] = [
      ['演示聚居区', 'settlements', demo.settlements, 'POINT'],
      ['演示4G覆盖-移动', 'mobile', demo.mobile.CMCC, 'MULTIPOLYGON'],
      ['演示4G覆盖-电信', 'mobile', demo.mobile.CT, 'MULTIPOLYGON'],
      ['演示4G覆盖-联通', 'mobile', demo.mobile.CU, 'MULTIPOLYGON'],
      ['演示宽带覆盖', 'broadband', demo.broadband, 'MULTIPOLYGON'],
      ['演示基站', 'sites', demo.sites, 'POINT'],
      ['示意行政边界', 'boundaries', demo.boundaries, 'MULTIPOLYGON'],
    ];
    for (const [name, role, fc, geometryType] of layers) {
      await ws.writeLayer({ name, role, geometryType, source: '演示数据 (generated)', synthetic: true }, batchesOf(fc.features));
    }
  } finally {
    ws.close();
  }
  for (const suffix of ['-wal', '-shm']) rmSync(tmp + suffix, { force: true });
  renameSync(tmp, path);
}
