// The Atlas service over a small workspace: the calls the app makes, in process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayTolerance, simplifyCoverageColumns, toCoverageColumns } from '../../api/columns';
import type { ImportProgress } from '../../api/contract';
import { AtlasService } from '../../data/service';
import { Workspace } from '../../data/workspace';
import { registerFunctions } from '../../data/workspace/sql';

const dir = mkdtempSync(join(tmpdir(), 'atlas-service-'));
const path = join(dir, 'ws.gpkg');
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
let service: AtlasService;

const settlements = [
  'id,name,households,county,township,village,lon,lat,committee',
  'A,甲屋,40,于都县,车溪乡,潮溪村,115.40,25.95,是',
  'B,乙坑,30,于都县,车溪乡,潮溪村,115.50,25.95,否',
  'C,丙排,26,于都县,车溪乡,潮溪村,115.60,25.95,否',
  'D,丁坝,10,于都县,车溪乡,潮溪村,115.60,25.96,否',
].join('\n');
// One omni site near A, one sector pointing east from near B.
const sites = [
  'lon,lat,operator,tech,azimuth,beamwidth,radius',
  '115.401,25.951,移动,4G,,,2000',
  '115.49,25.95,电信,4G,90,65,3000',
].join('\n');

beforeAll(async () => {
  Workspace.create(path, { name: '服务测试' }).close();
  service = AtlasService.open(path);
  const out = await service.importLayer({ file: file('s.csv', settlements), role: 'settlements' });
  expect(out.ok).toBe(true);
});
afterAll(() => service.close());

