// Rendering regression: a fixed small workspace (built here from deterministic GeoJSON through the
// CLI's import) is drawn in browser mode and the map canvas is compared with tests/e2e/expected/.
// `UPDATE_EXPECTED=1 npx vitest run tests/e2e/render.test.ts` rewrites the expected image; look at it
// before committing it.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Workspace } from '../../data/workspace';
import type { Feature, FeatureCollection } from '../../gis/types';
import { closeAll, launchChromium, ROOT, SCREENSHOTS, startBrowserMode, type BrowserMode } from './harness';

const run = promisify(execFile);
const EXPECTED = join(ROOT, 'tests', 'e2e', 'expected', 'render-small.png');
/** A pixel differs when its RGB channels differ by more than this in sum (anti-aliasing noise stays under). */
const PIXEL_THRESHOLD = 48;
/** Share of differing pixels tolerated (text rasterisation may move a few edge pixels). */
const MAX_DIFF_RATIO = 0.01;

type Ring = number[][];
const rect = (x0: number, y0: number, x1: number, y1: number): Ring => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
const circle = (cx: number, cy: number, r: number, n = 24): Ring => {
  const ring = Array.from({ length: n }, (_, i) => [cx + r * Math.cos((2 * Math.PI * i) / n), cy + r * 0.9 * Math.sin((2 * Math.PI * i) / n)]);
  return [...ring, ring[0]];
};
const fc = (features: Feature[]): FeatureCollection => ({ type: 'FeatureCollection', features });
const poly = (ring: Ring, properties: Record<string, unknown>): Feature => ({ type: 'Feature', properties, geometry: { type: 'Polygon', coordinates: [ring] } });

/** Two counties (one a focus county), four townships, 48 settlements on a grid, coverage discs per operator. */
function fixture(): Record<'boundaries' | 'settlements' | 'mobile' | 'broadband', FeatureCollection> {
  const counties = [
    { name: '于都县', code: '360731', x0: 115.0, townships: ['车溪乡', '岭背镇'] },
    { name: '章贡区', code: '360702', x0: 115.4, townships: ['水西镇', '沙河镇'] },
  ];
  const boundaries: Feature[] = [];
  const settlements: Feature[] = [];
  for (const c of counties) {
    boundaries.push(poly(rect(c.x0, 25.6, c.x0 + 0.4, 26.0), { level: 'county', name: c.name, code: c.code }));
    c.townships.forEach((t, ti) => {
      const y0 = 25.6 + ti * 0.2;
      boundaries.push(poly(rect(c.x0, y0, c.x0 + 0.4, y0 + 0.2), { level: 'township', name: t, code: `${c.code}${ti + 1}00`, county: c.name }));
      for (let i = 0; i < 12; i++) {
        const x = c.x0 + 0.04 + (i % 4) * 0.1;
        const y = y0 + 0.04 + Math.floor(i / 4) * 0.06;
        // 潮溪村委会 in 车溪乡 is one of the listed villages: its points get the ring, its seat the star.
        const village = c.name === '于都县' && t === '车溪乡' && i < 4 ? '潮溪村委会' : `${t.slice(0, 2)}${1 + (i % 3)}村委会`;
        settlements.push({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [x, y] },
          properties: { name: `${t.slice(0, 2)}${i + 1}组`, households: 10 + ((i * 37 + ti * 53) % 180), county: c.name, township: t, village, committee: i % 4 === 0 },
        });
      }
    });
  }
  const mobile: Feature[] = [
    poly(circle(115.12, 25.72, 0.12), { operator: '移动', tech: '4G' }),
    poly(circle(115.3, 25.85, 0.1), { operator: '电信', tech: '4G' }),
    poly(circle(115.55, 25.7, 0.14), { operator: '联通', tech: '4G' }),
    poly(circle(115.68, 25.9, 0.08), { operator: '移动', tech: '4G' }),
  ];
  const broadband: Feature[] = [poly(circle(115.2, 25.7, 0.15), { operator: '电信', tech: 'FTTH' })];
  return { boundaries: fc(boundaries), settlements: fc(settlements), mobile: fc(mobile), broadband: fc(broadband) };
}

let dir: string;
let server: BrowserMode;
let browser: Browser;
let page: Page;

