// Shared fixtures for the workspace tests: temp dirs and deterministic generated layers.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Feature, MultiPolygonGeometry, PointGeometry } from '../../gis/types';

export function tempDir(prefix = 'atlas-ws-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOWNS = ['贡江镇', '梓山镇', '黄石镇', '固村镇', '长冈乡'];

/** Settlement points inside Ganzhou's extent with Chinese text, integers, booleans, reals and a nested object. */
export function settlements(n: number, seed = 1): Feature<PointGeometry>[] {
  const r = rng(seed);
  const out: Feature<PointGeometry>[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [113.9 + r() * 2.6, 24.5 + r() * 2.3] },
      properties: {
        id: `S${String(i).padStart(6, '0')}`,
        name: `${TOWNS[i % TOWNS.length]}第${i}聚居区`,
        households: 10 + Math.floor(r() * 200),
        committee: i % 7 === 0,
        ratio: r(),
        county: i % 2 ? '于都县' : '宁都县',
        extra: { source: '普查', year: 2020 + (i % 4) },
      },
    });
  }
  return out;
}

/** Coverage multipolygons (small squares) with operator/tech attributes. */
export function coverage(n: number, seed = 2): Feature<MultiPolygonGeometry>[] {
  const r = rng(seed);
  const ops = ['CMCC', 'CT', 'CU'];
  const out: Feature<MultiPolygonGeometry>[] = [];
  for (let i = 0; i < n; i++) {
    const x = 113.9 + r() * 2.5, y = 24.5 + r() * 2.2, d = 0.005 + r() * 0.02;
    out.push({
      type: 'Feature',
      geometry: { type: 'MultiPolygon', coordinates: [[[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]] },
      properties: { operator: ops[i % 3], tech: '4G', cell: i },
    });
  }
  return out;
}

export function* batchesOf<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
