// Bounded memory for streamed GeoJSON. Measured here: importing this 30 MB file grows RSS by ~42 MB (mostly the
// id set of the duplicate check), JSON.parse of the same file alone by ~87 MB; a 300 MB file (1.27 M features,
// made with make-big-geojson.ts) peaks at ~250 MB RSS for the whole process. The bound catches a regression
// that keeps features or the file in memory.
import { describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openImport } from '../../data/import/index';
import { writeBigGeoJson } from './make-big-geojson';
import { tmp } from './helpers';

describe('streamed GeoJSON', () => {
  it('imports 30 MB with bounded memory and byte-based progress', async () => {
    const path = join(tmp, 'big.geojson');
    const count = await writeBigGeoJson(path, 30);
    globalThis.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const fractions: number[] = [];
    const stream = await openImport(path, { file: path, role: 'settlements' }, { onProgress: (_rows, f) => fractions.push(f ?? -1) });
    let n = 0;
    for await (const batch of stream.batches) {
      n += batch.length;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    rmSync(path);
    expect(stream.issues).toEqual([]);
    expect(n).toBe(count);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.some((f) => f > 0.3 && f < 0.7)).toBe(true);
    expect((peak - base) / 1024 ** 2).toBeLessThan(100);
  }, 60_000);
});
