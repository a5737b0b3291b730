// `tsx bench/browser.ts [--workspace FILE.gpkg ...] [--runs 3] [--settlements 200000]`: the app in browser mode,
// timed in Debian's Chromium (SwiftShader WebGL) as a user meets it:
//   start → interactive  server spawned → page shows the county table and the map has drawn the settlements
//   first map            a new page on the running server → the settlement layer drawn (data-settlements-drawn;
//                        an app without it: map idle after the settlements were set)
//   all drawn            the same page → map idle with everything it asked for (coverage too) drawn
//   frames               requestAnimationFrame intervals during scripted drags and wheel zooms (p50/p95/max), all
//                        of them and those while the map moves (data-map-moving), with the smooth map mode 'auto'
//                        (a new workspace's: half resolution while moving in SwiftShader) and with it off
//   filter → counts      a filter changed → the legend counts re-rendered
//   filter → map         a filter changed → the last WebGL draw of the map (quiet for 1 s after it)
// Start → interactive, first map and county table end at the moments the page itself records (SHOWN_TRACKER), not
// when Playwright's polling notices them (up to ~0.5 s later while SwiftShader keeps the page busy).
// Without --workspace it measures the demo workspace and a generated 200,000-settlement one (under /tmp, reused).
// Each figure is the best of --runs; the machine's load average is printed with the table.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildServer } from '../server/bundle';
import { ensureRendererBuilt } from '../server/build';
import type { Settings } from '../api/contract';
import { chooseSmoothMap, launchChromium, ROOT, startBrowserMode } from '../tests/e2e/harness';
import { childPids, prepareRun, raiseSession } from './measure';

export interface FrameFigures {
  p50: number; p95: number; max: number; count: number;
  /** The frames that began while the map moved. */
  moving: { p50: number; p95: number; count: number };
}

export interface BrowserFigures {
  workspace: string;
  settlements: number;
  serverReadyMs: number;
  interactiveMs: number;
  firstMapMs: number;
  allDrawnMs: number;
  tableMs: number;
  /** Smooth map mode auto, a new workspace's (in SwiftShader: half resolution while moving). */
  frames: FrameFigures;
  /** Smooth map mode off: full resolution while moving. */
  framesFull: FrameFigures;
  countyCountsMs: number;
  countyMapMs: number;
  operatorCountsMs: number;
  operatorMapMs: number;
  load: string;
}

const VIEWPORT = { width: 1500, height: 900 };
const MAP_IDLE = '[data-testid=map][data-settlements][data-map-state=idle]';
const SETTLEMENTS_DRAWN = '[data-testid=map][data-settlements][data-settlements-drawn], [data-testid=map][data-settlements][data-map-state=idle]:not([data-settlements-drawn])';

/**
 * Records (epoch ms) when the county table first appears and when the settlements are first drawn: the page's own
 * moments. Playwright notices them later, by polling that backs off to 500 ms between looks while the page is busy.
 */
const SHOWN_TRACKER = `(() => {
  const shown = window.__shown = {};
  const look = () => {
    const now = performance.timeOrigin + performance.now();
    if (shown.table === undefined && document.querySelector('[data-testid=county-table]')) shown.table = now;
    if (shown.drawn === undefined && document.querySelector(${JSON.stringify(SETTLEMENTS_DRAWN)})) shown.drawn = now;
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true });
})()`;

/** Epoch ms at which the page showed the county table and drew the settlements (SHOWN_TRACKER). */
async function shownAt(page: Page): Promise<{ table: number; drawn: number }> {
  await page.waitForSelector('[data-testid=county-table]', { timeout: 300_000 });
  await page.waitForSelector(SETTLEMENTS_DRAWN, { timeout: 300_000 });
  return page.evaluate<{ table: number; drawn: number }>('window.__shown');
}

/** Records the time of every WebGL draw call, so "the map has finished drawing" is observable from outside. */
const DRAW_TRACKER = `(() => {
  window.__lastDraw = 0;
  const orig = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, attrs) {
    const ctx = orig.call(this, type, attrs);
    if (ctx && (type === 'webgl2' || type === 'webgl') && !ctx.__tracked) {
      ctx.__tracked = true;
      for (const name of ['drawElements', 'drawArrays', 'drawElementsInstanced', 'drawArraysInstanced']) {
        const f = ctx[name];
        if (typeof f === 'function') ctx[name] = function (...a) { window.__lastDraw = performance.now(); return f.apply(this, a); };
      }
    }
    return ctx;
  };
})()`;