async function cliImport(workspace: string, role: string, file: string): Promise<void> {
  try {
    await run('npm', ['run', '--silent', 'cli', '--', 'import', workspace, '--role', role, '--quiet', file], { cwd: ROOT });
  } catch (e) {
    const f = e as { stderr?: string; stdout?: string };
    throw new Error(`cli import --role ${role} ${file} failed: ${f.stderr || f.stdout || String(e)}`, { cause: e });
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-e2e-render-'));
  const workspace = join(dir, 'render.gpkg');
  Workspace.create(workspace, { name: '渲染测试 (演示数据)', synthetic: true }).close();
  for (const [role, data] of Object.entries(fixture())) {
    const file = join(dir, `${role}.geojson`);
    writeFileSync(file, JSON.stringify(data));
    await cliImport(workspace, role, file);
  }
  [server, browser] = await Promise.all([startBrowserMode({ workspace }), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  await page.goto(server.url);
}, 600_000);

afterAll(() => closeAll(browser, server, dir));

describe('map rendering', () => {
  it('draws the fixed workspace like the expected image', async () => {
    // Broadband is off by default and loaded only when shown: one coverage layer (4G) is on the map.
    await page.waitForSelector('[data-testid=map][data-settlements="48"][data-coverage-layers="1"][data-boundaries]', { timeout: 180_000 });
    await page.waitForSelector('[data-testid=map][data-map-state=idle]', { timeout: 120_000 });
    await page.waitForTimeout(500);
    await page.waitForSelector('[data-testid=map][data-map-state=idle]', { timeout: 120_000 });
    const actual = await page.evaluate<string>(`document.querySelector('[data-testid=map] canvas').toDataURL('image/png')`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const png = Buffer.from(actual.split(',')[1], 'base64');
    writeFileSync(join(SCREENSHOTS, 'render-actual.png'), png);
    await page.screenshot({ path: join(SCREENSHOTS, 'render-page.png') });
    if (process.env.UPDATE_EXPECTED === '1') writeFileSync(EXPECTED, png);
    expect(existsSync(EXPECTED), `missing ${EXPECTED}: run with UPDATE_EXPECTED=1 and review the image`).toBe(true);
    const expected = `data:image/png;base64,${readFileSync(EXPECTED).toString('base64')}`;
    // Compared in the page: the browser decodes PNGs, so no image library is needed here.
    const result = await page.evaluate<{ width: number; height: number; sameSize: boolean; differing: number; drawn: number }>(`(async () => {
      const load = (src) => new Promise((ok, fail) => { const i = new Image(); i.onload = () => ok(i); i.onerror = fail; i.src = src; });
      const [a, b] = await Promise.all([load(${JSON.stringify(actual)}), load(${JSON.stringify(expected)})]);
      const px = (img) => { const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
        const x = c.getContext('2d'); x.drawImage(img, 0, 0); return x.getImageData(0, 0, img.width, img.height).data; };
      if (a.width !== b.width || a.height !== b.height) return { width: a.width, height: a.height, sameSize: false, differing: 0, drawn: 0 };
      const da = px(a), db = px(b);
      let differing = 0, drawn = 0;
      for (let i = 0; i < da.length; i += 4) {
        if (Math.abs(da[i] - db[i]) + Math.abs(da[i + 1] - db[i + 1]) + Math.abs(da[i + 2] - db[i + 2]) > ${PIXEL_THRESHOLD}) differing++;
        if (Math.abs(db[i] - 0xf3) + Math.abs(db[i + 1] - 0xf1) + Math.abs(db[i + 2] - 0xea) > 12) drawn++;
      }
      return { width: a.width, height: a.height, sameSize: true, differing, drawn };
    })()`);
    expect(result.sameSize, `canvas ${result.width}×${result.height} differs in size from the expected image`).toBe(true);
    const pixels = result.width * result.height;
    // The expected image itself must show the workspace, not a blank map.
    expect(result.drawn / pixels).toBeGreaterThan(0.15);
    expect(result.differing / pixels, `${result.differing} of ${pixels} pixels differ; see .cache/screenshots/render-actual.png`).toBeLessThan(MAX_DIFF_RATIO);
  }, 300_000);
});
