// Large coverage layers in the app: asked for by area once zoomed in, with the detail the view can show, and asked
// for again, in more detail, as the map zooms in (renderer/map/coverageLoad.ts, coverageColumns' tolerance). A demo
// of 60,000 settlements has mobile layers above the whole-layer limit; the requests are read as the page sends them.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { displayTolerance, type CoverageColumnsQuery } from '../../api/columns';
import type { WorkspaceInfo } from '../../api/contract';
import { FULL_LOAD_LIMIT } from '../../renderer/map/coverageLoad';
import { closeAll, launchChromium, ROOT, SCREENSHOTS, startBrowserMode, type BrowserMode } from './harness';

const run = promisify(execFile);

let dir: string;
let server: BrowserMode;
let browser: Browser;
let page: Page;
let info: WorkspaceInfo;
const asked: CoverageColumnsQuery[] = [];

async function settled(): Promise<void> {
  await page.waitForSelector('[data-testid=map][data-settlements][data-map-state=idle]', { timeout: 120_000 });
  await page.waitForTimeout(400);
  await page.waitForSelector('[data-testid=map][data-map-state=idle]', { timeout: 120_000 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-e2e-detail-'));
  const workspace = join(dir, 'demo-60000.gpkg');
  await run('npm', ['run', '--silent', 'cli', '--', 'demo', workspace, '--settlements', '60000'], { cwd: ROOT, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
  [server, browser] = await Promise.all([startBrowserMode({ workspace }), launchChromium()]);
  const answer = await fetch(`${server.url}api/workspace`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"args":[]}' });
  info = ((await answer.json()) as { value: WorkspaceInfo }).value;
  page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  page.on('request', (r) => {
    if (r.url().endsWith('/api/coverageColumns')) asked.push((JSON.parse(r.postData() ?? '{}') as { args: [CoverageColumnsQuery] }).args[0]);
  });
  await page.goto(server.url);
  await settled();
}, 600_000);

afterAll(() => closeAll(browser, server, dir));

describe('large coverage layers', () => {
  const large = () => info.layers.filter((l) => l.role === 'mobile' && l.featureCount > FULL_LOAD_LIMIT).map((l) => l.id);

  it('are not fetched zoomed out; small ones are fetched whole and exact', () => {
    expect(large().length).toBeGreaterThanOrEqual(2);
    const small = info.layers.filter((l) => l.role === 'mobile' && l.featureCount <= FULL_LOAD_LIMIT).map((l) => l.id);
    expect(asked.filter((q) => large().includes(q.layerId))).toEqual([]);
    for (const id of small) expect(asked).toContainEqual({ layerId: id });
  });

  it('are fetched for a county with the detail of its zoom, then exact once zoomed in far', async () => {
    const before = asked.length;
    await page.getByRole('button', { name: '于都县', exact: true }).first().click();
    await page.waitForTimeout(1500);
    await settled();
    const county = asked.slice(before);
    for (const id of large()) {
      const q = county.find((c) => c.layerId === id);
      expect(q?.bbox).toHaveLength(4);
      // A county fits the 1500 × 900 window at zoom 9–11: a quarter pixel of the next whole zoom.
      expect([10, 11, 12].map(displayTolerance)).toContain(q!.tolerance);
    }
    expect(await page.getAttribute('[data-testid=map]', 'data-coverage-layers')).toBe(String(info.layers.filter((l) => l.role === 'mobile').length));
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'coverage-detail-county.png') });

    const zoomedOut = asked.length;
    await page.focus('[data-testid=map] canvas');
    // maplibre's keyboard zoom: one whole zoom per key.
    for (let k = 0; k < 7; k++) {
      await page.keyboard.press('=');
      await page.waitForTimeout(450);
    }
    await settled();
    const deeper = asked.slice(zoomedOut);
    for (const id of large()) {
      const mine = deeper.filter((q) => q.layerId === id);
      // Asked again as each whole zoom passed the fetched detail, ever finer, ending with the exact geometry.
      expect(mine.length).toBeGreaterThanOrEqual(2);
      const tolerances = mine.map((q) => q.tolerance!);
      expect([...tolerances].sort((a, b) => b - a)).toEqual(tolerances);
      expect(tolerances.at(-1)).toBe(0);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'coverage-detail-exact.png') });
  });
});
