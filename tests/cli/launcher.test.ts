// bin/atlas (`npm run cli`) runs scripts/cli.mjs, which runs the bundle in dist/cli, rebuilt only when a source is newer
// than it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli';

const root = join(import.meta.dirname, '..', '..');
const listed = join(root, 'dist', 'cli', 'inputs.json');

describe('npm run cli', () => {
  it('runs the bundle, builds it when missing or stale, and not otherwise', () => {
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('覆盖图谱 Coverage Atlas');
    const inputs = JSON.parse(readFileSync(listed, 'utf8')) as string[];
    expect(inputs).toEqual(expect.arrayContaining(['cli/main.ts', 'data/analysis-crew-worker.ts', 'gis/classify.ts', 'server/bundle.ts']));

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

  it('builds the analysis crew worker as CommonJS that requires no package written as an ES module', () => {
    // Built anew, by the build code as it is now.
    const past = new Date('2020-06-25T00:00:00Z');
    utimesSync(listed, past, past);
    expect(runCli(['--help']).status).toBe(0);
    const worker = readFileSync(join(root, 'dist', 'cli', 'analysis-crew-worker.cjs'), 'utf8');
    const required = new Set([...worker.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]));
    // robust-predicates is an ES module: required from the worker, it started Node's ES module loader there, which
    // building the worker as CommonJS is meant to avoid. better-sqlite3 is CommonJS (a native addon).
    expect([...required].filter((name) => !name.startsWith('node:'))).toEqual(['better-sqlite3']);
    expect(JSON.parse(readFileSync(listed, 'utf8'))).toEqual(expect.arrayContaining(['node_modules/robust-predicates/esm/orient2d.js']));
  }, 120_000);
});

describe('bin/atlas', () => {
  // Node prints this warning at start when it reads the file and cannot load it.
  const missingCa = { NODE_EXTRA_CA_CERTS: join(tmpdir(), 'atlas-no-such-ca.pem') };

  it('starts Node without the certificates NODE_EXTRA_CA_CERTS names (Node itself would read them first)', () => {
    const direct = spawnSync(process.execPath, [join(root, 'scripts', 'cli.mjs'), '--help'], { encoding: 'utf8', env: { ...process.env, ...missingCa } });
    expect(direct.stderr).toContain('Ignoring extra certs');
    const launched = runCli(['--help'], { env: missingCa });
    expect(launched.status).toBe(0);
    expect(launched.stdout).toContain('覆盖图谱 Coverage Atlas');
    expect(launched.stderr).toBe('');
  }, 120_000);

  it('finds the project through a symbolic link (npm links package bins that way)', () => {
    const link = join(mkdtempSync(join(tmpdir(), 'atlas-bin-')), 'atlas');
    symlinkSync(join(root, 'bin', 'atlas'), link);
    const r = spawnSync('/bin/sh', [link, '--help'], { encoding: 'utf8', cwd: tmpdir() });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('覆盖图谱 Coverage Atlas');
  }, 120_000);

  it('runs the built CLI that ATLAS_CLI_MAIN names instead', () => {
    const r = runCli(['--help'], { env: { ATLAS_CLI_MAIN: join(root, 'tests', 'cli', 'no-such-main.mjs') } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('no-such-main.mjs');
  });
});