function load(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}

const best = (xs: number[]) => Math.min(...xs);

async function mapIdle(page: Page, timeout = 300_000): Promise<void> {
  await page.waitForSelector(MAP_IDLE, { timeout });
  await page.waitForTimeout(200);
  await page.waitForSelector(MAP_IDLE, { timeout });
}

/** ms from `start` (page clock) to the last draw call, once nothing was drawn for `quietMs`. */
async function lastDrawAfter(page: Page, start: number, quietMs = 1000): Promise<number> {
  for (;;) {
    const [now, last] = await page.evaluate<[number, number]>('[performance.now(), window.__lastDraw]');
    if (last > start && now - last >= quietMs) return last - start;
    if (now - start > 120_000) throw new Error('the map kept drawing for 2 minutes after a filter change');
    await page.waitForTimeout(100);
  }
}

/** Changes a <select> the way a user does and resolves with the page time of the change. */
function changeSelect(page: Page, testid: string, value: string): Promise<number> {
  return page.evaluate<number, [string, string]>(([id, v]) => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): { value: string; dispatchEvent(e: unknown): void } } }).document;
    const el = doc.querySelector(`[data-testid=${id}]`);
    const EventCtor = (globalThis as unknown as { Event: new (t: string, o: object) => unknown }).Event;
    const t0 = performance.now();
    el.value = v;
    el.dispatchEvent(new EventCtor('change', { bubbles: true }));
    return t0;
  }, [testid, value]);
}

/** Waits for the legend counts to differ from `before`; ms from `start`. */
async function countsChanged(page: Page, start: number, before: string): Promise<number> {
  await page.waitForFunction((b) => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
    const text = doc.querySelector('[data-testid=legend]')?.textContent ?? '';
    if (text !== b) (globalThis as unknown as { __countsAt: number }).__countsAt ??= performance.now();
    return text !== b;
  }, before, { timeout: 120_000, polling: 'raf' });
  const at = await page.evaluate<number>('window.__countsAt');
  await page.evaluate('window.__countsAt = undefined');
  return at - start;
}

