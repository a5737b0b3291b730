// Child for retention.test.ts (run with --expose-gc): does writeLayer keep batches it has written alive?
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workspace } from '../../data/workspace';
import type { Feature } from '../../gis/types';

const ws = Workspace.create(join(mkdtempSync(join(tmpdir(), 'atlas-retention-')), 'w.gpkg'));
const refs: WeakRef<Feature[]>[] = [];
const gc = (globalThis as { gc?: () => void }).gc!;
let alive = -1;

async function* batches(): AsyncGenerator<Feature[]> {
  for (let b = 0; b < 40; b++) {
    const batch: Feature[] = Array.from({ length: 100 }, (_, i) => ({
      type: 'Feature', geometry: { type: 'Point', coordinates: [115 + i / 1000, 25] }, properties: { id: `${b}-${i}` },
    }));
    refs.push(new WeakRef(batch));
    yield batch;
  }
  await new Promise((r) => setTimeout(r, 10));
  gc();
  alive = refs.slice(0, 30).filter((r) => r.deref() !== undefined).length;
}

await ws.writeLayer({ name: 'r', role: 'settlements', geometryType: 'POINT' }, batches(), { signal: new AbortController().signal });
ws.close();
process.stdout.write(String(alive));
