// The compact analysis calls the app's map and dashboard use: settlement columns, the summary and the
// details of one settlement, all equal to what analyze() reports.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG, settlementFlags } from '../../api/columns';
import { AtlasService } from '../../data/service';
import { Workspace } from '../../data/workspace';

const dir = mkdtempSync(join(tmpdir(), 'atlas-columns-'));
const path = join(dir, 'ws.gpkg');
let service: AtlasService;

beforeAll(async () => {
  Workspace.create(path, { name: '列测试' }).close();
  service = AtlasService.open(path);
  const csv = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
  const settlements = csv('s.csv', [
    'id,name,households,county,township,village,lon,lat,committee',
    'A,甲屋,40,于都县,车溪乡,潮溪村,115.40,25.95,是',
    'B,乙坑,30,宁都县,车溪乡,潮溪村,115.50,25.95,否',
    'C,甲屋,10,于都县,车溪乡,潮溪村,115.60,25.96,否',
  ].join('\n'));
  const sites = csv('sites.csv', 'lon,lat,operator,tech,azimuth,beamwidth,radius\n115.401,25.951,移动,4G,,,2000\n');
  expect((await service.importLayer({ file: settlements, role: 'settlements' })).ok).toBe(true);
  expect((await service.importLayer({ file: sites, role: 'sites' })).ok).toBe(true);
});
afterAll(() => service.close());

describe('settlement columns, summary and details', () => {
  it('give every settlement of the analysis, in its order, with the same flags', async () => {
    const report = await service.analyze();
    const c = await service.settlementColumns();
    expect(c.count).toBe(report.settlements.length);
    report.settlements.forEach((s, i) => {
      expect([c.lon[i], c.lat[i], c.households[i], c.counties[c.county[i]], c.names[c.name[i]]]).toEqual([s.lon, s.lat, s.households, s.county, s.name]);
      expect(c.flags[i]).toBe(settlementFlags(s));
    });
    const a = report.settlements.findIndex((s) => s.id === 'A');
    expect(c.flags[a] & FLAG.mobileCMCC).toBe(FLAG.mobileCMCC);
    expect(c.names.filter((n) => n === '甲屋')).toHaveLength(1);
    // The same analysis gives the same columns (and version) again.
    expect(await service.settlementColumns()).toBe(c);
  });

  it('summarise the analysis without the per-settlement rows', async () => {
    const report = await service.analyze();
    const summary = await service.analysisSummary();
    expect(summary).not.toHaveProperty('settlements');
    expect(summary.rates.city).toEqual(report.rates.city);
    expect(summary.rates.counties).toEqual(report.rates.counties);
    expect(summary.committeeSeats).toEqual(report.committeeSeats);
    expect(summary.rates.townships).toEqual({});
  });

  it('answer details by row of the current version or by id, and refuse rows of another version', async () => {
    const report = await service.analyze();
    const c = await service.settlementColumns();
    const [byRow] = await service.settlementDetails({ version: c.version, indices: [1] });
    expect(byRow).toEqual({ ...report.settlements[1], index: 1 });
    const byId = await service.settlementDetails({ ids: ['C', 'nope'] });
    expect(byId.map((s) => s.id)).toEqual(['C']);
    expect(byId[0].index).toBe(report.settlements.findIndex((s) => s.id === 'C'));
    await expect(service.settlementDetails({ version: 'old', indices: [0] })).rejects.toThrow(/version old .*reload the settlement columns/);
  });

  it('get a new version when the analysis changes', async () => {
    const before = await service.settlementColumns();
    await service.updateSettings({ analysis: { ...(await service.settings()).analysis, minHouseholds: 35 } });
    const after = await service.settlementColumns();
    expect(after.version).not.toBe(before.version);
    const b = (await service.analyze()).settlements.findIndex((s) => s.id === 'B');
    expect(after.flags[b] & FLAG.eligible).toBe(0);
  });
});
