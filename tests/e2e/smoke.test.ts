// Browser mode end to end: the page loads under its CSP, the API answers through the same origin.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { closeAll, launchChromium, SCREENSHOTS, startBrowserMode, type BrowserMode } from './harness';

let server: BrowserMode;
let browser: Browser;
let cache: string;

beforeAll(async () => {
  // A private demo workspace: other e2e tests may hold the shared one's write lock at the same time.
  cache = await mkdtemp(join(tmpdir(), 'atlas-smoke-'));
  [server, browser] = await Promise.all([startBrowserMode({ env: { XDG_CACHE_HOME: cache } }), launchChromium()]);
}, 300_000);

afterAll(() => closeAll(browser, server, cache));

describe('browser mode smoke test', () => {
  it('serves the app with its title, no CSP violations, and a working API', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    const res = await page.goto(server.url, { waitUntil: 'load' });
    // The map's canvas appears once maplibre (and its module worker) started under the CSP.
    await page.waitForSelector('canvas', { timeout: 60_000 });
    await page.waitForTimeout(1500);
    expect(res?.status()).toBe(200);
    // The app itself (scripts, styles, maplibre's module worker, glyphs) runs without a CSP complaint.
    expect(problems).toEqual([]);
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'smoke.png') });
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.title()).toBe('覆盖图谱 Coverage Atlas');
    // Page-side code as strings: this file is type-checked without the DOM library.
    const info = await page.evaluate<{ ok: boolean; value: { path: string } }>(`fetch('/api/workspace', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"args":[]}' }).then((r) => r.json())`);
    expect(info.ok).toBe(true);
    expect(info.value.path.startsWith(cache)).toBe(true);
    // An inline script (what an XSS would inject) must be blocked by the CSP.
    const inlineRan = await page.evaluate<boolean>(`(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.appendChild(s);
      return window.__inline === 1;
    })()`);
    expect(inlineRan).toBe(false);
    await expect.poll(() => problems.some((p) => /Content Security Policy/.test(p))).toBe(true);
    await page.close();
  });

  // Regression: the renderer was built from the tests' server, which inherits vitest's NODE_ENV=test; Vite kept it
  // and bundled React's development build (effects run twice under StrictMode: every start-up request twice).
  it('serves React\'s production build, though the tests run with NODE_ENV=test', async () => {
    expect(process.env.NODE_ENV).toBe('test');
    const html = await (await fetch(server.url)).text();
    const script = /src="\.\/(assets\/index-[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const bundle = await (await fetch(new URL(script!, server.url))).text();
    // Booleans: a failure should not print the 1.4 MB bundle. The production build links its errors; only the
    // development build carries the warning's text.
    expect(bundle.includes('react.dev/errors/')).toBe(true);
    expect(bundle.includes('unique "key" prop')).toBe(false);
  });
});
