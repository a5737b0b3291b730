// The desktop shell: one window on app://atlas/, the Atlas host in a worker thread, native menus and
// dialogs. Security settings come from security.ts; this file only applies them.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell, type IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_METHODS, type Settings, type WorkspaceInfo } from '../api/contract';
import { startAtlasHost, type AtlasHost } from '../data/host';
import { CHOOSE_IMPORT_FILE, IMPORT_PROGRESS, PREPARE_IMPORT_FILES, SHELL_COMMAND, apiChannel } from './channels';
import { dispatch, FileGrants, type DispatchContext, type Envelope } from './dispatch';
import { blindSpotsCsv } from './export';
import { buildMenuTemplate, menuLabels } from './menu';
import { handleAppRequest } from './protocol';
import {
  APP_ENTRY_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, buildCsp, createMainWindowOptions, isAllowedExternalUrl,
  isAllowedNavigation, isTrustedSender, permissionDecision,
} from './security';
import { existingRecent, loadState, rememberWorkspace, saveState, STATE_FILE, visibleBounds, workspaceFromArgv, type ShellState } from './state';

// dist/electron/main.mjs → dist/renderer/ and dist/electron/preload.cjs (see electron/build.ts).
const here = dirname(fileURLToPath(import.meta.url));
const ASSETS_DIR = join(here, '..', 'renderer');
const PRELOAD = join(here, 'preload.cjs');

const IMPORT_FILTERS = [
  { name: '表格与地理数据 Tables & GIS data', extensions: ['csv', 'txt', 'tsv', 'xlsx', 'geojson', 'json', 'kml', 'kmz', 'shp', 'zip'] },
  { name: '所有文件 All files', extensions: ['*'] },
];
const WORKSPACE_FILTERS = [{ name: '覆盖图谱工作空间 GeoPackage', extensions: ['gpkg'] }];

let host: AtlasHost | null = null;
let win: BrowserWindow | null = null;
let state: ShellState = { recent: [] };
let settings: Settings | null = null;
let csp = buildCsp();
const grants = new FileGrants();
const stateFile = () => join(app.getPath('userData'), STATE_FILE);
const language = () => settings?.language ?? 'zh-CN';
const en = () => language() === 'en';

// The same settings folder whether started as `electron dist/electron/main.mjs` or packaged.
app.setPath('userData', join(app.getPath('appData'), 'coverage-atlas'));
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();

// Every web contents, including any created later: no navigation away, no new windows, no <webview>.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

function applySettings(next: Settings, reloadIfBasemapChanged = true): void {
  const basemapChanged = JSON.stringify(next.onlineBasemap) !== JSON.stringify(settings?.onlineBasemap);
  settings = next;
  csp = buildCsp(next.onlineBasemap);
  buildMenu();
  // The page's CSP is fixed when it loads: reload so the opt-in tile host takes effect.
  if (basemapChanged && reloadIfBasemapChanged) win?.webContents.reload();
}

/** Settings live in the workspace: read them again after a switch. */
async function refreshSettings(reload: boolean): Promise<void> {
  try {
    applySettings(await host!.settings(), reload);
  } catch {
    // Keep the previous settings; the page reports the back end's state itself.
  }
}

function remember(info: WorkspaceInfo): void {
  grants.grant(info.path);
  state = rememberWorkspace(state, info.path);
  void saveState(stateFile(), state).catch(() => undefined);
  buildMenu();
}

const dispatchContext = (): DispatchContext => ({
  api: host!,
  grants,
  onWorkspace: (info) => {
    remember(info);
    void refreshSettings(true);
  },
  onSettings: applySettings,
  chooseSavePath: async (fileName) => {
    const ext = fileName.slice(fileName.lastIndexOf('.') + 1);
    const options = { defaultPath: join(app.getPath('documents'), fileName), filters: [{ name: ext.toUpperCase(), extensions: [ext] }] };
    const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    return result.canceled || !result.filePath ? null : result.filePath;
  },
});

