// openImportInWorker (reading and encoding on a worker thread, writing here) against openImport on one thread:
// the same rows in the workspace, the same issues and warnings for the hostile corpus, progress, and aborting.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportRequest } from '../../api/contract';
import { openImport, openImportInWorker, WORKER_MIN_BYTES, type ImportStream } from '../../data/import/index';
import { readingBytes } from '../../data/import/in-worker';
import { listZip } from '../../data/import/zip';
import { unzipSync } from 'fflate';
import { AtlasService } from '../../data/service';
import { Workspace } from '../../data/workspace';
import { CASES } from '../fixtures/bad/cases';
import { tempDir } from '../workspace/helpers';
import { writeBigGeoJson } from './make-big-geojson';
import { tmp, writeTmp } from './helpers';

/** This process's OS threads (a worker thread is one of them). */
const threads = (): number => Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);

const BAD = join(import.meta.dirname, '..', 'fixtures', 'bad');

/** Imports `path` with each path into a fresh workspace; returns the layers' rows and columns. */
async function importBoth(path: string, request: ImportRequest) {
  const out = [];
  for (const inWorker of [false, true]) {
    const ws = Workspace.create(join(tempDir(), 'w.gpkg'));
    try {
      const fractions: number[] = [];
      const onProgress = (_rows: number, f: number | null) => fractions.push(f ?? -1);
      const stream = inWorker ? await openImportInWorker(path, request, { minBytes: 0, onProgress }) : await openImport(path, request, { onProgress });
      const [layer] = await ws.writeLayers([{ meta: { name: 'l', role: request.role, geometryType: stream.geometryType, fields: stream.fields }, batches: stream.batches }]);
      const { id: _id, createdAt: _c, ...info } = layer;
      out.push({ info, rows: [...ws.readFeatures(layer.id)], warnings: stream.warnings, issues: stream.issues, fractions });
    } finally {
      ws.close();
    }
  }
  return out;
}

async function drain(stream: ImportStream<unknown>): Promise<number> {
  let n = 0;
  for await (const b of stream.batches) n += Array.isArray(b) ? b.length : (b as { count: number }).count;
  return n;
}

describe('readingBytes: what decides an import for the worker', () => {
  it('is what a workbook or a zipped Shapefile inflates to, a Shapefile with its .dbf, or the file', async () => {
    const bad = join(import.meta.dirname, '..', 'fixtures', 'bad');
    const zipped = join(bad, 'shp-households-negative.zip');
    expect(await readingBytes(zipped)).toBe(listZip(readFileSync(zipped)).reduce((n, e) => n + e.size, 0));
    const book = join(bad, 'xlsx-households-negative.xlsx');
    expect(await readingBytes(book)).toBe(listZip(readFileSync(book)).reduce((n, e) => n + e.size, 0));
    expect(await readingBytes(book)).toBeGreaterThan(statSync(book).size);
    // The zipped fixture's files laid out bare: the .shp counts with its .dbf (whatever the extension's case).
    const parts = unzipSync(readFileSync(join(import.meta.dirname, 'fixtures', 'settlements_gk38.zip')));
    const shpName = Object.keys(parts).find((n) => n.endsWith('.shp'))!;
    const dbfName = Object.keys(parts).find((n) => n.endsWith('.dbf'))!;
    const shp = writeTmp('bare.shp', parts[shpName]);
    writeTmp('bare.DBF', parts[dbfName]);
    expect(await readingBytes(shp)).toBe(parts[shpName].length + parts[dbfName].length);
    const geojson = writeTmp('reading.geojson', '{"type":"FeatureCollection","features":[]}');
    expect(await readingBytes(geojson)).toBe(statSync(geojson).size);
    expect(await readingBytes(join(tmp, 'no-such-file.geojson'))).toBe(-1);
  });
});

