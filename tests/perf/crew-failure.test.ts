// A crew worker that stops without a word (killed, out of memory) fails the analysis with a message instead of
// leaving the main thread waiting for it, and a JSON report being written is not left behind half-written.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveOptions } from '../../gis';
import { writeGeoJsonAnalysisJson, type AnalysisFiles } from '../../data/analyze-files';
import { analyzeWorkspace, writeWorkspaceAnalysisJson } from '../../data/workspace/analysis';
import { Workspace } from '../../data/workspace/index';
import { coverage, settlements } from '../workspace/helpers';
import { campaignSeeds } from '../../seeds/campaign';
import { writeDemoFiles } from '../../seeds/demo';

// An analysis takes a prestarted worker first: here one that stops on its own at a chosen point (a stop from the
// main thread could not happen while that thread blocked in a wait).
vi.mock('../../data/crew-start', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../data/crew-start')>();
  const { startDataWorker } = await import('../../data/node-worker');
  return { ...original, takeSpareWorker: () => startDataWorker('../tests/perf/fixtures/crew-worker-stops', { workerData: null }) };
});

let dir: string;
let demo: AnalysisFiles;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-crew-failure-'));
  const { files } = await writeDemoFiles(join(dir, 'demo'), { seed: 3, settlements: 4000, mobilePolygons: 3000, broadbandPolygons: 1000 });
  demo = { settlements: files.settlements, mobile: files.mobile, broadband: [files.broadband] };
}, 60_000);

describe('a crew worker that stops without a word', () => {
  it('before it writes the rates: the JSON report fails with a message and its half-written file is removed', async () => {
    process.env.ATLAS_TEST_STOP = 'rates';
    const out = join(dir, 'report.json');
    writeFileSync(out, 'earlier report');
    await expect(writeGeoJsonAnalysisJson(demo, resolveOptions({}), campaignSeeds(), out, { threads: 2, minParallelBytes: 0 }))
      .rejects.toThrow(/analysis worker stopped early \(exit code 3\)/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('while it packs a workspace layer: the workspace analysis fails with a message', async () => {
    process.env.ATLAS_TEST_STOP = 'pack';
    const path = join(dir, 'ws.gpkg');
    const ws = Workspace.create(path);
    try {
      // Enough settlements that the worker claims a layer while this thread still reads them.
      await ws.writeLayer({ name: '聚居区', role: 'settlements', geometryType: 'POINT' }, [settlements(150_000)]);
      await ws.writeLayer({ name: '移动', role: 'mobile', geometryType: 'MULTIPOLYGON' }, [coverage(200, 3)]);
      await ws.writeLayer({ name: '联通', role: 'mobile', geometryType: 'MULTIPOLYGON' }, [coverage(200, 4)]);
      await ws.writeLayer({ name: '宽带', role: 'broadband', geometryType: 'MULTIPOLYGON' }, [coverage(200, 5)]);
      await expect(analyzeWorkspace(ws, {}, campaignSeeds(), undefined, { threads: 2, minParallelPolygons: 0 }))
        .rejects.toThrow(/analysis worker stopped early \(exit code 3\)/);
      expect(ws.cacheEntry('masks')).toBeUndefined();
    } finally {
      ws.close();
    }
  }, 60_000);

  it("before it writes a workspace's rates: the JSON report fails with a message and its half-written file is removed", async () => {
    process.env.ATLAS_TEST_STOP = 'rates';
    const ws = Workspace.create(join(dir, 'ws-rates.gpkg'));
    const out = join(dir, 'ws-report.json');
    writeFileSync(out, 'earlier report');
    try {
      await ws.writeLayer({ name: '聚居区', role: 'settlements', geometryType: 'POINT' }, [settlements(2000)]);
      await ws.writeLayer({ name: '移动', role: 'mobile', geometryType: 'MULTIPOLYGON' }, [coverage(200, 3)]);
      await ws.writeLayer({ name: '宽带', role: 'broadband', geometryType: 'MULTIPOLYGON' }, [coverage(200, 5)]);
      await expect(writeWorkspaceAnalysisJson(ws, out, {}, campaignSeeds(), undefined, { threads: 2, minParallelPolygons: 0 }))
        .rejects.toThrow(/analysis worker stopped early \(exit code 3\)/);
      expect(existsSync(out)).toBe(false);
    } finally {
      ws.close();
    }
  }, 60_000);
});
