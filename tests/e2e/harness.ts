// End-to-end helpers: browser mode as `npm run serve` starts it (on a free port), and Debian's Chromium
// driven by playwright-core (never a downloaded browser).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Settings } from '../../api/contract';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Where the e2e tests leave their screenshots, to be looked at. */
export const SCREENSHOTS = join(ROOT, '.cache', 'screenshots');

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--enable-unsafe-swiftshader', '--disable-gpu', '--no-sandbox', '--disable-background-networking',
  '--disable-component-update', '--no-first-run',
];

export interface BrowserMode {
  /** http://127.0.0.1:PORT/ */
  url: string;
  port: number;
  /** Everything the server printed so far (stdout and stderr), for failure messages. */
  output(): string;
  close(): Promise<void>;
}

const ADDRESS_LINE = /Coverage Atlas 覆盖图谱: (http:\/\/127\.0\.0\.1:(\d+)\/)/;

/**
 * Starts `node --import tsx server/serve.ts --port 0 [workspace]` (exactly what `npm run serve` runs) in its own process group
 * and resolves once it prints its address. The first start may build the renderer and the demo workspace.
 */
export function startBrowserMode(options: { workspace?: string; timeoutMs?: number; env?: Record<string, string>; onSpawn?: (pid: number) => void } = {}): Promise<BrowserMode> {
  const args = ['--import', 'tsx', join(ROOT, 'server', 'serve.ts'), '--port', '0'];
  if (options.workspace) args.push(resolve(options.workspace));
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // Own process group (like setsid): close() ends the server, tsx and the host worker together.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ...options.env },
  });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  let log = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolveStart, reject) => {
    const timeout = setTimeout(() => {
      void close();
      reject(new Error(`browser mode did not start within ${options.timeoutMs ?? 240_000} ms:\n${log}`));
    }, options.timeoutMs ?? 240_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString('utf8');
      const m = ADDRESS_LINE.exec(log);
      if (m) {
        clearTimeout(timeout);
        resolveStart({ url: m[1], port: Number(m[2]), output: () => log, close });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timeout);
      reject(new Error(`browser mode exited (code ${code}) before printing its address:\n${log}`));
    });
  });
}

/** Headless Debian Chromium with WebGL through SwiftShader. */
export function launchChromium(options: { headless?: boolean } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: options.headless ?? true });
}

/** A test file's teardown: its browser, its server and its temporary folder, each of which a failed start may lack. */
export async function closeAll(browser: Browser | undefined, server: BrowserMode | undefined, dir: string | undefined): Promise<void> {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Chooses the smooth map mode on the open settings tab; the map takes it once the workspace has stored it. */
export async function chooseSmoothMap(page: Page, mode: Settings['smoothMap']): Promise<void> {
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/updateSettings'));
  await page.selectOption('[data-testid=smooth-map]', mode);
  await saved;
}
