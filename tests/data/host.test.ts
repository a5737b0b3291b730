// The worker-thread host answers the same API as the service, with progress, from TypeScript sources.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../api/contract';
import { startAtlasHost } from '../../data/host';
import { Workspace } from '../../data/workspace';

describe('startAtlasHost', () => {
  it('runs the service in a worker: import with progress, analyze, errors without stacks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atlas-host-'));
    const path = join(dir, 'ws.gpkg');
    Workspace.create(path).close();
    const csv = join(dir, 's.csv');
    writeFileSync(csv, 'id,name,households,county,lon,lat\na,甲,30,于都县,115.4,25.9\n');
    const host = await startAtlasHost({ workspace: path });
    try {
      const progress: ImportProgress[] = [];
      const out = await host.importLayer({ file: csv, role: 'settlements' }, (p) => progress.push(p));
      expect(out.ok).toBe(true);
      expect(progress.length).toBeGreaterThan(0);
      const report = await host.analyze();
      expect(report.rates.counties['于都县']).toMatchObject({ settlements: 1, focus: true });
      const err = await host.layerFeatures({ layerId: 999 }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).not.toMatch(/\n\s+at /);
    } finally {
      await host.close();
    }
  });
});
