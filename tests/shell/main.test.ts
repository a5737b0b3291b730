// Runs electron/main.ts against a recording fake of the electron module (no Electron binary here) and
// checks that the window, protocol, permissions, navigation guards and IPC are wired as security.ts says.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_METHODS } from '../../api/contract';

const fake = vi.hoisted(() => {
  type Fn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const listeners = new Map<string, Fn[]>();
  const on = (map: Map<string, Fn[]>) => (name: string, fn: Fn) => {
    map.set(name, [...(map.get(name) ?? []), fn]);
  };
  const state = {
    userData: '',
    appListeners: listeners,
    privileged: [] as unknown[],
    sandboxEnabled: false,
    protocolHandlers: new Map<string, Fn>(),
    ipcHandlers: new Map<string, Fn>(),
    permissionRequest: null as Fn | null,
    permissionCheck: null as Fn | null,
    windows: [] as { options: Record<string, unknown>; url: string; events: Map<string, Fn[]>; sent: unknown[][]; reloads: number }[],
    menus: [] as unknown[],
    openedExternal: [] as string[],
    readyResolve: null as (() => void) | null,
  };
  return { state, on };
});

vi.mock('electron', () => {
  const { state, on } = fake;
  const ready = new Promise<void>((r) => { state.readyResolve = r; });
  class BrowserWindow {
    webContents: { send: (...a: unknown[]) => void; reload: () => void };
    private record;
    constructor(options: Record<string, unknown>) {
      const rec = { options, url: '', events: new Map(), sent: [] as unknown[][], reloads: 0 };
      this.record = rec;
      state.windows.push(rec);
      this.webContents = { send: (...a: unknown[]) => rec.sent.push(a), reload: () => { rec.reloads++; } };
    }
    loadURL(url: string) { this.record.url = url; return Promise.resolve(); }
    once(name: string, fn: () => void) { on(this.record.events)(name, fn); }
    on(name: string, fn: () => void) { on(this.record.events)(name, fn); }
    maximize() {}
    show() {}
    isDestroyed() { return false; }
    isMaximized() { return false; }
    getNormalBounds() { return { x: 1, y: 2, width: 1300, height: 900 }; }
  }
  return {
    app: {
      setPath: (name: string, value: string) => { if (name === 'userData') state.userData = value; },
      getPath: (name: string) => (name === 'userData' ? state.userData : join(process.env.ATLAS_TEST_HOME!, name)),
      enableSandbox: () => { state.sandboxEnabled = true; },
      on: on(state.appListeners),
      requestSingleInstanceLock: () => true,
      whenReady: () => ready,
      isPackaged: false,
      getVersion: () => '0.1.0',
      quit: () => undefined,
      exit: () => undefined,
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => state.privileged.push(...s),
      handle: (scheme: string, fn: (...a: unknown[]) => unknown) => state.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: () => void) => { state.permissionRequest = fn; },
        setPermissionCheckHandler: (fn: () => boolean) => { state.permissionCheck = fn; },
      },
    },
    ipcMain: { handle: (channel: string, fn: (...a: unknown[]) => unknown) => state.ipcHandlers.set(channel, fn) },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => state.menus.push(m) },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    shell: { openExternal: async (url: string) => { state.openedExternal.push(url); } },
    dialog: { showErrorBox: () => undefined, showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showSaveDialog: async () => ({ canceled: true }), showMessageBox: async () => ({}) },
    BrowserWindow,
  };
});

vi.mock('../../data/host', async () => {
  const { fakeApi } = await import('./fake-api');
  return {
    startAtlasHost: async (options: { workspace?: string; demoPath?: string }) => ({
      ...fakeApi(options.workspace ?? options.demoPath!),
      close: async () => undefined,
    }),
  };
});

const { state } = fake;
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'atlas-main-test-'));
  process.env.ATLAS_TEST_HOME = home;
  await import('../../electron/main');
  state.readyResolve!();
  await vi.waitFor(() => expect(state.windows).toHaveLength(1), { timeout: 5000 });
});
afterAll(() => rm(home, { recursive: true, force: true }));

const trusted = { url: 'app://atlas/index.html', parent: null };

