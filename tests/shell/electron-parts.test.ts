import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlindSpot } from '../../api/contract';
import { dispatch, FileGrants } from '../../electron/dispatch';
import { blindSpotsCsv } from '../../electron/export';
import { buildMenuTemplate, type MenuActions } from '../../electron/menu';
import { handleAppRequest } from '../../electron/protocol';
import { CSP } from '../../electron/security';
import { loadState, parseState, rememberWorkspace, saveState, visibleBounds, workspaceFromArgv, type ShellState } from '../../electron/state';
import { fakeApi } from './fake-api';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atlas-electron-test-'));
  await mkdir(join(dir, 'renderer', 'assets'), { recursive: true });
  await writeFile(join(dir, 'renderer', 'index.html'), '<title>覆盖图谱 Coverage Atlas</title>');
  await writeFile(join(dir, 'renderer', 'assets', 'worker.mjs'), 'export {}');
  await writeFile(join(dir, 'secret.txt'), 'TOP-SECRET');
  await symlink(join(dir, 'secret.txt'), join(dir, 'renderer', 'escape.txt'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('IPC dispatch', () => {
  it('passes calls through and answers with envelopes, without stacks', async () => {
    const api = fakeApi('/w/demo.gpkg');
    const ctx = { api, grants: new FileGrants() };
    expect(await dispatch(ctx, 'workspace', [])).toMatchObject({ ok: true, value: { path: '/w/demo.gpkg' } });
    expect(await dispatch(ctx, 'cancelImport', ['j'])).toEqual({ ok: true, value: null });
    expect(await dispatch(ctx, 'layerFeatures', [{ layerId: 99 }])).toEqual({ ok: false, error: { message: 'Unknown layer 99 图层不存在' } });
    expect(await dispatch(ctx, 'analyze', [])).toMatchObject({ ok: false, error: { issues: [{ field: 'households' }] } });
    expect(await dispatch(ctx, 'constructor', [])).toMatchObject({ ok: false, error: { message: 'Unknown API method "constructor"' } });
    expect(await dispatch(ctx, 'workspace', 'not-an-array')).toMatchObject({ ok: false });
    expect(await dispatch(ctx, 'searchSettlements', ['a', 1, 2])).toMatchObject({ ok: false });
  });

  it('imports and opens only files the user chose', async () => {
    const api = fakeApi('/w/demo.gpkg');
    const grants = new FileGrants();
    const opened: string[] = [];
    const ctx = { api, grants, onWorkspace: (i: { path: string }) => opened.push(i.path) };
    const csv = join(dir, 'points.csv');
    await writeFile(csv, 'lon,lat\n');
    const before = api.calls.length;
    expect(await dispatch(ctx, 'importLayer', [{ file: csv, role: 'settlements' }])).toMatchObject({ ok: false });
    expect(await dispatch(ctx, 'previewImport', [{ file: '/etc/passwd', role: 'settlements' }])).toMatchObject({ ok: false });
    expect(await dispatch(ctx, 'openWorkspace', ['/home/user/other.gpkg'])).toMatchObject({ ok: false });
    expect(await dispatch(ctx, 'newWorkspace', [join(dir, 'x.gpkg')])).toMatchObject({ ok: false });
    expect(api.calls.length).toBe(before);

    grants.grant(csv);
    const progress: number[] = [];
    const outcome = await dispatch(ctx, 'importLayer', [{ file: join(dir, '.', 'points.csv'), role: 'settlements' }], (p) => progress.push(p.rows));
    expect(outcome.ok).toBe(true);
    expect(progress).toEqual([10, 20, 30]);
    grants.grant(join(dir, 'x.gpkg'));
    expect(await dispatch(ctx, 'newWorkspace', [join(dir, 'x.gpkg')])).toMatchObject({ ok: true });
    expect(opened).toEqual([join(dir, 'x.gpkg')]);
  });

  it('reports settings changes (menu language, CSP)', async () => {
    const seen: string[] = [];
    const ctx = { api: fakeApi('/w.gpkg'), grants: new FileGrants(), onSettings: (s: { language: string }) => seen.push(s.language) };
    await dispatch(ctx, 'updateSettings', [{ language: 'en' }]);
    expect(seen).toEqual(['en']);
  });
});

describe('app:// protocol', () => {
  const csp = () => CSP;
  const req = (url: string, method = 'GET') => handleAppRequest(new Request(url, { method }), join(dir, 'renderer'), csp);

  it('serves the renderer with the CSP and nosniff', async () => {
    const res = await req('app://atlas/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('覆盖图谱');
    expect((await req('app://atlas/')).status).toBe(200);
    expect((await req('app://atlas/assets/worker.mjs')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('refuses other hosts, other methods and every way out of the folder', async () => {
    expect((await req('app://evil/index.html')).status).toBe(404);
    expect((await req('app://atlas/index.html', 'POST')).status).toBe(405);
    for (const url of ['app://atlas/%2e%2e/secret.txt', 'app://atlas/..%2fsecret.txt', 'app://atlas/%5c..%5csecret.txt', 'app://atlas/escape.txt', 'app://atlas/../secret.txt']) {
      const res = await req(url);
      expect([403, 404], url).toContain(res.status);
      expect(await res.text(), url).not.toContain('TOP-SECRET');
    }
  });
});

describe('shell state', () => {
  it('keeps only well-formed members', () => {
    expect(parseState('not json')).toEqual({ recent: [] });
    expect(parseState('[1,2]')).toEqual({ recent: [] });
    expect(parseState(JSON.stringify({ bounds: { x: 'a', y: 2, width: 1200, height: 800 }, maximized: 1, lastWorkspace: 3, recent: ['a.gpkg', 5, 'a.gpkg', 'b.gpkg'] })))
      .toEqual({ bounds: { width: 1200, height: 800 }, recent: ['a.gpkg', 'b.gpkg'] });
    expect(parseState(JSON.stringify({ bounds: { x: 0, y: 0, width: 10, height: 10 } }))).toEqual({ recent: [] });
  });

  it('round-trips through the file and keeps a bounded recent list', async () => {
    const file = join(dir, 'state.json');
    let s: ShellState = { recent: [] };
    for (let i = 0; i < 12; i++) s = rememberWorkspace(s, `/w/${i}.gpkg`);
    s = rememberWorkspace(s, '/w/5.gpkg');
    expect(s.recent[0]).toBe('/w/5.gpkg');
    expect(s.recent).toHaveLength(10);
    expect(s.lastWorkspace).toBe('/w/5.gpkg');
    await saveState(file, { ...s, bounds: { x: 5, y: 6, width: 1300, height: 900 }, maximized: true });
    expect(await loadState(file)).toEqual({ ...s, bounds: { x: 5, y: 6, width: 1300, height: 900 }, maximized: true });
    expect(await loadState(join(dir, 'missing.json'))).toEqual({ recent: [] });
    expect(JSON.parse(await readFile(file, 'utf8')).recent).toHaveLength(10);
  });

  it('finds the workspace argument and drops off-screen bounds', () => {
    expect(workspaceFromArgv(['electron', 'dist/electron/main.mjs', '--inspect', 'D:\\数据\\于都.gpkg'], false)).toBe('D:\\数据\\于都.gpkg');
    expect(workspaceFromArgv(['CoverageAtlas.exe', 'a.GPKG'], true)).toBe('a.GPKG');
    expect(workspaceFromArgv(['CoverageAtlas.exe', '--flag'], true)).toBeNull();
    const screen = [{ x: 0, y: 0, width: 1920, height: 1040 }];
    expect(visibleBounds({ x: 100, y: 100, width: 1200, height: 800 }, screen)).toEqual({ x: 100, y: 100, width: 1200, height: 800 });
    expect(visibleBounds({ x: 3000, y: 100, width: 1200, height: 800 }, screen)).toEqual({ width: 1200, height: 800 });
    expect(visibleBounds(undefined, screen)).toBeUndefined();
  });
});

describe('menu', () => {
  const calls: string[] = [];
  const actions = new Proxy({}, { get: (_t, name: string) => (...args: unknown[]) => calls.push([name, ...args].join(':')) }) as MenuActions;
  type Item = { label?: string; submenu?: Item[]; click?: () => void; role?: string; type?: string; checked?: boolean };
  const find = (items: Item[], label: string): Item => {
    for (const i of items) {
      if (i.label === label) return i;
      const inner = i.submenu ? (() => { try { return find(i.submenu!, label); } catch { return null; } })() : null;
      if (inner) return inner;
    }
    throw new Error(`no menu item ${label}`);
  };

  it('is Chinese by default with 文件/视图/帮助 and the file commands', () => {
    const menu = buildMenuTemplate({ language: 'zh-CN', recent: ['/data/于都县.gpkg'], actions, devTools: false }) as Item[];
    expect(menu.map((m) => m.label)).toEqual(['文件(&F)', '视图(&V)', '帮助(&H)']);
    expect(menu[0].submenu!.filter((i) => i.label).map((i) => i.label)).toEqual(['新建工作空间…', '打开工作空间…', '最近打开', '导入图层…', '导出', '退出']);
    find(menu, '于都县.gpkg').click!();
    find(menu, '导入图层…').click!();
    find(menu, '盲点清单（CSV）…').click!();
    find(menu, 'English').click!();
    expect(calls).toEqual(['openRecent:/data/于都县.gpkg', 'importLayer', 'exportBlindSpots', 'setLanguage:en']);
    expect(JSON.stringify(menu)).not.toContain('toggleDevTools');
    expect(find(menu, '简体中文').checked).toBe(true);
  });

  it('switches to English and shows developer tools only in development', () => {
    const menu = buildMenuTemplate({ language: 'en', recent: [], actions, devTools: true }) as Item[];
    expect(menu.map((m) => m.label)).toEqual(['&File', '&View', '&Help']);
    expect(find(menu, '(none)').label).toBe('(none)');
    expect(find(menu, 'Developer Tools').role).toBe('toggleDevTools');
  });
});

describe('blind-spot CSV export', () => {
  const spot: BlindSpot = {
    id: 'S1', name: '上屋, "老屋"', county: '于都县', township: '车溪乡', village: '坳脑村', households: 42, lon: 115.41, lat: 25.95,
    listed: true, focusCounty: true, committee: false, missingMobile: true, missingBroadband: false,
  };
  it('writes BOM, localized headers, quoting and formula-safe text', () => {
    const csv = blindSpotsCsv([spot, { ...spot, id: 'S2', name: '=HYPERLINK("x")' }], 'zh-CN');
    expect(csv.startsWith('\ufeff编号,聚居区,县（市、区）')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines[1]).toBe('S1,"上屋, ""老屋""",于都县,车溪乡,坳脑村,42,115.41,25.95,是,是,否,是,否');
    expect(lines[2]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(blindSpotsCsv([spot], 'en').split('\r\n')[1]).toContain('yes,yes,no,yes,no');
  });
});
