// The plan and ledger commands over a (small) demo workspace: the reach-the-target plan, exported and imported
// back as coverage, gives the rates the plan promised; a ledger item goes from 待整改 to 已销号 only on evidence.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ledgerCommand } from '../../cli/ledger';
import { planCommand } from '../../cli/plan';
import { writeDemoWorkspace } from '../../data/demo-workspace';
import { AtlasService } from '../../data/service';
import type { ReachPlan, TowerPlan } from '../../gis/planning';

let dir: string;
let path: string;

async function capture(run: () => Promise<void>): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-plan-'));
  path = join(dir, 'demo.gpkg');
  await writeDemoWorkspace(path, { settlements: 4000, seed: 7 });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plan and ledger commands', () => {
  it('reach-the-target: the exported builds, imported as coverage, give the promised rates', async () => {
    const service = AtlasService.open(path);
    const before = await service.analyze();
    service.close();
    const [county] = Object.entries(before.rates.counties).find(([, r]) => r.mobile.met === false && r.broadband.met === false) ?? [];
    expect(county).toBeDefined();
    const plan = JSON.parse(await capture(() => planCommand([path, '--county', county!, '--format', 'json']))) as ReachPlan;
    expect(plan.reached).toBe(true);
    expect(plan.after.mobile.met && plan.after.broadband.met).toBe(true);
    expect(plan.builds.some((b) => b.build.kind === 'tower') && plan.builds.some((b) => b.build.kind === 'fiber')).toBe(true);
    expect(plan.cost).toBeCloseTo(plan.builds.reduce((s, b) => s + b.build.cost, 0), 6);

    await capture(() => planCommand([path, '--county', county!, '--format', 'geojson', '--out', join(dir, 'plan.geojson')]));
    const fc = JSON.parse(readFileSync(join(dir, 'plan.geojson'), 'utf8')) as { features: { properties: { kind: string } }[] };
    const split = (kind: string) => ({ type: 'FeatureCollection', features: fc.features.filter((f) => f.properties.kind === kind) });
    writeFileSync(join(dir, 'towers.geojson'), JSON.stringify(split('tower')));
    writeFileSync(join(dir, 'fiber.geojson'), JSON.stringify(split('fiber')));
    const s2 = AtlasService.open(path);
    try {
      for (const [file, role] of [['towers.geojson', 'mobile'], ['fiber.geojson', 'broadband']] as const) {
        const r = await s2.importLayer({ file: join(dir, file), role, mapping: {}, crs: 'wgs84' });
        expect(r.ok).toBe(true);
      }
      const after = await s2.analyze();
      expect(after.rates.counties[county!]).toEqual(plan.after);
    } finally {
      s2.close();
    }
  }, 120_000);

  it('tower siting by count and by budget', async () => {
    const byCount = JSON.parse(await capture(() => planCommand([path, '--towers', '3', '--format', 'json']))) as TowerPlan;
    expect(byCount.chosen.map((c) => c.order)).toEqual([1, 2, 3]);
    const byBudget = JSON.parse(await capture(() => planCommand([path, '--budget', '900000', '--format', 'json']))) as TowerPlan;
    expect(byBudget.cost).toBeLessThanOrEqual(900_000);
    const table = await capture(() => planCommand([path, '--towers', '2', '--rank', '3']));
    expect(table).toMatch(/基站选址：全市/);
    expect(table).toMatch(/盲点排序（前 3 \//);
    await expect(planCommand([path, '--towers', '2', '--budget', '5'])).rejects.toThrow(/not both/);
    await expect(planCommand([path])).rejects.toThrow(/needs --county or --village/);
    await expect(planCommand([path, '--county', '不存在县'])).rejects.toThrow(/county: found "不存在县"/);
  }, 120_000);

  it('a ledger item goes from 待整改 to 已销号 only on evidence, with its audit trail', async () => {
    const service = AtlasService.open(path);
    const spots = await service.blindSpots();
    service.close();
    const spot = spots.find((s) => s.missingBroadband)!;
    await capture(() => ledgerCommand([path, 'add', '--settlement', spot.id, '--measure', '光纤延伸', '--responsible', '张工', '--deadline', '2099-12-31', '--who', '工信局']));
    const item = `ZG-${spot.id}-01`;
    await expect(ledgerCommand([path, 'close', item, '--who', '工信局'])).rejects.toThrow(/销号须提供证据/);
    await expect(ledgerCommand([path, 'update', item, '--status', '已销号', '--who', '工信局'])).rejects.toThrow(/销号须提供证据/);
    await expect(ledgerCommand([path, 'close', item, '--by-analysis', '--who', '工信局'])).rejects.toThrow(/仍无宽带覆盖/);
    await capture(() => ledgerCommand([path, 'update', item, '--status', '整改中', '--who', '张工']));
    const closed = await capture(() => ledgerCommand([path, 'close', item, '--field-date', '2026-01-05', '--field-person', '李工', '--measurement', '下行 100 Mbps', '--who', '李工']));
    expect(closed).toMatch(/已销号/);
    const list = JSON.parse(await capture(() => ledgerCommand([path, 'list', '--format', 'json']))) as { itemId: string; status: string }[];
    expect(list.find((i) => i.itemId === item)?.status).toBe('已销号');
    const audit = JSON.parse(await capture(() => ledgerCommand([path, 'history', item, '--format', 'json']))) as { field: string; before: string | null; after: string | null; who: string }[];
    expect(audit.filter((a) => a.field === 'status').map((a) => [a.who, a.before, a.after])).toEqual([
      ['工信局', null, '待整改'], ['张工', '待整改', '整改中'], ['李工', '整改中', '已销号'],
    ]);
  }, 120_000);
});
