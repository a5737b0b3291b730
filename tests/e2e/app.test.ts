// The whole app in browser mode on a copy of the demo workspace, driven like a user would: the map
// draws, the dashboard agrees with the CLI to the last digit, layers toggle, a click opens a popup,
// an import shows its progress and per-row errors, and the language switches and persists.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import type { Browser, Page } from 'playwright-core';
import type { AnalysisReport } from '../../gis/report';
import { chooseSmoothMap, closeAll, launchChromium, ROOT, SCREENSHOTS, startBrowserMode, type BrowserMode } from './harness';

const run = promisify(execFile);
const BACKGROUND: [number, number, number] = [0xf3, 0xf1, 0xea]; // style.ts BACKGROUND_COLOR

let dir: string;
let workspace: string;
let server: BrowserMode;
let browser: Browser;
let page: Page;
let cli: AnalysisReport;
const pageErrors: string[] = [];

async function npmCli(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', ...args], { cwd: ROOT, maxBuffer: 1 << 30, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
    return stdout;
  } catch (e) {
    const f = e as { code?: number; stdout?: string; stderr?: string };
    throw new Error(`npm run cli -- ${args.join(' ')} failed (exit ${f.code}): ${f.stderr || f.stdout || String(e)}`, { cause: e });
  }
}

/** The map has drawn everything it was given: settlements and every coverage layer, and is idle. */
async function mapSettled(): Promise<void> {
  await page.waitForSelector('[data-testid=map][data-settlements][data-map-state=idle]', { timeout: 120_000 });
  // A second look after a pause: a move or data update may have started in between.
  await page.waitForTimeout(300);
  await page.waitForSelector('[data-testid=map][data-map-state=idle]', { timeout: 120_000 });
}

interface PixelStats { width: number; height: number; nonBackground: number; colours: number }

/** Reads the WebGL canvas back (it keeps its drawing buffer) and counts what is not background. */
function canvasStats(): Promise<PixelStats> {
  // Page-side code as a string: this file is type-checked without the DOM library.
  return page.evaluate<PixelStats>(`(() => {
    const c = document.querySelector('[data-testid=map] canvas');
    const off = document.createElement('canvas');
    off.width = c.width; off.height = c.height;
    const ctx = off.getContext('2d');
    ctx.drawImage(c, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const bg = ${JSON.stringify(BACKGROUND)};
    let nonBackground = 0;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 12) nonBackground++;
      colours.add((d[i] >> 4) << 8 | (d[i + 1] >> 4) << 4 | (d[i + 2] >> 4));
    }
    return { width: c.width, height: c.height, nonBackground, colours: colours.size };
  })()`);
}

/** Share of canvas pixels that changed between two snapshots (as data URLs of the canvas). */
function canvasSnapshot(): Promise<string> {
  return page.evaluate<string>(`document.querySelector('[data-testid=map] canvas').toDataURL('image/png')`);
}

function changedShare(a: string, b: string): Promise<number> {
  return page.evaluate<number>(`(async () => {
    const load = (src) => new Promise((ok, fail) => { const i = new Image(); i.onload = () => ok(i); i.onerror = fail; i.src = src; });
    const [ia, ib] = await Promise.all([load(${JSON.stringify(a)}), load(${JSON.stringify(b)})]);
    const px = (img) => { const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
      const x = c.getContext('2d'); x.drawImage(img, 0, 0); return x.getImageData(0, 0, img.width, img.height).data; };
    const da = px(ia), db = px(ib);
    let changed = 0;
    for (let i = 0; i < da.length; i += 4) {
      if (Math.abs(da[i] - db[i]) + Math.abs(da[i + 1] - db[i + 1]) + Math.abs(da[i + 2] - db[i + 2]) > 24) changed++;
    }
    return changed / (da.length / 4);
  })()`);
}

