// Runs the CLI as users do (bin/atlas, which `npm run cli` runs: scripts/cli.mjs from the bundle it keeps fresh),
// capturing exit code and output.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; timeout?: number; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync('/bin/sh', [join(root, 'bin', 'atlas'), ...args], {
    cwd: options.cwd ?? root,
    encoding: 'utf8',
    timeout: options.timeout ?? 120_000,
    env: { ...process.env, FORCE_COLOR: '0', ...options.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
