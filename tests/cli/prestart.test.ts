// `analyze WORKSPACE` starts its first worker before it loads the analysis, for workspaces big enough to be analysed
// on several threads (the file size stands in for what the workspace holds: the CLI has not opened it yet).
import { closeSync, ftruncateSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIN_PARALLEL_BYTES, takeSpareWorker, waitForSpareBoot } from '../../data/crew-start';
import { prestartWorkspaceAnalysis } from '../../cli/analyze-options';

describe('prestartWorkspaceAnalysis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-prestart-'));

  it('starts no worker for a small workspace, nor for a missing one', () => {
    const small = join(dir, 'small.gpkg');
    writeFileSync(small, 'x');
    prestartWorkspaceAnalysis(small);
    prestartWorkspaceAnalysis(join(dir, 'missing.gpkg'));
    expect(takeSpareWorker()).toBeUndefined();
  });

  it.skipIf(availableParallelism() < 2)('starts one for a workspace of MIN_PARALLEL_BYTES or more, which boots and is taken', async () => {
    const big = join(dir, 'big.gpkg');
    // A sparse file: only its size is read.
    const fd = openSync(big, 'w');
    ftruncateSync(fd, MIN_PARALLEL_BYTES);
    closeSync(fd);
    prestartWorkspaceAnalysis(big);
    expect(waitForSpareBoot(30_000)).toBe(true);
    const worker = takeSpareWorker();
    expect(worker).toBeDefined();
    expect(takeSpareWorker()).toBeUndefined();
    await worker!.terminate();
  }, 60_000);
});