function refuse(): Envelope {
  return { ok: false, error: { message: 'Refused: IPC from an untrusted frame' } };
}

function registerIpc(): void {
  for (const method of API_METHODS) {
    ipcMain.handle(apiChannel(method), (event: IpcMainInvokeEvent, args: unknown, nonce?: unknown) => {
      if (!isTrustedSender(event.senderFrame)) return refuse();
      const sender = event.sender;
      const onProgress = method === 'importLayer' && typeof nonce === 'number'
        ? (progress: unknown) => { if (!sender.isDestroyed()) sender.send(IMPORT_PROGRESS, { nonce, progress }); }
        : undefined;
      return dispatch(dispatchContext(), method, args, onProgress);
    });
  }
  ipcMain.handle(CHOOSE_IMPORT_FILE, async (event): Promise<Envelope> => {
    if (!isTrustedSender(event.senderFrame)) return refuse();
    const file = await chooseImportFile();
    return { ok: true, value: file };
  });
  ipcMain.handle(PREPARE_IMPORT_FILES, (event, files: unknown): Envelope => {
    if (!isTrustedSender(event.senderFrame)) return refuse();
    const list = Array.isArray(files) ? files.filter((f): f is { path: string; name: string } => typeof f?.path === 'string' && f.path !== '') : [];
    if (list.length === 0) return { ok: false, error: { message: '拖入的不是本机文件 Not a local file' } };
    // Sidecars (.dbf, .prj …) sit next to the main file already; only the main one is imported.
    const main = list.find((f) => !/\.(dbf|shx|prj|cpg|qix|sbn|sbx|xml|qmd)$/i.test(f.path)) ?? list[0];
    return { ok: true, value: { file: grants.grant(main.path), name: basename(main.path) } };
  });
}

async function chooseImportFile(): Promise<{ file: string; name: string } | null> {
  const options = { title: menuLabels(language()).import, properties: ['openFile' as const], filters: IMPORT_FILTERS };
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  if (result.canceled || result.filePaths.length === 0) return null;
  const file = grants.grant(result.filePaths[0]);
  return { file, name: basename(file) };
}

async function switchWorkspace(kind: 'open' | 'new', path: string): Promise<void> {
  try {
    grants.grant(path);
    const info = kind === 'open' ? await host!.openWorkspace(path) : await host!.newWorkspace(path);
    remember(info);
    await refreshSettings(false);
    // Everything on screen belongs to the old workspace: start the page afresh.
    win?.webContents.reload();
  } catch (err) {
    dialog.showErrorBox(en() ? 'Cannot open the workspace' : '无法打开工作空间', err instanceof Error ? err.message : String(err));
  }
}

async function saveTo(defaultName: string, filters: { name: string; extensions: string[] }[], content: () => Promise<string>): Promise<void> {
  const options = { defaultPath: join(app.getPath('documents'), defaultName), filters };
  const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
  if (result.canceled || !result.filePath) return;
  try {
    await writeFile(result.filePath, await content());
  } catch (err) {
    dialog.showErrorBox(en() ? 'Export failed' : '导出失败', err instanceof Error ? err.message : String(err));
  }
}

