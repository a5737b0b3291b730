// Regression: racing each next() against one long-lived abort promise kept every written batch reachable, so a
// 300 MB import with a cancel signal ran out of a 400 MB heap. Written batches must be collectable.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('abortable-import-retained-every-batch: written batches are garbage once written', () => {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'retention-child.ts')], { encoding: 'utf8' });
  expect(Number(out)).toBe(0);
});