describe('AtlasService', () => {
  it('imports sites and derives their sectors as 4G coverage', async () => {
    const progress: ImportProgress[] = [];
    const out = await service.importLayer({ file: file('sites.csv', sites), role: 'sites' }, (p) => progress.push(p));
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.warnings.join('\n')).toMatch(/已由 2 个基站生成扇区覆盖图层/);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', fraction: 1 });
    const info = await service.workspace();
    expect(info.layers.map((l) => l.role)).toEqual(['settlements', 'sites', 'mobile']);
    const report = await service.analyze();
    const by = Object.fromEntries(report.settlements.map((s) => [s.id, s]));
    expect(by.A.mobileOperators).toEqual(['CMCC']);
    expect(by.B.mobileOperators).toEqual(['CT']);
    expect(by.C.mobile).toBe(false);
    expect(report.rates.counties['于都县']).toMatchObject({ focus: true, leader: '周光仁', settlements: 3 });
    expect(report.committeeSeats).toMatchObject({ total: 1, mobileCovered: 1, broadbandCovered: 0, met: false });
  });

  it('lists blind spots, largest first, and finds settlements by name or code', async () => {
    const spots = await service.blindSpots();
    expect(spots.map((s) => [s.id, s.missingMobile, s.missingBroadband])).toEqual([['A', false, true], ['B', false, true], ['C', true, true]]);
    expect(spots[0]).toMatchObject({ listed: true, focusCounty: true, committee: true });
    expect((await service.searchSettlements('丙')).map((h) => h.id)).toEqual(['C']);
    expect(await service.searchSettlements('  ')).toEqual([]);
  });

  it('keeps settings in the workspace and applies the analysis ones', async () => {
    const s = await service.updateSettings({ language: 'en', analysis: { minHouseholds: 10, targetMobile: 0.95, targetBroadband: 0.75, mobileTechs: ['4G'] } });
    expect(s.language).toBe('en');
    expect((await service.analyze()).rates.city.settlements).toBe(4);
    await service.updateSettings({ analysis: { minHouseholds: 25, targetMobile: 0.95, targetBroadband: 0.75, mobileTechs: ['4G'] } });
    expect((await service.analyze()).rates.city.settlements).toBe(3);
    await expect(service.updateSettings({ language: 'fr' as never })).rejects.toThrow(/expected zh-CN or en/);
  });

  it('keeps the smooth map mode, automatic by default, and refuses an unknown one unchanged', async () => {
    expect((await service.settings()).smoothMap).toBe('auto');
    expect((await service.updateSettings({ smoothMap: 'never' })).smoothMap).toBe('never');
    await expect(service.updateSettings({ smoothMap: 'fast' as never })).rejects.toThrow('smoothMap: found "fast"; expected auto, always or never');
    expect((await service.settings()).smoothMap).toBe('never');
    await service.updateSettings({ smoothMap: 'auto' });
  });

  it('reports every problem of a bad file and writes nothing', async () => {
    const before = (await service.workspace()).layers.length;
    const out = await service.importLayer({ file: file('bad.csv', 'id,name,households,county,lon,lat\nx,甲,约三十,于都县,115,25\ny,乙,-2,于都县,115,25\n'), role: 'settlements' });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.issues.map((i) => [i.row, i.field])).toEqual([[2, 'households'], [3, 'households']]);
    expect((await service.workspace()).layers.length).toBe(before);
  });

  it('serves layer features filtered by operator', async () => {
    const mobile = (await service.workspace()).layers.find((l) => l.role === 'mobile')!;
    const all = await service.layerFeatures({ layerId: mobile.id });
    const ct = await service.layerFeatures({ layerId: mobile.id, operators: ['CT'] });
    expect(all.features).toHaveLength(2);
    expect(ct.features.map((f) => f.properties?.operator)).toEqual(['CT']);
  });

  it('serves coverage layers as columns: the layer features packed, whole layers read once', async () => {
    const layers = (await service.workspace()).layers;
    const mobile = layers.find((l) => l.role === 'mobile')!;
    const want = toCoverageColumns((await service.layerFeatures({ layerId: mobile.id })).features);
    const got = await service.coverageColumns({ layerId: mobile.id });
    for (const k of ['operator', 'tech', 'polyRing', 'ringVertex', 'coords'] as const) expect([...got[k]]).toEqual([...want[k]]);
    expect(got.techs).toEqual(['4G']);
    expect(await service.coverageColumns({ layerId: mobile.id })).toBe(got);
    // Another program writing the layer (QGIS, GDAL) fires its triggers: the next answer is read again.
    const other = new Database(path);
    // The GeoPackage rtree triggers' ST_ functions, as GDAL registers them.
    registerFunctions(other);
    try {
      const table = (other.prepare('SELECT table_name FROM atlas_layers WHERE id = ?').get(mobile.id) as { table_name: string }).table_name;
      other.prepare(`UPDATE "${table}" SET geom = geom WHERE fid = (SELECT min(fid) FROM "${table}")`).run();
    } finally {
      other.close();
    }
    const again = await service.coverageColumns({ layerId: mobile.id });
    expect(again).not.toBe(got);
    expect([...again.coords]).toEqual([...got.coords]);
    expect(await service.coverageColumns({ layerId: mobile.id })).toBe(again);
    // The omni site near A only.
    const near = await service.coverageColumns({ layerId: mobile.id, bbox: [115.3, 25.9, 115.41, 26] });
    expect([...near.operator]).toEqual([0]);
    const settlementLayer = layers.find((l) => l.role === 'settlements')!;
    await expect(service.coverageColumns({ layerId: settlementLayer.id })).rejects.toThrow(/is a settlements layer; expected a mobile or broadband coverage layer/);
    await expect(service.coverageColumns({ layerId: 'x' } as never)).rejects.toThrow(/coverageColumns: expected \{ layerId: integer/);
  });

  it('serves coverage simplified to a display tolerance: same polygons, fewer vertices, the cached exact layer untouched', async () => {
    const mobile = (await service.workspace()).layers.find((l) => l.role === 'mobile')!;
    const exact = await service.coverageColumns({ layerId: mobile.id });
    const exactCoords = [...exact.coords];
    const tolerance = displayTolerance(9);
    const coarse = await service.coverageColumns({ layerId: mobile.id, tolerance });
    expect(coarse).toEqual(simplifyCoverageColumns(exact, tolerance));
    expect([...coarse.operator]).toEqual([...exact.operator]);
    expect([...coarse.polyRing]).toEqual([...exact.polyRing]);
    expect(coarse.coords.length).toBeLessThan(exact.coords.length);
    expect(await service.coverageColumns({ layerId: mobile.id })).toBe(exact);
    expect([...exact.coords]).toEqual(exactCoords);
    const area = await service.coverageColumns({ layerId: mobile.id, bbox: [115.3, 25.9, 115.41, 26], tolerance });
    expect(area).toEqual(simplifyCoverageColumns(await service.coverageColumns({ layerId: mobile.id, bbox: [115.3, 25.9, 115.41, 26] }), tolerance));
    expect(await service.coverageColumns({ layerId: mobile.id, tolerance: 0 })).toBe(exact);
    for (const bad of [-1, 'fine', Infinity, null]) {
      await expect(service.coverageColumns({ layerId: mobile.id, tolerance: bad } as never))
        .rejects.toThrow(/coverageColumns: tolerance .*; expected a number of degrees >= 0 \(0: exact geometry\)/);
    }
  });
});