function buildMenu(): void {
  const template = buildMenuTemplate({
    language: language(),
    recent: existingRecent(state),
    devTools: !app.isPackaged,
    actions: {
      newWorkspace: async () => {
        const options = { title: menuLabels(language()).new, filters: WORKSPACE_FILTERS, defaultPath: join(app.getPath('documents'), '覆盖图谱工作空间.gpkg') };
        const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
        if (!r.canceled && r.filePath) await switchWorkspace('new', r.filePath.endsWith('.gpkg') ? r.filePath : `${r.filePath}.gpkg`);
      },
      openWorkspace: async () => {
        const options = { title: menuLabels(language()).open, filters: WORKSPACE_FILTERS, properties: ['openFile' as const] };
        const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
        if (!r.canceled && r.filePaths[0]) await switchWorkspace('open', r.filePaths[0]);
      },
      openRecent: (path) => void switchWorkspace('open', path),
      clearRecent: () => {
        state = { ...state, recent: [] };
        void saveState(stateFile(), state).catch(() => undefined);
        buildMenu();
      },
      importLayer: async () => {
        const file = await chooseImportFile();
        if (file) win?.webContents.send(SHELL_COMMAND, { command: 'importFile', file });
      },
      exportBlindSpots: () => void saveTo(en() ? 'blind-spots.csv' : '盲点清单.csv', [{ name: 'CSV', extensions: ['csv'] }],
        async () => blindSpotsCsv(await host!.blindSpots(), language())),
      exportReport: () => void saveTo(en() ? 'analysis-report.json' : '分析报告.json', [{ name: 'JSON', extensions: ['json'] }],
        async () => JSON.stringify(await host!.analyze(), null, 2)),
      setLanguage: async (lang) => applySettings(await host!.updateSettings({ language: lang })),
      about: () => {
        const detail = en()
          ? 'Finds settlements of Ganzhou\'s listed villages outside 4G and broadband coverage.'
          : '找出赣州挂牌督战村中 4G 与宽带覆盖之外的聚居区。';
        const options = { type: 'info' as const, title: menuLabels(language()).about, message: `覆盖图谱 Coverage Atlas ${app.getVersion()}`, detail };
        void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
      },
      openTiandituConsole: () => {
        const url = 'https://console.tianditu.gov.cn/';
        if (isAllowedExternalUrl(url)) void shell.openExternal(url);
      },
      quit: () => app.quit(),
    },
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function createWindow(): void {
  const areas = screen.getAllDisplays().map((d) => d.workArea);
  win = new BrowserWindow(createMainWindowOptions(PRELOAD, visibleBounds(state.bounds, areas)));
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win?.show());
  const keep = () => {
    if (!win || win.isDestroyed()) return;
    state = { ...state, maximized: win.isMaximized(), bounds: win.isMaximized() ? state.bounds : win.getNormalBounds() };
  };
  win.on('resize', keep);
  win.on('move', keep);
  win.on('close', keep);
  win.on('closed', () => {
    win = null;
  });
  void win.loadURL(APP_ENTRY_URL);
}

async function startHost(requested: string | null): Promise<AtlasHost> {
  const demoPath = join(app.getPath('userData'), 'demo', 'demo-workspace.gpkg');
  if (requested) {
    try {
      return await startAtlasHost({ workspace: grants.grant(requested), demoPath });
    } catch (err) {
      dialog.showErrorBox('无法打开工作空间 Cannot open the workspace', `${requested}\n\n${err instanceof Error ? err.message : String(err)}\n\n将打开演示工作空间。Opening the demo workspace instead.`);
    }
  }
  return startAtlasHost({ demoPath });
}

async function start(): Promise<void> {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) => callback(permissionDecision(permission)));
  ses.setPermissionCheckHandler((_contents, permission) => permissionDecision(permission));
  protocol.handle(APP_SCHEME, (request) => handleAppRequest(request, ASSETS_DIR, () => csp));

  state = await loadState(stateFile());
  for (const p of state.recent) grants.grant(p);
  const fromArgs = workspaceFromArgv(process.argv, app.isPackaged);
  const last = state.lastWorkspace && existsSync(state.lastWorkspace) ? state.lastWorkspace : null;
  host = await startHost(fromArgs ?? last);
  remember(await host.workspace());
  applySettings(await host.settings());
  registerIpc();
  createWindow();
}

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting) return;
  quitting = true;
  event.preventDefault();
  void (async () => {
    await saveState(stateFile(), state).catch(() => undefined);
    await host?.close().catch(() => undefined);
    app.exit(0);
  })();
});
app.on('window-all-closed', () => app.quit());

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    const requested = workspaceFromArgv(argv, app.isPackaged);
    if (requested && host) void switchWorkspace('open', requested);
  });
  app.whenReady().then(start).catch((err: unknown) => {
    dialog.showErrorBox('覆盖图谱无法启动 Coverage Atlas failed to start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });
}
