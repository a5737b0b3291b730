// `npm run cli`: the command line from its bundle (dist/cli/, server/bundle.ts's buildCli), which starts ~0.35 s
// sooner than through tsx's loader. Plain JavaScript, so that tsx is loaded only to rebuild the bundle: when it is
// missing, or a source it was built from (or package-lock.json) is newer than it.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'cli');

function isFresh() {
  try {
    // inputs.json is written after the bundle's files: its time is the build's.
    const listed = join(out, 'inputs.json');
    const builtAt = statSync(listed).mtimeMs;
    const inputs = JSON.parse(readFileSync(listed, 'utf8'));
    return [...inputs, 'package-lock.json'].every((input) => statSync(join(root, input)).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}

if (!isFresh()) {
  const { tsImport } = await import('tsx/esm/api');
  const { buildCli } = await tsImport('../server/bundle.ts', import.meta.url);
  await buildCli(out);
}
await import(pathToFileURL(join(out, 'main.mjs')).href);
