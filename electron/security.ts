// The desktop shell's security configuration as plain data and pure functions, so tests can check each
// item of Electron's security checklist without launching Electron. main.ts only applies these.
import type { BrowserWindowConstructorOptions, CustomScheme, WebPreferences } from 'electron';
import { buildCsp } from '../server/csp';

/** The app is served from app://atlas/ (a custom protocol), never file:// (checklist: prefer custom protocols). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'atlas';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Registered before `ready`: standard + secure so relative URLs, fetch, module workers and the origin
 * model work like https; nothing bypasses CSP; no service workers.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: {
    standard: true,
    secure: true,
    supportFetchAPI: true,
    stream: true,
    codeCache: true,
    bypassCSP: false,
    corsEnabled: false,
    allowServiceWorkers: false,
  },
};

/** Every renderer: no Node, isolated and sandboxed, web security on, nothing experimental. */
export const WINDOW_WEB_PREFERENCES: Readonly<WebPreferences> = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
  devTools: true,
});

/** The policy set on every app:// response: no inline or eval'd script, connections to ourselves only. */
export const CSP = buildCsp();
export { buildCsp };

/** Sites the app may hand to the system browser (天地图 key registration and documentation). */
export const EXTERNAL_HOSTS: readonly string[] = ['www.tianditu.gov.cn', 'console.tianditu.gov.cn', 'lbs.tianditu.gov.cn'];

/** shell.openExternal only for https URLs on the allow-list, without credentials. */
export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && !url.username && !url.password && url.port === '' && EXTERNAL_HOSTS.includes(url.hostname);
}

/** True for URLs of the app itself (app://atlas/…). */
export function isAppUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Navigation inside the window stays within the app; anything else is denied. */
export function isAllowedNavigation(raw: string): boolean {
  return isAppUrl(raw);
}

/** The part of Electron's WebFrameMain that the sender check needs. */
export interface SenderFrame {
  url: string;
  parent?: unknown;
}

/** IPC is answered only for the app's own top-level frame (checklist: validate the sender of all IPC messages). */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  return !!frame && (frame.parent === null || frame.parent === undefined) && isAppUrl(frame.url);
}

/** Every permission (camera, geolocation, notifications, …) is refused: the app needs none. */
export function permissionDecision(_permission: string): false {
  return false;
}

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1360, height: 860 };

export function createMainWindowOptions(preloadPath: string, bounds: WindowBounds = DEFAULT_BOUNDS): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: 960,
    minHeight: 600,
    title: '覆盖图谱 Coverage Atlas',
    backgroundColor: '#f4f1ea',
    // Shown on ready-to-show, so no blank frame flashes.
    show: false,
    webPreferences: { ...WINDOW_WEB_PREFERENCES, preload: preloadPath },
  };
}