describe('openImportInWorker', () => {
  it('writes the same settlements as one thread, with progress up to 1', async () => {
    const path = join(tmp, 'worker-points.geojson');
    await writeBigGeoJson(path, 3);
    const [one, two] = await importBoth(path, { file: path, role: 'settlements' });
    expect(one.rows.length).toBeGreaterThan(10000);
    expect(two.info).toEqual(one.info);
    expect(two.rows).toEqual(one.rows);
    expect(two.warnings).toEqual(one.warnings);
    expect(two.fractions.at(-1)).toBe(1);
    expect(two.fractions.some((f) => f > 0.2 && f < 0.8)).toBe(true);
  }, 60_000);

  it('writes the same polygons (closed rings, ids, mixed kinds) as one thread', async () => {
    const features = [];
    for (let i = 0; i < 9000; i++) {
      const x = 114 + (i % 100) / 40, y = 24.6 + Math.floor(i / 100) / 40, d = 0.01;
      const ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d]];
      if (i % 7) ring.push([x, y]); // every 7th ring unclosed: closed with a warning
      features.push({
        type: 'Feature', id: i % 5 ? `c${i}` : i,
        geometry: i % 3 ? { type: 'Polygon', coordinates: [ring] } : { type: 'MultiPolygon', coordinates: [[ring]] },
        // cell: integers, then a real, then text from feature 6000 on (the column widens across messages)
        properties: { 运营商: ['移动', '电信', '联通'][i % 3], cell: i < 4500 ? i : i < 6000 ? i + 0.5 : `c${i}`, note: i % 11 ? null : { k: i } },
      });
    }
    const path = writeTmp('worker-polygons.geojson', JSON.stringify({ type: 'FeatureCollection', features }));
    const [one, two] = await importBoth(path, { file: path, role: 'mobile' });
    expect(one.rows).toHaveLength(9000);
    expect(one.warnings.some((w) => /rings were not closed/.test(w))).toBe(true);
    expect(two.info).toEqual(one.info);
    expect(two.rows).toEqual(one.rows);
    expect(two.warnings).toEqual(one.warnings);
  }, 60_000);

  it('reports the same issues and warnings as one thread for the hostile GeoJSON and CSV files', async () => {
    const cases = CASES.filter((c) => /\.(geojson|csv)$/.test(c.file) && c.role !== 'sites');
    expect(cases.length).toBeGreaterThan(30);
    for (const c of cases) {
      const path = join(BAD, c.file);
      const request: ImportRequest = { file: c.file, role: c.role, ...c.request };
      const one = await openImport(path, request);
      const n1 = await drain(one);
      const two = await openImportInWorker(path, request, { minBytes: 0 });
      const n2 = await drain(two);
      expect({ file: c.file, rows: n2, issues: two.issues, warnings: two.warnings, truncated: two.truncated })
        .toEqual({ file: c.file, rows: n1, issues: one.issues, warnings: one.warnings, truncated: one.truncated });
    }
  }, 240_000);

  it('the service imports a file above WORKER_MIN_BYTES through the worker, with progress', async () => {
    const path = join(tmp, 'worker-service.geojson');
    const count = await writeBigGeoJson(path, Math.ceil(WORKER_MIN_BYTES / 1024 ** 2) + 1);
    const gpkg = join(tempDir(), 'w.gpkg');
    Workspace.create(gpkg).close();
    const service = AtlasService.open(gpkg);
    try {
      const before = threads();
      let most = before;
      const phases = new Set<string>();
      const outcome = await service.importLayer({ file: path, role: 'settlements' }, (p) => {
        phases.add(p.phase);
        most = Math.max(most, threads());
      });
      expect(outcome.ok && outcome.layer.featureCount).toBe(count);
      expect([...phases]).toEqual(['reading', 'writing', 'done']);
      expect(most).toBeGreaterThan(before); // a worker thread ran
    } finally {
      service.close();
    }
  }, 120_000);

  it('stops the worker and writes nothing when the signal aborts mid-way', async () => {
    const path = join(tmp, 'worker-abort.geojson');
    await writeBigGeoJson(path, 3);
    const ws = Workspace.create(join(tempDir(), 'w.gpkg'));
    try {
      const controller = new AbortController();
      const stream = await openImportInWorker(path, { file: path, role: 'settlements' }, { minBytes: 0, signal: controller.signal });
      let batches = 0;
      let during = 0;
      const written = ws.writeLayers([{ meta: { name: 'l', role: 'settlements', geometryType: 'POINT', fields: stream.fields }, batches: stream.batches }], {
        signal: controller.signal,
        onProgress: () => {
          if (++batches > 1) return;
          during = threads();
          controller.abort();
        },
      });
      await expect(written).rejects.toMatchObject({ code: 'aborted' });
      expect(ws.layers()).toEqual([]);
      // The worker's thread is gone.
      await new Promise((r) => setTimeout(r, 300));
      expect(threads()).toBeLessThan(during);
    } finally {
      ws.close();
    }
  }, 60_000);
});