async function legend(page: Page): Promise<string> {
  return (await page.textContent('[data-testid=legend]')) ?? '';
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** rAF intervals while the map is dragged and wheel-zoomed around the centre. */
async function frameTimes(page: Page): Promise<FrameFigures> {
  const box = (await page.locator('[data-testid=map]').boundingBox())!;
  const cx = box.x + box.width * 0.6, cy = box.y + box.height / 2;
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__moving = [];
    const map = document.querySelector('[data-testid=map]');
    let last = performance.now();
    let moving = false;
    window.__recording = true;
    const tick = (t) => {
      window.__frames.push(t - last);
      window.__moving.push(moving);
      last = t;
      moving = map.dataset.mapMoving === 'true';
      if (window.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  for (const [dx, dy] of [[200, 0], [0, 150], [-250, -100], [120, 80]]) {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(cx + (dx * i) / 10, cy + (dy * i) / 10);
    await page.mouse.up();
    await page.waitForTimeout(300);
  }
  await page.mouse.move(cx, cy);
  for (const dy of [-240, -240, -240, 240, 240, 240]) {
    await page.mouse.wheel(0, dy);
    await page.waitForTimeout(350);
  }
  await page.waitForTimeout(500);
  const frames = await page.evaluate<number[]>('(window.__recording = false, window.__frames.slice(1))');
  const moving = await page.evaluate<boolean[]>('window.__moving.slice(1)');
  const sorted = [...frames].sort((a, b) => a - b);
  const sortedMoving = frames.filter((_, i) => moving[i]).sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted[sorted.length - 1] ?? NaN, count: frames.length,
    moving: { p50: percentile(sortedMoving, 0.5), p95: percentile(sortedMoving, 0.95), count: sortedMoving.length },
  };
}

/** Sets the smooth map mode the way a user does, on the settings tab, and goes back to the tab that was open. */
async function setSmoothMap(page: Page, mode: Settings['smoothMap']): Promise<void> {
  const open = await page.getAttribute('[role=tab][aria-selected=true]', 'data-testid');
  await page.click('[data-testid=tab-settings]');
  await chooseSmoothMap(page, mode);
  if (open) await page.click(`[data-testid=${open}]`);
}

/** A new page at `url`; `start`: epoch ms just before it was asked for. */
async function openPage(browser: Browser, url: string): Promise<{ page: Page; start: number }> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  await page.addInitScript(DRAW_TRACKER);
  await page.addInitScript(SHOWN_TRACKER);
  const start = Date.now();
  await page.goto(url);
  return { page, start };
}

/** One workspace: `runs` cold starts (start → interactive), then page-level figures on the last server. */
export async function measureWorkspace(browser: Browser, workspace: string, runs: number, log: (m: string) => void = () => undefined): Promise<BrowserFigures> {
  const ready: number[] = [], interactive: number[] = [], firstMap: number[] = [], allDrawn: number[] = [], table: number[] = [];
  const fr: FrameFigures[] = [], frFull: FrameFigures[] = [];
  const cc: number[] = [], cm: number[] = [], oc: number[] = [], om: number[] = [];
  let settlements = 0;
  for (let run = 0; run < runs; run++) {
    prepareRun([workspace]);
    const t0 = Date.now();
    const server = await startBrowserMode({ workspace, onSpawn: raiseSession });
    try {
      ready.push(Date.now() - t0);
      const { page } = await openPage(browser, server.url);
      const shown = await shownAt(page);
      interactive.push(Math.max(shown.table, shown.drawn) - t0);
      settlements = Number(await page.getAttribute('[data-testid=map]', 'data-settlements'));
      await page.close();
      log(`  run ${run + 1}: server ${ready.at(-1)!.toFixed(0)} ms, interactive ${interactive.at(-1)!.toFixed(0)} ms`);

      // A second page on the warm server: the page's own cost of drawing the workspace.
      const second = await openPage(browser, server.url);
      const p = second.page;
      const secondShown = await shownAt(p);
      table.push(secondShown.table - second.start);
      firstMap.push(secondShown.drawn - second.start);
      await mapIdle(p);
      allDrawn.push(Date.now() - second.start);
      await p.waitForTimeout(500);
      // The mode as a new workspace has it (auto: on in SwiftShader), whatever an interrupted run left behind.
      await setSmoothMap(p, 'auto');
      await mapIdle(p);
      fr.push(await frameTimes(p));
      await mapIdle(p);
      await setSmoothMap(p, 'never');
      await mapIdle(p);
      frFull.push(await frameTimes(p));
      await setSmoothMap(p, 'auto');
      await mapIdle(p);

      const county = await p.evaluate<string>(`document.querySelector('[data-testid=filter-county] option:nth-child(2)').value`);
      let before = await legend(p);
      let t = await changeSelect(p, 'filter-county', county);
      cc.push(await countsChanged(p, t, before));
      cm.push(await lastDrawAfter(p, t));
      before = await legend(p);
      t = await changeSelect(p, 'filter-county', '');
      await countsChanged(p, t, before);
      await lastDrawAfter(p, t);
      before = await legend(p);
      t = await changeSelect(p, 'filter-operator', 'CT');
      oc.push(await countsChanged(p, t, before));
      om.push(await lastDrawAfter(p, t));
      log(`         first map ${firstMap.at(-1)!.toFixed(0)} ms, frames p50/p95 ${fr.at(-1)!.p50.toFixed(0)}/${fr.at(-1)!.p95.toFixed(0)} ms (moving ${fr.at(-1)!.moving.p50.toFixed(0)}/${fr.at(-1)!.moving.p95.toFixed(0)}; smooth off ${frFull.at(-1)!.p50.toFixed(0)}/${frFull.at(-1)!.p95.toFixed(0)}, moving ${frFull.at(-1)!.moving.p50.toFixed(0)}/${frFull.at(-1)!.moving.p95.toFixed(0)}), county→counts ${cc.at(-1)!.toFixed(0)} ms, operator→map ${om.at(-1)!.toFixed(0)} ms`);
      await p.close();
    } finally {
      await server.close();
    }
  }
  const bestFrames = (f: FrameFigures[]) => f.reduce((a, b) => (b.p95 < a.p95 ? b : a));
  return {
    workspace, settlements, serverReadyMs: best(ready), interactiveMs: best(interactive), firstMapMs: best(firstMap),
    allDrawnMs: best(allDrawn), tableMs: best(table),
    frames: bestFrames(fr), framesFull: bestFrames(frFull), countyCountsMs: best(cc), countyMapMs: best(cm), operatorCountsMs: best(oc), operatorMapMs: best(om), load: load(),
  };
}

export function formatTable(rows: BrowserFigures[]): string {
  const head = ['workspace', 'settlements', 'server ready', 'start→interactive', 'first map', 'all drawn', 'county table',
    'frame p50/p95/max', 'moving p50/p95', 'smooth off: frame p50/p95, moving', 'county→counts', 'county→map', 'operator→counts', 'operator→map', 'load 1/5/15'];
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const body = rows.map((r) => [
    r.workspace.split('/').pop()!, r.settlements.toLocaleString('en'), s(r.serverReadyMs), s(r.interactiveMs), s(r.firstMapMs), s(r.allDrawnMs), s(r.tableMs),
    `${r.frames.p50.toFixed(0)}/${r.frames.p95.toFixed(0)}/${r.frames.max.toFixed(0)} ms (${r.frames.count})`,
    `${r.frames.moving.p50.toFixed(0)}/${r.frames.moving.p95.toFixed(0)} ms (${r.frames.moving.count})`,
    `${r.framesFull.p50.toFixed(0)}/${r.framesFull.p95.toFixed(0)}, ${r.framesFull.moving.p50.toFixed(0)}/${r.framesFull.moving.p95.toFixed(0)} ms`,
    s(r.countyCountsMs), s(r.countyMapMs), s(r.operatorCountsMs), s(r.operatorMapMs), r.load,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

function option(argv: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) if (argv[i] === `--${name}`) out.push(argv[++i]);
  return out;
}

/** The generated N-settlement demo workspace under the temp folder, written on first use. */
export function largeWorkspace(settlements: number): string {
  const dir = join(tmpdir(), 'atlas-bench-browser');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `demo-${settlements}.gpkg`);
  if (!existsSync(path)) {
    process.stderr.write(`generating ${path} …\n`);
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'cli', 'main.ts'), 'demo', path, '--settlements', String(settlements)],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return path;
}

/** The demo workspace as `npm run serve` uses it, copied so the bench never writes to the user's. */
function demoWorkspace(): string {
  const dir = join(tmpdir(), 'atlas-bench-browser');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'demo.gpkg');
  if (!existsSync(path)) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'cli', 'main.ts'), 'demo', path],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return path;
}

