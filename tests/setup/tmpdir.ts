// Every test's temporary files go into one folder per run (TMPDIR is inherited by the test workers and the
// processes they start), removed when the run ends.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-tests-'));
  // As open as /tmp itself: some tests run a process as an ordinary user inside it.
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
