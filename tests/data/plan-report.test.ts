// The service's reports, planning and ledger methods on a copy of the demo workspace: what the app's
// 规划, 台账 and 报告 tabs call (in process; transports are tested in tests/shell and tests/e2e).
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoWorkspace } from '../../data/demo-workspace';
import { AtlasService } from '../../data/service';

const dir = mkdtempSync(join(tmpdir(), 'atlas-plan-report-'));
const path = join(dir, 'demo.gpkg');
let service: AtlasService;

beforeAll(async () => {
  copyFileSync(await ensureDemoWorkspace(), path);
  service = AtlasService.open(path);
}, 240_000);
afterAll(() => {
  service?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('planning', () => {
  it('reaches both targets for 于都县 with builds whose costs add up, and the scenario gives the same rates', async () => {
    const plan = await service.planReach({ county: '于都县' });
    expect(plan.scope).toBe('于都县');
    expect(plan.reached).toBe(true);
    expect(plan.after.mobile.rate).toBeGreaterThanOrEqual(0.95);
    expect(plan.after.broadband.rate).toBeGreaterThanOrEqual(0.75);
    expect(plan.builds.length).toBeGreaterThan(0);
    expect(plan.cost).toBeCloseTo(plan.builds.reduce((s, b) => s + b.build.cost, 0), 6);
    const outcome = await service.applyScenario(plan.builds.map((b) => b.build));
    expect(outcome.counties['于都县'].broadband.covered).toBe(plan.after.broadband.covered);
    expect(outcome.counties['于都县'].mobile.covered).toBe(plan.after.mobile.covered);
    const cmp = await service.compareScenarios([{ name: '方案A', builds: plan.builds.map((b) => b.build) }, { name: '空', builds: [] }]);
    expect(cmp.map((c) => c.scenario)).toEqual(['现状', '方案A', '空']);
    expect(cmp[2].counties['于都县'].broadband.covered).toBe(cmp[0].counties['于都县'].broadband.covered);
    expect(cmp[1].cost).toBeCloseTo(plan.cost, 6);
  }, 120_000);

  it('rejects malformed builds with the field named', async () => {
    await expect(service.applyScenario([{ kind: 'road' } as never])).rejects.toThrow(/builds\[0\]\.kind/);
  });

  it('ranks blind spots with their parts and plans k towers', async () => {
    const ranked = await service.rankedBlindSpots(5);
    expect(ranked).toHaveLength(5);
    expect(ranked[0].rank).toBe(1);
    expect(ranked[0].parts.reduce((s, p) => s + p.points, 0)).toBeCloseTo(ranked[0].score, 6);
    const towers = await service.planTowers({ county: '宁都县', k: 2 });
    expect(towers.chosen.length).toBeLessThanOrEqual(2);
    await expect(service.planTowers({ county: '宁都县' })).rejects.toThrow(/k .*budget/);
  });

  it('exports a scenario as GeoJSON with one feature per build polygon', async () => {
    const plan = await service.planReach({ county: '于都县' });
    const out = join(dir, 'scenario.geojson');
    const file = await service.exportScenario({ name: '于都达标', builds: plan.builds.map((b) => b.build), out });
    const fc = JSON.parse(readFileSync(out, 'utf8')) as { features: { properties: Record<string, unknown> }[] };
    expect(file.bytes).toBeGreaterThan(0);
    expect(fc.features.length).toBe(plan.builds.reduce((s, b) => s + b.build.features.length, 0));
    expect(fc.features[0].properties.planned).toBe(true);
  });
});

describe('ledger', () => {
  it('adds from blind spots, edits, refuses to close without evidence, closes on a field verification, keeps history', async () => {
    const spots = await service.blindSpots();
    const [a, b] = spots;
    const added = await service.ledgerAdd([
      { settlementId: a.id, measure: '光纤延伸', responsible: '张三', deadline: '2020-01-31', operator: 'CT' },
      { settlementId: b.id, measure: '新建基站', responsible: '李四' },
    ], '测试员');
    expect(added.map((r) => r.status)).toEqual(['待整改', '待整改']);
    expect(added[0].name).toBe(a.name);
    expect(added[0].overdue).toBe(true);
    expect((await service.ledgerList({ overdue: true })).map((r) => r.itemId)).toEqual([added[0].itemId]);
    const edited = await service.ledgerUpdate(added[0].itemId, { status: '整改中', responsible: '王五' }, '测试员');
    expect(edited.status).toBe('整改中');
    await expect(service.ledgerUpdate(added[0].itemId, { status: '已销号' as never }, '测试员')).rejects.toThrow(/status/);
    await expect(service.ledgerClose(added[0].itemId, { kind: 'field', date: '2020-06-01', person: '', measurement: '-95 dBm' }, '测试员')).rejects.toThrow(/person/);
    // The demo's coverage has not changed: the analysis still shows the blind spot, so it cannot close on it.
    await expect(service.ledgerClose(added[0].itemId, { kind: 'analysis' }, '测试员')).rejects.toThrow(/仍无/);
    const closed = await service.ledgerClose(added[0].itemId, { kind: 'field', date: '2020-06-01', person: '赵六', measurement: 'RSRP -92 dBm' }, '测试员');
    expect(closed.status).toBe('已销号');
    expect(closed.overdue).toBe(false);
    const history = await service.ledgerHistory(added[0].itemId);
    expect(history.map((h) => h.field)).toEqual(['settlement_id', 'operator', 'measure', 'responsible', 'deadline', 'status', 'responsible', 'status', 'evidence', 'status']);
    expect(history.at(-1)).toMatchObject({ who: '测试员', before: '整改中', after: '已销号' });

    const out = join(dir, 'ledger.xlsx');
    await service.exportLedger({ out });
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(out);
    const sheet = book.getWorksheet('整改台账')!;
    const headerRow = sheet.getRow(sheet.getRow(1).getCell(1).value === '条目' ? 1 : 2);
    expect(headerRow.getCell(1).value).toBe('条目');
    const values = sheet.getSheetValues().flat().map(String);
    expect(values).toContain(added[0].itemId);
    expect(values).toContain('已销号');
  }, 120_000);
});

describe('a plan built: the exported scenario imported as coverage', () => {
  it('gives a fresh analysis the plan\'s rates, and closes a ledger item on the later analysis', async () => {
    const plan = await service.planReach({ county: '于都县' });
    const target = plan.builds[0].settlementIds[0];
    const [item] = await service.ledgerAdd([{ settlementId: target, measure: '光纤延伸', responsible: '张三' }], '测试员');
    await expect(service.ledgerClose(item.itemId, { kind: 'analysis' }, '测试员')).rejects.toThrow(/仍无/);
    const out = join(dir, 'yudu-plan.geojson');
    await service.exportScenario({ name: '于都达标', builds: plan.builds.map((b) => b.build), out });
    expect(plan.builds.every((b) => b.build.kind === 'fiber')).toBe(true);
    const imported = await service.importLayer({ file: out, role: 'broadband', name: '规划光纤（已建成）' });
    expect(imported.ok).toBe(true);
    const after = await service.analyze();
    expect(after.rates.counties['于都县'].broadband.covered).toBe(plan.after.broadband.covered);
    expect(after.rates.counties['于都县'].broadband.rate).toBe(plan.after.broadband.rate);
    const closed = await service.ledgerClose(item.itemId, { kind: 'analysis' }, '测试员');
    expect(closed.status).toBe('已销号');
    expect(closed.evidence[0]).toMatchObject({ kind: 'analysis', settlementId: target });
  }, 240_000);
});

describe('reports', () => {
  it('saves two snapshots, lists and compares them, previews the month and exports XLSX and a CSV zip', async () => {
    const may = await service.takeSnapshot('2020年5月', '2020-05-31');
    const june = await service.takeSnapshot('2020-06', '2020-06-30');
    expect(may).toMatchObject({ month: '2020-05', label: '2020年5月', date: '2020-05-31' });
    const list = await service.snapshots();
    expect(list.map((s) => s.month)).toEqual(['2020-05', '2020-06']);
    const diff = await service.compareSnapshots(may.runId, june.runId);
    expect(diff.city.newlyCovered).toEqual([]);
    expect(diff.city.stillUncovered.length).toBe(diff.city.after.blindSpots);
    await expect(service.compareSnapshots(may.runId, 999_999)).rejects.toThrow(/b: no snapshot/);

    const report = await service.monthlyReport('2020-06');
    expect(report.previous?.month).toBe('2020-05');
    expect(report.note).toBeNull();
    expect(report.exportedAt).toBeNull();
    expect(report.dueDate).toBe('2020-06-25');
    expect(report.counties.find((c) => c.county === '于都县')?.settlements).toBeGreaterThan(0);

    const xlsx = join(dir, 'm.xlsx');
    await service.exportReport({ month: '2020-06', format: 'xlsx', out: xlsx });
    expect((await service.monthlyReport('2020-06')).exportedAt).not.toBeNull();
    expect(await service.reportExportedAt('2020年6月')).toBe((await service.monthlyReport('2020-06')).exportedAt);
    expect(await service.reportExportedAt('2020-05')).toBeNull();
    const zip = join(dir, 'm.zip');
    await service.exportReport({ month: '2020-06', format: 'csv', out: zip });
    const names = Object.keys(unzipSync(readFileSync(zip))).sort();
    expect(names.length).toBe(4);
    expect(names.every((n) => n.endsWith('.csv'))).toBe(true);
    await expect(service.exportReport({ month: '2020-06', format: 'xlsx' })).rejects.toThrow(/out: missing/);
  }, 240_000);
});
