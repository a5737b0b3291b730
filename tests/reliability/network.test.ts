// Which hosts the running app contacts, observed in a real browser (browser mode + Debian Chromium): with the
// online basemap off (the default) only the app's own 127.0.0.1 server; with it on, that and the configured tile
// host, nothing else (no fonts, glyphs, sprites or telemetry from elsewhere).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtlasService, DEFAULT_SETTINGS } from '../../data/service';
import { Workspace } from '../../data/workspace/index';
import { CHROMIUM_PATH, launchChromium, startBrowserMode, type BrowserMode } from '../e2e/harness';
import { coverage, settlements } from '../workspace/helpers';

const TILE_HOST = 'tiles.atlas-test.invalid';
const dir = mkdtempSync(join(tmpdir(), 'atlas-net-'));
const path = join(dir, 'net.gpkg');
let server: BrowserMode | null = null;
let browser: Browser | null = null;

/** Loads the page and returns the URL of every request it made until the network went quiet. */
async function requestsOfOneLoad(page: Page, url: string): Promise<string[]> {
  const seen: string[] = [];
  const record = (r: { url(): string }) => seen.push(r.url());
  page.on('request', record);
  await page.goto(url);
  // The app keeps a connection open, so "networkidle" never comes: wait for the map to finish drawing.
  await page.waitForSelector('[data-testid=map][data-settlements][data-map-state=idle]', { timeout: 120_000 });
  await page.waitForTimeout(1000);
  page.off('request', record);
  return seen;
}

const hostOf = (u: string) => (/^https?:/.test(u) ? new URL(u).host : null);

describe('online basemap: the default, and the hosts contacted', () => {
  it('is off in the defaults and in a new workspace', async () => {
    expect(DEFAULT_SETTINGS.onlineBasemap.enabled).toBe(false);
    const fresh = join(dir, 'fresh.gpkg');
    Workspace.create(fresh).close();
    const service = AtlasService.open(fresh);
    try {
      expect((await service.settings()).onlineBasemap.enabled).toBe(false);
    } finally {
      service.close();
    }
  });

  describe.skipIf(!existsSync(CHROMIUM_PATH))('in Chromium, browser mode', () => {
    beforeAll(async () => {
      const ws = Workspace.create(path, { name: '网络测试' });
      await ws.writeLayer({ name: '演示聚居区', role: 'settlements', geometryType: 'POINT' }, [settlements(200)]);
      await ws.writeLayer({ name: '演示4G覆盖', role: 'mobile', geometryType: 'MULTIPOLYGON' }, [coverage(40)]);
      ws.close();
      server = await startBrowserMode({ workspace: path });
      browser = await launchChromium();
    }, 300_000);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('off: every request goes to the app\'s own 127.0.0.1 server', async () => {
      const page = await (browser as Browser).newPage();
      const urls = await requestsOfOneLoad(page, (server as BrowserMode).url);
      await page.close();
      const own = `127.0.0.1:${(server as BrowserMode).port}`;
      expect(urls.length).toBeGreaterThan(3);
      expect([...new Set(urls.map(hostOf).filter((h) => h !== null))]).toEqual([own]);
    }, 120_000);

    it('on: the app server and the configured tile host only, and the tiles are really requested', async () => {
      const page = await (browser as Browser).newPage();
      await page.goto((server as BrowserMode).url);
      const saved = await page.evaluate(async (template) => {
        const res = await fetch('/api/updateSettings', {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ args: [{ onlineBasemap: { enabled: true, provider: 'custom', key: '', urlTemplate: template } }] }),
        });
        return res.json() as Promise<{ ok: boolean }>;
      }, `https://${TILE_HOST}/{z}/{x}/{y}.png`);
      expect(saved.ok).toBe(true);
      const urls = await requestsOfOneLoad(page, (server as BrowserMode).url);
      await page.close();
      const hosts = new Set(urls.map(hostOf).filter((h) => h !== null));
      expect([...hosts].sort()).toEqual([`127.0.0.1:${(server as BrowserMode).port}`, TILE_HOST].sort());
    }, 120_000);
  });
});
