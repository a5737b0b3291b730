// The CLI as users start it: bin/atlas running the bundle `npm run cli` runs (server/bundle.ts's buildCli, see
// scripts/cli.mjs), built for timing under node_modules/.cache, apart from dist/cli, so that a bench never races a
// user's rebuild.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildCli } from '../server/bundle';
import { measure, type Measure } from './measure';

const root = join(import.meta.dirname, '..');

/** How a bench starts the CLI: `cmd ...args` followed by the command's own arguments, in `env`. */
export interface CliCommand { cmd: string; args: string[]; env?: NodeJS.ProcessEnv }

/** bin/atlas with the CLI built into node_modules/.cache/<name>. */
export async function buildCliBundle(name = 'coverage-atlas-bench'): Promise<CliCommand> {
  const main = await buildCli(join(root, 'node_modules', '.cache', name));
  return { cmd: '/bin/sh', args: [join(root, 'bin', 'atlas')], env: { ...process.env, ATLAS_CLI_MAIN: main } };
}

/** The CLI from its TypeScript sources through tsx's loader (the bench's --tsx). */
export function tsxCli(): CliCommand {
  return { cmd: process.execPath, args: ['--import', 'tsx', join(root, 'cli', 'main.ts')] };
}

/** measure() of the CLI running `args`. */
export function measureCli(cli: CliCommand, args: string[]): Measure {
  return measure(cli.cmd, [...cli.args, ...args], cli.env);
}

/**
 * measureCli() of `analyze ARGS --format json --out OUT`, the report written as a new file, as a first analysis
 * writes it: a run overwriting the last run's file reuses that file's pages, and a run that had to allocate them cost
 * up to 0.4 s more at L (bench/RESULTS.md, sixteenth session).
 */
export function measureReport(cli: CliCommand, args: string[], out: string): Measure {
  rmSync(out, { force: true });
  return measureCli(cli, ['analyze', ...args, '--format', 'json', '--out', out]);
}
