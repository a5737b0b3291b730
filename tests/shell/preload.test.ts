// Loads electron/preload.ts against a fake electron module and checks what it exposes to the page.
import { describe, expect, it, vi } from 'vitest';
import { API_METHODS } from '../../api/contract';
import { createIpcApi } from '../../renderer/api/ipc-client';
import type { AtlasBridge } from '../../renderer/api/types';

const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoked: [] as unknown[][],
  listeners: new Map<string, (event: unknown, message: unknown) => void>(),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => fake.exposed.set(key, value) },
  ipcRenderer: {
    invoke: async (...args: unknown[]) => {
      fake.invoked.push(args);
      const [channel, , nonce] = args as [string, unknown, number];
      if (channel === 'atlas:api:importLayer') {
        fake.listeners.get('atlas:importProgress')!({}, { nonce, progress: { jobId: 'j', phase: 'reading', rows: 5, fraction: null } });
        fake.listeners.get('atlas:importProgress')!({}, { nonce: nonce + 1000, progress: { jobId: 'k', phase: 'reading', rows: 9, fraction: null } });
        return { ok: true, value: { ok: false, issues: [], truncated: false } };
      }
      if (channel === 'atlas:api:layerFeatures') return { ok: false, error: { message: 'no such layer', issues: [{ field: 'layerId' }] } };
      return { ok: true, value: channel };
    },
    on: (channel: string, fn: (event: unknown, message: unknown) => void) => fake.listeners.set(channel, fn),
  },
  webUtils: { getPathForFile: (f: { name: string }) => (f.name === 'dropped.csv' ? '/home/u/dropped.csv' : '') },
}));

describe('preload bridge', async () => {
  await import('../../electron/preload');
  const bridge = fake.exposed.get('atlas') as Record<string, unknown>;

  it('exposes only window.atlas: one function per API method plus the shell helpers, no ipcRenderer', () => {
    expect([...fake.exposed.keys()]).toEqual(['atlas']);
    expect(Object.keys(bridge).sort()).toEqual([...API_METHODS, 'onImportProgress', 'chooseImportFile', 'prepareImportFiles', 'onCommand'].sort());
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function');
    expect(JSON.stringify(Object.keys(bridge))).not.toMatch(/ipc|invoke|send/i);
  });

  it('invokes one channel per method with the argument array', async () => {
    const b = bridge as unknown as AtlasBridge;
    expect(await b.searchSettlements('潮溪', 5)).toEqual({ ok: true, value: 'atlas:api:searchSettlements' });
    expect(fake.invoked.at(-1)).toEqual(['atlas:api:searchSettlements', ['潮溪', 5]]);
  });

  it('routes import progress to the caller by nonce and to global listeners', async () => {
    const b = bridge as unknown as AtlasBridge;
    const mine: number[] = [];
    const all: number[] = [];
    const off = b.onImportProgress((p) => all.push(p.rows));
    await b.importLayer({ file: '/x.csv', role: 'settlements' }, (p) => mine.push(p.rows));
    off();
    await b.importLayer({ file: '/x.csv', role: 'settlements' });
    expect(mine).toEqual([5]);
    expect(all).toEqual([5, 9]);
  });

  it('sends real paths of dropped files only', async () => {
    const b = bridge as unknown as AtlasBridge;
    await b.prepareImportFiles([new File(['a'], 'dropped.csv'), new File(['b'], 'forged.csv')]);
    expect(fake.invoked.at(-1)).toEqual(['atlas:prepareImportFiles', [{ path: '/home/u/dropped.csv', name: 'dropped.csv' }, { path: '', name: 'forged.csv' }]]);
  });

  it('is what the renderer\'s IPC client expects (envelopes unwrapped, errors with issues)', async () => {
    const client = createIpcApi(bridge as unknown as AtlasBridge);
    expect(client.transport).toBe('ipc');
    expect(await client.settings()).toBe('atlas:api:settings');
    await expect(client.layerFeatures({ layerId: 3 })).rejects.toMatchObject({ name: 'ApiError', message: 'no such layer', issues: [{ field: 'layerId' }] });
    const commands: unknown[] = [];
    client.onCommand((c) => commands.push(c));
    fake.listeners.get('atlas:command')!({}, { command: 'importFile', file: { file: '/a.csv', name: 'a.csv' } });
    expect(commands).toEqual([{ command: 'importFile', file: { file: '/a.csv', name: 'a.csv' } }]);
  });
});
