// scripts/cli.mjs (`npm run cli`): runs the bundle in dist/cli, rebuilt only when a source is newer than it.
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli';

const listed = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'inputs.json');

describe('npm run cli', () => {
  it('runs the bundle, builds it when missing or stale, and not otherwise', () => {
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('覆盖图谱 Coverage Atlas');
    const inputs = JSON.parse(readFileSync(listed, 'utf8')) as string[];
    expect(inputs).toEqual(expect.arrayContaining(['cli/main.ts', 'data/analysis-crew-worker.ts', 'gis/classify.ts']));

    const builtAt = statSync(listed).mtimeMs;
    expect(runCli(['--help']).status).toBe(0);
    expect(statSync(listed).mtimeMs).toBe(builtAt);

    // As if every source had changed since the build.
    const past = new Date('2020-06-25T00:00:00Z');
    utimesSync(listed, past, past);
    const again = runCli(['--help']);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(help.stdout);
    expect(statSync(listed).mtimeMs).toBeGreaterThan(past.getTime());
  }, 120_000);
});
