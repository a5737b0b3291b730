// Electron's security checklist (https://www.electronjs.org/docs/latest/tutorial/security), item by item,
// over the shell's exported configuration. Electron itself is not launched (no binary here).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL, APP_ORIGIN, APP_SCHEME_PRIVILEGES, CSP, EXTERNAL_HOSTS, WINDOW_WEB_PREFERENCES, buildCsp,
  createMainWindowOptions, isAllowedExternalUrl, isAllowedNavigation, isTrustedSender, permissionDecision,
} from '../../electron/security';
import { tileTemplateOrigin } from '../../server/csp';

const mainSource = readFileSync(new URL('../../electron/main.ts', import.meta.url), 'utf8');
const preloadSource = readFileSync(new URL('../../electron/preload.ts', import.meta.url), 'utf8');

describe('Electron security checklist', () => {
  it('1/17: loads only app:// content, never file:// or http', () => {
    expect(APP_ENTRY_URL).toBe('app://atlas/index.html');
    expect(mainSource).toContain('win.loadURL(APP_ENTRY_URL)');
    expect(mainSource).not.toMatch(/loadFile\(|file:\/\//);
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({ standard: true, secure: true, bypassCSP: false, allowServiceWorkers: false });
  });

  it('2-4, 6, 8, 9: no Node integration, context isolation, sandbox, web security, no insecure or experimental content', () => {
    expect(WINDOW_WEB_PREFERENCES).toMatchObject({
      nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false,
      contextIsolation: true, sandbox: true, webSecurity: true, allowRunningInsecureContent: false,
      experimentalFeatures: false, webviewTag: false, navigateOnDragDrop: false,
    });
    expect(WINDOW_WEB_PREFERENCES).not.toHaveProperty('enableBlinkFeatures');
    expect(Object.isFrozen(WINDOW_WEB_PREFERENCES)).toBe(true);
    expect(mainSource).toContain('app.enableSandbox()');
  });

  it('the main window uses exactly those preferences plus the preload', () => {
    const options = createMainWindowOptions('/app/dist/electron/preload.cjs');
    expect(options.webPreferences).toEqual({ ...WINDOW_WEB_PREFERENCES, preload: '/app/dist/electron/preload.cjs' });
    expect(options.show).toBe(false);
    expect(options.title).toContain('覆盖图谱');
    expect(createMainWindowOptions('/p', { x: 10, y: 20, width: 1000, height: 700 })).toMatchObject({ x: 10, y: 20, width: 1000, height: 700 });
  });

  it('5: every permission request and check is denied', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fileSystem', 'unknown']) {
      expect(permissionDecision(p)).toBe(false);
    }
    expect(mainSource).toContain('setPermissionRequestHandler((_contents, permission, callback) => callback(permissionDecision(permission)))');
    expect(mainSource).toContain('setPermissionCheckHandler');
  });

  it('7: a strict CSP without unsafe-eval or inline scripts', () => {
    const directives = Object.fromEntries(CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives).toMatchObject({
      'default-src': "'self'", 'script-src': "'self'", 'style-src': "'self' 'unsafe-inline'", 'img-src': "'self' data: blob:",
      'worker-src': "'self' blob:", 'connect-src': "'self'", 'object-src': "'none'", 'frame-ancestors': "'none'",
    });
    expect(CSP).not.toMatch(/unsafe-eval|wasm-unsafe|\*/);
    expect(mainSource).toContain("protocol.handle(APP_SCHEME, (request) => handleAppRequest(request, ASSETS_DIR, () => csp))");
  });

  it('7: the opt-in online basemap widens img/connect only, and only to a clean https origin', () => {
    const tdt = buildCsp({ enabled: true, provider: 'tianditu', key: 'k', urlTemplate: '' });
    expect(tdt).toContain("connect-src 'self' https://*.tianditu.gov.cn");
    expect(tdt).toContain("img-src 'self' data: blob: https://*.tianditu.gov.cn");
    expect(tdt).toContain("script-src 'self';");
    expect(buildCsp({ enabled: false, provider: 'tianditu', key: 'k', urlTemplate: '' })).toBe(CSP);
    const custom = buildCsp({ enabled: true, provider: 'custom', key: '', urlTemplate: 'https://Tiles.Example.cn:8443/{z}/{x}/{y}.png' });
    expect(custom).toContain("connect-src 'self' https://tiles.example.cn:8443");
    expect(tileTemplateOrigin('http://tiles.example.cn/{z}/{x}/{y}.png')).toBeNull();
    expect(tileTemplateOrigin("https://a.cn; script-src 'unsafe-eval'/{z}")).toBeNull();
    expect(tileTemplateOrigin('https://user:pw@a.cn/{z}')).toBeNull();
    expect(tileTemplateOrigin('javascript:alert(1)')).toBeNull();
    expect(buildCsp({ enabled: true, provider: 'custom', key: '', urlTemplate: 'not a url' })).toBe(CSP);
  });

  it('12: navigation stays inside the app', () => {
    expect(isAllowedNavigation('app://atlas/index.html#/map')).toBe(true);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', 'http://127.0.0.1:5917/', 'javascript:alert(1)', 'not a url']) {
      expect(isAllowedNavigation(url), url).toBe(false);
    }
    expect(mainSource).toMatch(/will-navigate[\s\S]{0,120}preventDefault/);
    expect(mainSource).toMatch(/will-redirect[\s\S]{0,120}preventDefault/);
    expect(mainSource).toMatch(/will-attach-webview[\s\S]{0,60}preventDefault/);
  });

  it('13/14: new windows are always denied; only allow-listed https URLs go to the system browser', () => {
    expect(mainSource).toMatch(/setWindowOpenHandler\(\(\{ url \}\) => \{\s*if \(isAllowedExternalUrl\(url\)\) void shell\.openExternal\(url\);\s*return \{ action: 'deny' \};/);
    expect(isAllowedExternalUrl('https://console.tianditu.gov.cn/')).toBe(true);
    for (const url of [
      'http://console.tianditu.gov.cn/', 'https://console.tianditu.gov.cn.evil.com/', 'https://evil.com/?https://console.tianditu.gov.cn',
      'https://user@console.tianditu.gov.cn/', 'https://console.tianditu.gov.cn:8080/', 'file:///C:/Windows/System32/calc.exe',
      'smb://share/x', 'javascript:alert(1)', 'ms-msdt:/id', '',
    ]) expect(isAllowedExternalUrl(url), url).toBe(false);
    expect(EXTERNAL_HOSTS.every((h) => !h.includes('*'))).toBe(true);
    // Every openExternal call in main goes through the allow-list.
    const calls = mainSource.match(/shell\.openExternal\(/g) ?? [];
    const guarded = mainSource.match(/if \(isAllowedExternalUrl\(url\)\) void shell\.openExternal\(url\)/g) ?? [];
    expect(calls.length).toBe(guarded.length);
  });

  it('16: IPC is answered only for the app\'s own top-level frame', () => {
    expect(isTrustedSender({ url: 'app://atlas/index.html', parent: null })).toBe(true);
    expect(isTrustedSender({ url: `${APP_ORIGIN}/index.html#x` })).toBe(true);
    expect(isTrustedSender({ url: 'app://atlas/index.html', parent: {} })).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'app://evil/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'file:///index.html', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    // Every ipcMain.handle checks the sender first.
    const handlers = mainSource.match(/ipcMain\.handle\(/g) ?? [];
    const checked = mainSource.match(/ipcMain\.handle\([^\n]+\n\s+if \(!isTrustedSender\(event\.senderFrame\)\) return refuse\(\);/g) ?? [];
    expect(handlers.length).toBe(3);
    expect(checked.length).toBe(handlers.length);
    expect(mainSource).not.toMatch(/ipcMain\.on\(/);
  });

  it('19: the preload exposes a narrow bridge, never ipcRenderer', () => {
    expect(preloadSource).toContain("contextBridge.exposeInMainWorld('atlas', bridge)");
    expect(preloadSource).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect(preloadSource).not.toMatch(/ipcRenderer\.(send|sendSync)\(/);
  });
});