/** Main-like entry for bench/run.ts: measures, prints the table and returns the figures. */
export async function runBrowserBench(argv: string[] = []): Promise<BrowserFigures[]> {
  const runs = Number(option(argv, 'runs')[0] ?? 3);
  const n = Number(option(argv, 'settlements')[0] ?? 200_000);
  const given = option(argv, 'workspace').map((w) => resolve(w));
  const workspaces = given.length > 0 ? given : [demoWorkspace(), largeWorkspace(n)];
  // `npm run serve` bundles the server, and builds the renderer with vite, when their sources changed (~1.6 s and
  // ~1 s, once): built here first, so that every timed start is a start, as for a user after the first one.
  await buildServer();
  await ensureRendererBuilt(ROOT, (m) => process.stderr.write(`${m}\n`));
  const browser = await launchChromium();
  // Chromium leads a session of its own (its renderers and GPU process share it).
  for (const pid of childPids('chromium')) raiseSession(pid);
  const rows: BrowserFigures[] = [];
  try {
    for (const w of workspaces) {
      process.stderr.write(`${w} (load ${load()})\n`);
      rows.push(await measureWorkspace(browser, w, runs, (m) => process.stderr.write(m + '\n')));
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(formatTable(rows) + '\n');
  return rows;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.dirname, 'browser.ts')) {
  runBrowserBench(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench/browser.ts failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  });
}
