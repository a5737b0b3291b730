// Browser mode end to end: the page loads under its CSP, the API answers through the same origin.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ROOT, launchChromium, startBrowserMode, type BrowserMode } from './harness';

let server: BrowserMode;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startBrowserMode(), launchChromium()]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('browser mode smoke test', () => {
  it('serves the app with its title, no CSP violations, and a working API', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    const res = await page.goto(server.url, { waitUntil: 'networkidle' });
    expect(res?.status()).toBe(200);
    // The app itself (scripts, styles, maplibre's module worker, glyphs) runs without a CSP complaint.
    expect(problems).toEqual([]);
    const shots = join(ROOT, '.cache', 'screenshots');
    await mkdir(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'smoke.png') });
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.title()).toBe('覆盖图谱 Coverage Atlas');
    // Page-side code as strings: this file is type-checked without the DOM library.
    const info = await page.evaluate<{ ok: boolean; value: { path: string } }>(`fetch('/api/workspace', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"args":[]}' }).then((r) => r.json())`);
    expect(info.ok).toBe(true);
    expect(info.value.path).toMatch(/\.gpkg$/);
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
});
