// The CLI as `npm run cli` runs it (server/bundle.ts's buildCli, see scripts/cli.mjs), built for timing under
// node_modules/.cache, apart from dist/cli, so that a bench never races a user's rebuild.
import { join } from 'node:path';
import { buildCli } from '../server/bundle';

const root = join(import.meta.dirname, '..');

/** Builds into node_modules/.cache/<name>; returns the node arguments that start the CLI. */
export async function buildCliBundle(name = 'coverage-atlas-bench'): Promise<string[]> {
  return [await buildCli(join(root, 'node_modules', '.cache', name))];
}