describe('electron/main.ts wiring', () => {
  it('registers the privileged app:// scheme and enables the sandbox before ready', async () => {
    const { APP_SCHEME_PRIVILEGES } = await import('../../electron/security');
    expect(state.privileged).toEqual([APP_SCHEME_PRIVILEGES]);
    expect(state.sandboxEnabled).toBe(true);
    expect(state.userData).toBe(join(home, 'appData', 'coverage-atlas'));
  });

  it('opens one window with the secure preferences on app://atlas/', async () => {
    const { WINDOW_WEB_PREFERENCES } = await import('../../electron/security');
    const [win] = state.windows;
    expect(win.url).toBe('app://atlas/index.html');
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ ...WINDOW_WEB_PREFERENCES });
    expect(String(prefs.preload)).toMatch(/electron[\\/]preload\.cjs$/);
  });

  it('serves the renderer through protocol.handle with the CSP', async () => {
    const handler = state.protocolHandlers.get('app')!;
    const res: Response = await handler(new Request('app://atlas/index.html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    // The URL parser already folds %2e%2e into a dot segment; either way nothing outside is served.
    expect((await handler(new Request('app://atlas/%2e%2e/package.json'))).status).toBe(404);
    expect((await handler(new Request('app://atlas/..%2fpackage.json'))).status).toBe(403);
  });

  it('denies every permission', () => {
    const answers: boolean[] = [];
    state.permissionRequest!({}, 'media', (granted: boolean) => answers.push(granted), {});
    state.permissionRequest!({}, 'geolocation', (granted: boolean) => answers.push(granted), {});
    expect(answers).toEqual([false, false]);
    expect(state.permissionCheck!({}, 'notifications')).toBe(false);
  });

  it('guards navigation, redirects, webviews and new windows of every web contents', () => {
    const events = new Map<string, ((...a: unknown[]) => void)[]>();
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    const contents = {
      on: (name: string, fn: (...a: unknown[]) => void) => events.set(name, [...(events.get(name) ?? []), fn]),
      setWindowOpenHandler: (fn: typeof openHandler) => { openHandler = fn; },
    };
    for (const fn of state.appListeners.get('web-contents-created')!) fn({}, contents);
    const tryNav = (name: string, url: string) => {
      let prevented = false;
      for (const fn of events.get(name)!) fn({ url, preventDefault: () => { prevented = true; } });
      return prevented;
    };
    expect(tryNav('will-navigate', 'https://evil.example/')).toBe(true);
    expect(tryNav('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(tryNav('will-navigate', 'app://atlas/index.html')).toBe(false);
    expect(tryNav('will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(tryNav('will-attach-webview', 'app://atlas/index.html')).toBe(true);
    expect(openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'https://console.tianditu.gov.cn/' })).toEqual({ action: 'deny' });
    expect(state.openedExternal).toEqual(['https://console.tianditu.gov.cn/']);
  });

  it('answers IPC only for the app frame, and streams import progress to the caller', async () => {
    const invoke = (channel: string, frame: unknown, args: unknown[], nonce?: number) => {
      const sent: unknown[][] = [];
      const event = { senderFrame: frame, sender: { isDestroyed: () => false, send: (...a: unknown[]) => sent.push(a) } };
      return Promise.resolve(state.ipcHandlers.get(channel)!(event, args, nonce)).then((r: unknown) => ({ r, sent }));
    };
    expect([...state.ipcHandlers.keys()].filter((k) => k.startsWith('atlas:api:'))).toHaveLength(API_METHODS.length);
    expect((await invoke('atlas:api:workspace', { url: 'https://evil.example/', parent: null }, [])).r).toMatchObject({ ok: false });
    expect((await invoke('atlas:api:workspace', { url: 'app://atlas/index.html', parent: {} }, [])).r).toMatchObject({ ok: false });
    expect((await invoke('atlas:api:workspace', null, [])).r).toMatchObject({ ok: false });
    const ok = await invoke('atlas:api:workspace', trusted, []);
    expect(ok.r).toMatchObject({ ok: true, value: { path: join(home, 'appData', 'coverage-atlas', 'demo', 'demo-workspace.gpkg') } });

    // A path the user never chose is refused; one dropped on the window (via the preload) is accepted.
    expect((await invoke('atlas:api:importLayer', trusted, [{ file: '/etc/passwd', role: 'settlements' }], 1)).r).toMatchObject({ ok: false });
    const csv = join(home, 'pts.csv');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(csv, 'lon,lat\n');
    const prepared = await invoke('atlas:prepareImportFiles', trusted, [{ path: join(home, 'pts.prj'), name: 'pts.prj' }, { path: csv, name: 'pts.csv' }] as never);
    expect(prepared.r).toEqual({ ok: true, value: { file: csv, name: 'pts.csv' } });
    const imported = await invoke('atlas:api:importLayer', trusted, [{ file: csv, role: 'settlements' }], 7);
    expect(imported.r).toMatchObject({ ok: true });
    expect(imported.sent.map(([ch, m]) => [ch, (m as { nonce: number; progress: { rows: number } }).nonce, (m as { progress: { rows: number } }).progress.rows]))
      .toEqual([['atlas:importProgress', 7, 10], ['atlas:importProgress', 7, 20], ['atlas:importProgress', 7, 30]]);
  });

  it('builds the Chinese menu, switches to English with the setting, and remembers the workspace', async () => {
    type Item = { label: string };
    const first = state.menus[0] as Item[];
    expect(first.map((m) => m.label)).toEqual(['文件(&F)', '视图(&V)', '帮助(&H)']);
    await state.ipcHandlers.get('atlas:api:updateSettings')!({ senderFrame: trusted, sender: {} }, [{ language: 'en' }]);
    expect((state.menus.at(-1) as Item[]).map((m) => m.label)).toEqual(['&File', '&View', '&Help']);
    const saved = JSON.parse(await readFile(join(state.userData, 'coverage-atlas-window.json'), 'utf8'));
    expect(saved.lastWorkspace).toBe(join(state.userData, 'demo', 'demo-workspace.gpkg'));
  });

  it('reloads the page when the online basemap setting changes (the CSP is fixed per page load)', async () => {
    const before = state.windows[0].reloads;
    await state.ipcHandlers.get('atlas:api:updateSettings')!({ senderFrame: trusted, sender: {} },
      [{ onlineBasemap: { enabled: true, provider: 'tianditu', key: 'k', urlTemplate: '' } }]);
    expect(state.windows[0].reloads).toBe(before + 1);
    const res: Response = await state.protocolHandlers.get('app')!(new Request('app://atlas/index.html'));
    expect(res.headers.get('content-security-policy')).toContain('https://*.tianditu.gov.cn');
  });
});