const percent = (rate: number | null) => (rate === null ? null : `${(rate * 100).toFixed(1)}%`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-e2e-app-'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A private copy of the demo (same generator, same seed): imports must not touch the user's demo.
  workspace = join(dir, 'demo.gpkg');
  await npmCli(['demo', workspace]);
  // The CLI's own numbers for the same workspace, before the UI imports anything into it.
  cli = JSON.parse(await npmCli(['analyze', workspace, '--format', 'json'])) as AnalysisReport;
  [server, browser] = await Promise.all([startBrowserMode({ workspace }), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(server.url);
}, 600_000);

afterAll(() => closeAll(browser, server, dir));

describe('Coverage Atlas in the browser', () => {
  it('draws the map: boundaries, coverage, settlements and the 演示数据 label', async () => {
    await page.waitForSelector('[data-testid=county-table]', { timeout: 180_000 });
    await mapSettled();
    await page.screenshot({ path: join(SCREENSHOTS, 'app-initial.png') });
    const stats = await canvasStats();
    expect(stats.width).toBeGreaterThan(500);
    // A blank map is one colour; the demo draws thousands of points over translucent coverage.
    expect(stats.nonBackground / (stats.width * stats.height)).toBeGreaterThan(0.2);
    expect(stats.colours).toBeGreaterThan(50);
    expect(await page.textContent('[data-testid=synthetic-badge]')).toBe('示意边界 · 演示数据');
    expect(Number(await page.getAttribute('[data-testid=map]', 'data-settlements'))).toBe(cli.settlements.length);
    expect(await page.locator('.maplibregl-ctrl-scale').count()).toBe(1);
    expect(await page.locator('.maplibregl-ctrl-zoom-in').count()).toBe(1);
  }, 300_000);

  it('shows the same rates as `cli analyze` for the city and the counties, to the last digit', async () => {
    const text = async (id: string) => (await page.textContent(`[data-testid="${id}"]`))?.trim();
    expect(await text('rate-city-mobile-count')).toBe(percent(cli.rates.city.mobile.rate));
    expect(await text('rate-city-broadband-households')).toBe(percent(cli.rates.city.broadband.householdRate));
    const focus = Object.entries(cli.rates.counties).filter(([, r]) => r.focus).map(([k]) => k);
    expect(focus).toHaveLength(4);
    const others = Object.keys(cli.rates.counties).filter((k) => !focus.includes(k)).slice(0, 3);
    for (const county of [...focus, ...others]) {
      const r = cli.rates.counties[county];
      const id = `rate-county-${county}`;
      if (r.settlements === 0) {
        expect(await text(`${id}-none`)).toBe('无符合条件的聚居区');
        continue;
      }
      expect(await text(`${id}-mobile-count`)).toBe(percent(r.mobile.rate));
      expect(await text(`${id}-mobile-households`)).toBe(percent(r.mobile.householdRate));
      expect(await text(`${id}-broadband-count`)).toBe(percent(r.broadband.rate));
      expect(await text(`${id}-broadband-households`)).toBe(percent(r.broadband.householdRate));
      expect(await text(`${id}-mobile-met`)).toBe(r.mobile.met ? '达标 ✓' : '未达标 ✗');
      expect(await text(`${id}-broadband-met`)).toBe(r.broadband.met ? '达标 ✓' : '未达标 ✗');
    }
    // Focus counties come first, each with its leader.
    const trs = page.locator('[data-testid=county-table] tbody tr');
    const order: (string | null)[] = [];
    for (let i = 0; i < (await trs.count()); i++) order.push(await trs.nth(i).getAttribute('data-county'));
    expect(order.slice(1, 5).sort()).toEqual([...focus].sort());
    const firstFocus = cli.rates.counties[order[1]!];
    expect(await page.textContent(`[data-testid="rate-county-${order[1]}"]`)).toContain(firstFocus.leader ?? '');
    expect(await page.textContent('[data-testid=county-table]')).not.toContain('NaN');
  }, 120_000);

  it('toggles coverage layers and the settlement layer', async () => {
    const before = await canvasSnapshot();
    for (const op of ['CMCC', 'CT', 'CU']) await page.uncheck(`[data-testid=toggle-mobile-${op}]`);
    await mapSettled();
    const noCoverage = await canvasSnapshot();
    expect(await changedShare(before, noCoverage)).toBeGreaterThan(0.05);
    await page.uncheck('[data-testid=toggle-settlements]');
    await mapSettled();
    await page.screenshot({ path: join(SCREENSHOTS, 'app-layers-off.png') });
    const bare = await canvasSnapshot();
    expect(await changedShare(noCoverage, bare)).toBeGreaterThan(0.02);
    for (const op of ['CMCC', 'CT', 'CU']) await page.check(`[data-testid=toggle-mobile-${op}]`);
    await page.check('[data-testid=toggle-settlements]');
    await mapSettled();
    expect(await changedShare(before, await canvasSnapshot())).toBeLessThan(0.01);
  }, 180_000);

  it('loads broadband only when shown, applies opacity and the county filter', async () => {
    const layersBefore = Number(await page.getAttribute('[data-testid=map]', 'data-coverage-layers'));
    const start = await canvasSnapshot();
    await page.check('[data-testid=toggle-broadband]');
    await page.waitForSelector(`[data-testid=map][data-coverage-layers="${layersBefore + 1}"]`, { timeout: 60_000 });
    await mapSettled();
    const withBroadband = await canvasSnapshot();
    // FTTH access areas are a few hundred metres wide: at city zoom they tint well under 1% of the map.
    const broadbandShare = await changedShare(start, withBroadband);
    expect(broadbandShare).toBeGreaterThan(0.002);
    await page.fill('[data-testid=opacity-broadband]', '0.8');
    await mapSettled();
    await page.screenshot({ path: join(SCREENSHOTS, 'app-broadband.png') });
    expect(await changedShare(withBroadband, await canvasSnapshot())).toBeGreaterThan(broadbandShare / 2);
    await page.uncheck('[data-testid=toggle-broadband]');
    await page.fill('[data-testid=opacity-broadband]', '0.25');

    // A county: the map zooms there and draws only its settlements.
    const county = Object.entries(cli.rates.counties).find(([, r]) => r.focus)![0];
    await page.selectOption('[data-testid=filter-county]', county);
    await mapSettled();
    await page.screenshot({ path: join(SCREENSHOTS, 'app-county-filter.png') });
    expect(await changedShare(start, await canvasSnapshot())).toBeGreaterThan(0.2);
    await page.selectOption('[data-testid=filter-county]', '');
    await page.check('[data-testid=filter-listed]');
    await mapSettled();
    await page.screenshot({ path: join(SCREENSHOTS, 'app-listed-filter.png') });
    await page.uncheck('[data-testid=filter-listed]');
  }, 180_000);

  it('lists the 62 named listed villages with the five doubtful names, and the committee-seat check', async () => {
    await page.click('[data-testid=tab-listed]');
    await page.waitForSelector('[data-testid=listed-table]');
    expect(await page.locator('[data-testid=listed-table] tbody tr').count()).toBe(62);
    expect(await page.locator('[data-testid=listed-table] .tag.warn', { hasText: '名称存疑' }).count()).toBe(5);
    const seats = cli.committeeSeats;
    expect(await page.textContent('[data-testid=seats-summary]')).toContain(`${seats.total} 个村委会所在地：4G ${seats.mobileCovered} 个，宽带 ${seats.broadbandCovered} 个`);
    await page.screenshot({ path: join(SCREENSHOTS, 'app-listed.png') });
  }, 60_000);

  it('opens a blind spot from the list and a settlement by clicking it on the map', async () => {
    await page.click('[data-testid=tab-blind]');
    const first = page.locator('[data-testid=blind-row]').first();
    const cells = await first.locator('td').allTextContents();
    const households = Number(cells[2].replace(/,/g, ''));
    // The list is sorted by households, largest first: its head is the CLI's largest blind spot.
    const gaps = cli.settlements.filter((s) => s.eligible && (!s.mobile || !s.broadband));
    expect(households).toBe(Math.max(...gaps.map((s) => s.households)));
    const spot = gaps.find((s) => s.households === households && cells[0].startsWith(s.name))!;
    expect(spot).toBeDefined();
    await first.click();
    await page.waitForSelector('.atlas-popup', { timeout: 30_000 });
    await mapSettled();
    const popup = await page.textContent('.atlas-popup');
    expect(popup).toContain(spot.name);
    expect(popup).toContain(spot.county);
    await page.screenshot({ path: join(SCREENSHOTS, 'app-blind-popup.png') });

    // The list flew the map to the settlement: it sits at the centre, where a click selects it.
    await page.click('.maplibregl-popup-close-button');
    expect(await page.locator('.atlas-popup').count()).toBe(0);
    const box = (await page.locator('[data-testid=map]').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector('.atlas-popup', { timeout: 10_000 });
    const clicked = await page.textContent('.atlas-popup');
    expect(clicked).toContain(spot.name);
    expect(clicked).toContain(`户数${spot.households}`);
    expect(clicked).toMatch(/4G(移动|电信|联通|无覆盖)/);
  }, 120_000);

  it('finds a settlement by name and flies there', async () => {
    // A committee seat of a listed village whose name is rare, so it is among the first hits.
    const nameCount = new Map<string, number>();
    for (const s of cli.settlements) nameCount.set(s.name, (nameCount.get(s.name) ?? 0) + 1);
    const target = cli.settlements.filter((s) => s.listed && s.committee).sort((a, b) => nameCount.get(a.name)! - nameCount.get(b.name)!)[0];
    // The previous test leaves its settlement's popup open: closed first, the popup read below is the search's.
    if (await page.locator('.atlas-popup').count()) await page.click('.maplibregl-popup-close-button');
    expect(await page.locator('.atlas-popup').count()).toBe(0);
    await page.fill('[data-testid=search]', target.name);
    await page.waitForSelector('[data-testid=search-results] button', { timeout: 15_000 });
    const hit = page.locator('[data-testid=search-results] button', { hasText: target.village }).first();
    await hit.click();
    await page.waitForSelector('.atlas-popup', { timeout: 10_000 });
    const popup = await page.textContent('.atlas-popup');
    expect(popup).toContain(target.name);
    expect(popup).toContain('挂牌村是');
    expect(popup).toContain('村委会所在地是');
    await mapSettled();
    await page.screenshot({ path: join(SCREENSHOTS, 'app-search.png') });
  }, 120_000);

  it('imports a CSV: preview, progress, per-row errors for a bad file, then the new layer', async () => {
    const bad = join(dir, '坏聚居区.csv');
    writeFileSync(bad, '名称,户数,经度,纬度,县区\n上屋,40,115.41,25.95,于都县\n下屋,很多,115.42,25.96,于都县\n中屋,30,215.0,25.97,于都县\n');
    const good = join(dir, '新基站.csv');
    writeFileSync(good, '基站名称,运营商,制式,经度,纬度,方位角\n岭背1,移动,4G,115.41,25.95,0\n岭背2,电信,4G,115.43,25.96,120\n');
    await page.click('[data-testid=tab-import]');
    // Record every state the progress element goes through: a small import is over in a blink.
    await page.evaluate(`(() => {
      window.__sawProgress = false;
      new MutationObserver(() => { if (document.querySelector('[data-testid=import-progress]')) window.__sawProgress = true; })
        .observe(document.body, { childList: true, subtree: true });
    })()`);

    await page.selectOption('[data-testid=import-role]', 'settlements');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=import-choose]')]);
    await chooser.setFiles(bad);
    await page.waitForSelector('[data-testid=import-preview]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=import-sample]')).toContain('很多');
    expect(await page.inputValue('[data-testid=import-mapping] select[data-field=households]')).toBe('户数');
    await page.screenshot({ path: join(SCREENSHOTS, 'app-import-preview.png') });
    await page.click('[data-testid=import-run]');
    await page.waitForSelector('[data-testid=import-issues]', { timeout: 60_000 });
    expect(await page.evaluate<boolean>('window.__sawProgress')).toBe(true);
    const issueRows = page.locator('[data-testid=import-issues] tbody tr');
    const rows: string[][] = [];
    for (let i = 0; i < (await issueRows.count()); i++) rows.push(await issueRows.nth(i).locator('td').allTextContents());
    await page.screenshot({ path: join(SCREENSHOTS, 'app-import-errors.png') });
    const shown = JSON.stringify(rows);
    expect(rows.length, shown).toBeGreaterThanOrEqual(2);
    expect(rows.every((r) => r[0]?.includes('坏聚居区.csv')), shown).toBe(true);
    expect(rows.some((r) => r[1] === '3' && r[2] === 'households'), shown).toBe(true);
    expect(rows.some((r) => r[1] === '4' && /lon|经度|geometry/.test(r[2] ?? '')), shown).toBe(true);
    const layersBefore = (JSON.parse(await npmCli(['layers', workspace, '--format', 'json'])) as { layers: { name: string; role: string }[] }).layers;

    await page.selectOption('[data-testid=import-role]', 'sites');
    const [chooser2] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=import-choose]')]);
    await chooser2.setFiles(good);
    await page.waitForSelector('[data-testid=import-preview]', { timeout: 30_000 });
    await page.click('[data-testid=import-run]');
    await page.waitForSelector('[data-testid=import-ok]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid=import-ok]')).toContain('新基站');
    // The workspace's layer list (and the map's data) reload: the new layer is listed.
    await page.waitForSelector('[data-testid=workspace-layers] >> text=新基站', { timeout: 30_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'app-import-ok.png') });
    const layersAfter = (JSON.parse(await npmCli(['layers', workspace, '--format', 'json'])) as { layers: { name: string; role: string }[] }).layers;
    // The failed import wrote nothing; the good one added the sites layer (and the back end may derive sector coverage from it).
    expect(layersBefore.some((l) => l.name.includes('坏聚居区'))).toBe(false);
    const added = layersAfter.filter((l) => !layersBefore.some((b) => b.name === l.name && b.role === l.role));
    expect(added.map((l) => l.role)).toContain('sites');
    expect(added.every((l) => l.name.includes('新基站'))).toBe(true);
  }, 240_000);

  it('imports an Excel workbook: its sheets listed, the chosen one previewed with merged cells read, then imported', async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('说明').addRow(['本表为于都县聚居区清单（演示数据）']);
    const sheet = book.addWorksheet('聚居区');
    sheet.addRow(['乡镇', '行政村', '自然村', '户数', '经度', '纬度', '县区']);
    sheet.addRow(['银坑镇', '潮溪村', '上坪甲', 36, 115.412345, 25.952345, '于都县']);
    sheet.addRow([null, '潮溪村', '下坪甲', 28, 115.423456, 25.961234, '于都县']);
    sheet.addRow([null, '潮溪村', '尾坪甲', 31, 115.431234, 25.971234, '于都县']);
    // The township is one merged cell over the three rows, as county offices draw up their tables.
    sheet.mergeCells('A2:A4');
    const path = join(dir, '潮溪村聚居区.xlsx');
    await book.xlsx.writeFile(path);

    await page.click('[data-testid=tab-import]');
    await page.selectOption('[data-testid=import-role]', 'settlements');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=import-choose]')]);
    await chooser.setFiles(path);
    await page.waitForSelector('[data-testid=import-sheet]', { timeout: 30_000 });
    expect(await page.locator('[data-testid=import-sheet] option').allTextContents()).toEqual(['说明', '聚居区']);
    await page.selectOption('[data-testid=import-sheet]', '聚居区');
    await page.locator('[data-testid=import-sample]', { hasText: '尾坪甲' }).waitFor({ timeout: 30_000 });
    const sample = await page.textContent('[data-testid=import-sample]');
    // Every row reads the merged township.
    expect(sample?.match(/银坑镇/g)?.length).toBe(3);
    expect(await page.inputValue('[data-testid=import-mapping] select[data-field=households]')).toBe('户数');
    await page.screenshot({ path: join(SCREENSHOTS, 'app-import-xlsx-preview.png') });
    await page.click('[data-testid=import-run]');
    await page.waitForSelector('[data-testid=import-ok]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid=import-ok]')).toContain('潮溪村聚居区');
    await page.waitForSelector('[data-testid=workspace-layers] >> text=潮溪村聚居区', { timeout: 30_000 });
    const layers = (JSON.parse(await npmCli(['layers', workspace, '--format', 'json'])) as { layers: { name: string; role: string; featureCount: number }[] }).layers;
    expect(layers.find((l) => l.name.includes('潮溪村聚居区'))).toMatchObject({ role: 'settlements', featureCount: 3 });
  }, 240_000);

  it('imports a KMZ of coverage written in GBK: its placemark\'s ExtendedData mapped, its polygon imported', async () => {
    const kml = `<?xml version="1.0" encoding="GBK"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>联通宁都覆盖（演示数据）</name><Folder><name>4G</name>
<Placemark id="CU-ND-001"><name>东山坝4G覆盖</name><ExtendedData><Data name="运营商"><value>中国联通</value></Data><Data name="网络制式"><value>4G</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>116.00,26.40,0 116.06,26.40,0 116.06,26.46,0 116.00,26.46,0 116.00,26.40,0</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Folder></Document></kml>`;
    const path = join(dir, '联通宁都覆盖.kmz');
    writeFileSync(path, zipSync({ 'doc.kml': iconv.encode(kml, 'gbk') }));

    await page.click('[data-testid=tab-import]');
    await page.selectOption('[data-testid=import-role]', 'mobile');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=import-choose]')]);
    await chooser.setFiles(path);
    await page.locator('[data-testid=import-sample]', { hasText: '东山坝4G覆盖' }).waitFor({ timeout: 30_000 });
    expect(await page.inputValue('[data-testid=import-mapping] select[data-field=operator]')).toBe('运营商');
    await page.screenshot({ path: join(SCREENSHOTS, 'app-import-kmz-preview.png') });
    await page.click('[data-testid=import-run]');
    await page.waitForSelector('[data-testid=import-ok]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid=workspace-layers] >> text=联通宁都覆盖', { timeout: 30_000 });
    const layers = (JSON.parse(await npmCli(['layers', workspace, '--format', 'json'])) as { layers: { name: string; role: string; featureCount: number }[] }).layers;
    expect(layers.find((l) => l.name.includes('联通宁都覆盖'))).toMatchObject({ role: 'mobile', featureCount: 1 });
  }, 240_000);

  it('draws at half resolution while dragged in SwiftShader, sharp again once settled, labels unfaded, and never when told', async () => {
    // The drags start where the previous test's popup is: closed first.
    if (await page.locator('.atlas-popup').count()) await page.click('.maplibregl-popup-close-button');
    await mapSettled();
    const canvasWidth = () => page.evaluate<[number, number]>(`(() => {
      const c = document.querySelector('[data-testid=map] canvas');
      return [c.width, c.clientWidth];
    })()`);
    const view = async () => (await page.getAttribute('[data-testid=map]', 'data-map-view'))!.split(',').map(Number);
    expect(await page.getAttribute('[data-testid=map]', 'data-map-renderer')).toBe('software');
    const box = (await page.locator('[data-testid=map]').boundingBox())!;
    const x = box.x + box.width * 0.6, y = box.y + box.height / 2;
    /** Drags the map 200 px to the right; the canvas's drawing width and CSS width while the button is held. */
    const drag = async () => {
      const [lon0, , zoom] = await view();
      await page.mouse.move(x, y);
      await page.mouse.down();
      for (let i = 1; i <= 10; i++) await page.mouse.move(x + 20 * i, y);
      // Held still past maplibre's inertia window: the release adds no glide.
      await page.waitForTimeout(300);
      const held = await canvasWidth();
      await page.mouse.up();
      await page.waitForSelector('[data-testid=map]:not([data-map-moving])');
      await mapSettled();
      const [lon1] = await view();
      // The drag moved the map by its 200 px (maplibre's 512 px world at zoom 0): the lowering did not stop it.
      expect((lon0 - lon1) / (200 * 360 / (512 * 2 ** zoom))).toBeCloseTo(1, 2);
      return held;
    };

    const labelFade = () => page.getAttribute('[data-testid=map]', 'data-map-label-fade');
    const [held, css] = await drag();
    expect(held).toBe(Math.round(css * 0.5));
    expect(await canvasWidth()).toEqual([css, css]);
    // Labels are placed at once rather than faded in over maplibre's default 300 ms.
    expect(await labelFade()).toBe('0');

    await page.click('[data-testid=tab-settings]');
    expect(await page.textContent('[data-testid=map-renderer]')).toContain('SwiftShader');
    await chooseSmoothMap(page, 'never');
    expect((await drag())[0]).toBe(css);
    expect(await labelFade()).toBe('300');
    await chooseSmoothMap(page, 'auto');
    expect((await drag())[0]).toBe(Math.round(css * 0.5));
    // The choice is the workspace's: kept after a reload.
    await chooseSmoothMap(page, 'always');
    await page.reload();
    await mapSettled();
    await page.click('[data-testid=tab-settings]');
    expect(await page.inputValue('[data-testid=smooth-map]')).toBe('always');
    await chooseSmoothMap(page, 'auto');
    await page.click('[data-testid=tab-counties]');
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it('switches to English and keeps it after a reload', async () => {
    await page.selectOption('[data-testid=language]', 'en');
    await page.waitForSelector('text=Coverage Atlas');
    expect(await page.textContent('[data-testid=tab-counties]')).toBe('Counties');
    await page.click('[data-testid=tab-counties]');
    expect(await page.textContent('[data-testid=county-table] thead')).toContain('4G coverage');
    await page.reload();
    await page.waitForSelector('[data-testid=county-table]', { timeout: 180_000 });
    expect(await page.textContent('[data-testid=tab-blind]')).toBe('Blind spots');
    expect(await page.textContent('[data-testid=synthetic-badge]')).toBe('Schematic boundaries · demo data');
    await mapSettled();
    await page.screenshot({ path: join(SCREENSHOTS, 'app-english.png') });
    await page.selectOption('[data-testid=language]', 'zh-CN');
    await page.waitForSelector('text=覆盖图谱');
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