describe('field verification through the service', () => {
  it('a measurements layer overrides the 4G prediction and lists disagreements', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'atlas-field-'));
    const ws = join(dir2, 'f.gpkg');
    Workspace.create(ws).close();
    const s = AtlasService.open(ws);
    try {
      const put = (name: string, text: string) => { writeFileSync(join(dir2, name), text); return join(dir2, name); };
      expect((await s.importLayer({ file: put('s.csv', 'id,name,households,county,lon,lat\nA,甲,40,于都县,115.4,25.95\nB,乙,30,于都县,115.6,25.95\n'), role: 'settlements' })).ok).toBe(true);
      expect((await s.importLayer({ file: put('sites.csv', 'lon,lat,operator,radius\n115.4,25.95,移动,2000\n'), role: 'sites' })).ok).toBe(true);
      expect((await s.analyze()).settlements.find((x) => x.id === 'A')!.mobileOperators).toEqual(['CMCC']);
      const dt = put('路测.csv', '经度,纬度,运营商,RSRP(dBm),测试时间\n115.4,25.951,移动,-117,2020-06-10 10:00\n115.6,25.951,联通,-92 dBm,2020-06-10 10:30\n');
      const out = await s.importLayer({ file: dt, role: 'measurements' });
      expect(out.ok).toBe(true);
      const report = await s.analyze();
      const by = Object.fromEntries(report.settlements.map((x) => [x.id, x]));
      expect(by.A).toMatchObject({ mobile: false, mobileOperators: [] });
      expect(by.A.measured?.operators[0]).toMatchObject({ operator: 'CMCC', bestRsrp: -117, covered: false });
      expect(by.B).toMatchObject({ mobile: true, mobileOperators: ['CU'] });
      expect(report.fieldVerification?.disagreements.map((d) => [d.id, d.operator, d.predicted, d.measured]))
        .toEqual([['A', 'CMCC', true, false], ['B', 'CU', false, true]]);
    } finally {
      s.close();
    }
  });
});

describe('planning and analysis parameters are settings', () => {
  it('validates them with the modules own sentences and keeps them in the workspace', async () => {
    const dir3 = mkdtempSync(join(tmpdir(), 'atlas-params-'));
    const ws = join(dir3, 'p.gpkg');
    Workspace.create(ws).close();
    const s = AtlasService.open(ws);
    try {
      const before = await s.settings();
      expect(before.planning.fiber.detourFactor).toBe(1.3);
      const next = await s.updateSettings({ planning: { ...before.planning, fiber: { ...before.planning.fiber, costPerKm: 45_000 } } });
      expect(next.planning.fiber).toMatchObject({ costPerKm: 45_000, detourFactor: 1.3 });
      expect((await s.settings()).planning.fiber.costPerKm).toBe(45_000);
      await expect(s.updateSettings({ planning: { ...next.planning, fiber: { ...next.planning.fiber, detourFactor: 0.5 } } }))
        .rejects.toThrow(/设置无效 \(invalid setting\): detourFactor: found 0.5; expected a number ≥ 1/);
      await expect(s.updateSettings({ analysis: { ...next.analysis, targetMobile: 95 } })).rejects.toThrow(/targetMobile: found 95/);
      expect((await s.settings()).planning.fiber.detourFactor).toBe(1.3);
    } finally {
      s.close();
    }
  });
});
