import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rendererIsStale } from '../../server/build';
import { parseServeArgs } from '../../server/main';

describe('npm run serve arguments', () => {
  it('defaults to port 5917 and the demo workspace', () => {
    expect(parseServeArgs([])).toEqual({ port: 5917, build: true });
  });
  it('reads --port, --no-build and one workspace', () => {
    expect(parseServeArgs(['--port', '0', 'ws/于都.gpkg'])).toEqual({ port: 0, build: true, workspace: resolve('ws/于都.gpkg') });
    expect(parseServeArgs(['--port=8080', '--no-build'])).toEqual({ port: 8080, build: false });
  });
  it('refuses bad ports, unknown options and two workspaces with the usage text', () => {
    expect(() => parseServeArgs(['--port', 'abc'])).toThrow(/--port expects an integer 0–65535, got "abc"\nUsage/);
    expect(() => parseServeArgs(['--port', '70000'])).toThrow(/got "70000"/);
    expect(() => parseServeArgs(['--host', '0.0.0.0'])).toThrow(/Unknown option --host/);
    expect(() => parseServeArgs(['a.gpkg', 'b.gpkg'])).toThrow(/Only one workspace/);
  });
});

describe('renderer build staleness', () => {
  let root: string;
  afterAll(() => rm(root, { recursive: true, force: true }));
  it('is stale when missing or older than any source, fresh otherwise', async () => {
    root = await mkdtemp(join(tmpdir(), 'atlas-stale-'));
    await mkdir(join(root, 'renderer', 'map'), { recursive: true });
    await writeFile(join(root, 'renderer', 'map', 'style.ts'), 'x');
    expect(await rendererIsStale(root)).toBe(true);
    await mkdir(join(root, 'dist', 'renderer'), { recursive: true });
    await writeFile(join(root, 'dist', 'renderer', 'index.html'), '<html>');
    const old = new Date(Date.now() - 60_000);
    await utimes(join(root, 'renderer', 'map', 'style.ts'), old, old);
    await utimes(join(root, 'renderer', 'map'), old, old);
    await utimes(join(root, 'renderer'), old, old);
    expect(await rendererIsStale(root)).toBe(false);
    await writeFile(join(root, 'renderer', 'map', 'style.ts'), 'changed');
    expect(await rendererIsStale(root)).toBe(true);
  });
});
