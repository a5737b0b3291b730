// Exports in Electron: the main process asks where to save (native dialog) and writes there; the page's
// own `out` is ignored, and cancelling the dialog writes nothing.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch, FileGrants } from '../../electron/dispatch';
import { fakeApi } from './fake-api';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atlas-electron-export-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('Electron exports', () => {
  it('writes where the user chose, offering a dated Chinese name', async () => {
    const api = fakeApi('/w/demo.gpkg');
    const offered: string[] = [];
    const chosen = join(dir, '我的月报.xlsx');
    const ctx = { api, grants: new FileGrants(), chooseSavePath: async (name: string) => { offered.push(name); return chosen; } };
    const evil = join(dir, 'evil.xlsx');
    const reply = await dispatch(ctx, 'exportReport', [{ month: '2020-06', format: 'xlsx', out: evil }]);
    expect(reply).toMatchObject({ ok: true, value: { path: chosen, fileName: '我的月报.xlsx' } });
    expect(offered).toEqual(['月报_2020-06.xlsx']);
    expect(await readFile(chosen, 'utf8')).toBe('report 2020-06 xlsx');
    await expect(stat(evil)).rejects.toThrow();
  });

  it('answers null and writes nothing when the dialog is cancelled; refuses without a dialog', async () => {
    const api = fakeApi('/w/demo.gpkg');
    const cancelled = await dispatch({ api, grants: new FileGrants(), chooseSavePath: async () => null }, 'exportLedger', [{}]);
    expect(cancelled).toEqual({ ok: true, value: null });
    expect(api.calls.filter((c) => c.method === 'exportLedger')).toHaveLength(0);
    const refused = await dispatch({ api, grants: new FileGrants() }, 'exportMap', [{ dpi: 150, paper: 'A4' }]);
    expect(refused).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no save dialog/) } });
    expect(await dispatch({ api, grants: new FileGrants(), chooseSavePath: async () => 'x' }, 'exportMap', ['x'])).toMatchObject({ ok: false });
  });
});
