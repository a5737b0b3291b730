// A workspace built from a folder of mixed files with the CLI, opened by GDAL, analysed; a bad file changes nothing.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { zipSync, strToU8 } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../data/workspace';
import { runCli } from './run-cli';

const dir = mkdtempSync(join(tmpdir(), 'atlas-flow-'));
const ws = join(dir, 'campaign.gpkg');
const p = (name: string) => join(dir, name);

// Settlements as a county office sends them: GBK CSV, Chinese headers, "36户".
const CSV = [
  '编号,自然村,户数,行政村,乡镇,县区,东经,北纬,村委会所在地',
  'ND-001,东山下,36户,石湖村,东山坝镇,宁都县,116.01,26.41,是', // in the CMCC polygon (outside its hole)
  'ND-002,塘背,40,石湖村,东山坝镇,宁都县,116.03,26.43,否', // in the hole: not covered
  'ND-003,上屋,27,石湖村,东山坝镇,宁都县,116.115,26.515,否', // in the CT part; in the CU KML polygon
  'ND-004,坳背,12,石湖村,东山坝镇,宁都县,116.5,26.9,否', // too small to count
].join('\r\n');

const KML = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>联通覆盖</name>
<ExtendedData><Data name="运营商"><value>联通</value></Data><Data name="制式"><value>4G</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>116.11,26.51 116.12,26.51 116.12,26.52 116.11,26.52 116.11,26.51</coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark></Document></kml>`;

beforeAll(() => {
  writeFileSync(p('聚居区.csv'), iconv.encode(CSV, 'gbk'));
  copyFileSync(join(import.meta.dirname, '..', 'import', 'fixtures', 'coverage_gk117.zip'), p('移动电信覆盖.zip'));
  writeFileSync(p('联通.kmz'), zipSync({ 'doc.kml': strToU8(KML) }));
  // Broadband from a web map, in GCJ-02: shifted a few hundred metres east and north of WGS-84.
  writeFileSync(p('宽带.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature',
    properties: { 运营商: '电信', 制式: 'FTTH' },
    geometry: { type: 'Polygon', coordinates: [[[116.0, 26.4], [116.02, 26.4], [116.02, 26.42], [116.0, 26.42], [116.0, 26.4]]] } }] }));
  writeFileSync(p('坏.csv'), iconv.encode('编号,自然村,户数,县区,东经,北纬\r\nX1,甲,约三十,宁都县,116.0,26.4\r\nX2,乙,20,宁都县,116.0,26.4\r\n', 'gbk'));
});

describe('a workspace from a folder of mixed files', () => {
  it('imports each file, lists the layers, and analyses them', () => {
    const imports: [string, string, string[]][] = [
      ['settlements', '聚居区.csv', []],
      ['mobile', '移动电信覆盖.zip', []],
      ['mobile', '联通.kmz', []],
      ['broadband', '宽带.geojson', ['--crs', 'gcj02']],
    ];
    expect(runCli(['demo', '--help']).status).toBe(2);
    const create = runCli(['import', ws, '--role', 'settlements', p('聚居区.csv')]);
    expect(create.stderr).toMatch(/no such|not found|不存在|找不到/i);
    expect(create.status).not.toBe(0);
    // A new workspace is created by `analyze`-free means: the service's newWorkspace through the CLI's import.
    Workspace.create(ws, { name: '测试工作空间' }).close();
    for (const [role, file, extra] of imports) {
      const r = runCli(['import', ws, '--role', role, p(file), '--quiet', ...extra]);
      expect(r.stderr.replace(/警告.*\n/g, ''), `${file}`).toBe('');
      expect(r.status, file).toBe(0);
      expect(r.stdout).toMatch(/已导入 \(imported\) \d+ features/);
    }
    const layers = runCli(['layers', ws, '--format', 'json']);
    const info = JSON.parse(layers.stdout);
    expect(info.layers.map((l: { role: string; featureCount: number }) => [l.role, l.featureCount]))
      .toEqual([['settlements', 4], ['mobile', 2], ['mobile', 1], ['broadband', 1]]);

    const r = runCli(['analyze', ws, '--format', 'json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const byId = Object.fromEntries(out.settlements.map((s: { id: string }) => [s.id, s]));
    expect(byId['ND-001']).toMatchObject({ households: 36, committee: true, mobileOperators: ['CMCC'], eligible: true });
    expect(byId['ND-002']).toMatchObject({ mobile: false, eligible: true });
    expect(byId['ND-003']).toMatchObject({ mobileOperators: ['CT', 'CU'] });
    expect(byId['ND-004']).toMatchObject({ eligible: false });
    // The GCJ-02 square was shifted back west/south: its south-west corner settlement is no longer inside.
    expect(byId['ND-001'].broadband).toBe(true);
    expect(out.rates.counties['宁都县']).toMatchObject({ focus: true, leader: '李鉴庆', settlements: 3 });
    expect(out.rates.counties['宁都县'].mobile).toMatchObject({ covered: 2, shortfall: 1 });
    // --out writes the settlement list from its columns: the same bytes as the report printed.
    const file = join(dir, 'report.json');
    expect(runCli(['analyze', ws, '--format', 'json', '--out', file]).status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(r.stdout);
  });

  it('field measurements override the prediction and the table lists the disagreements', () => {
    writeFileSync(p('路测.csv'), iconv.encode('经度,纬度,运营商,RSRP(dBm),测试时间\r\n116.01,26.411,移动,-118,2020-06-10 10:00\r\n', 'gbk'));
    const copy = join(dir, 'field.gpkg');
    copyFileSync(ws, copy);
    expect(runCli(['import', copy, '--role', 'measurements', p('路测.csv'), '--quiet']).status).toBe(0);
    const r = runCli(['analyze', copy]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('实测校核（RSRP ≥ -105 dBm 视为覆盖，300 米内）：测量 1 条，1 个聚居区有实测，与覆盖预测不一致 1 处');
    expect(r.stdout).toContain('东山下：移动 预测有覆盖，实测无（最强 -118 dBm，1 次）');
    // Measurements annotate the settlement list: the file gets the whole report, with each settlement's measured status.
    const file = join(dir, 'field.json');
    expect(runCli(['analyze', copy, '--format', 'json', '--out', file]).status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(runCli(['analyze', copy, '--format', 'json']).stdout);
    expect(JSON.parse(readFileSync(file, 'utf8')).settlements.some((s: { measured?: unknown }) => s.measured)).toBe(true);
  });

  it('GDAL lists every layer with its count and geometry', () => {
    const text = execFileSync('ogrinfo', ['-so', '-al', ws], { encoding: 'utf8' });
    const layers = [...text.matchAll(/Layer name: (\S+)\n(?:.*\n)*?Geometry: (.*)\nFeature Count: (\d+)/g)]
      .map((m) => [m[2], Number(m[3])]).filter(([geometry]) => geometry !== 'None');
    expect(layers).toEqual([['Point', 4], ['Multi Polygon', 2], ['Multi Polygon', 1], ['Multi Polygon', 1]]);
  });

  it('a bad file exits 2, names row and field, and leaves the workspace unchanged', () => {
    const before = (() => { const w = Workspace.open(ws, { readOnly: true }); try { return w.contentHash(); } finally { w.close(); } })();
    const r = runCli(['import', ws, '--role', 'settlements', p('坏.csv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/坏\.csv: row 2: households: .*约三十/);
    const w = Workspace.open(ws, { readOnly: true });
    try {
      expect(w.contentHash()).toBe(before);
    } finally {
      w.close();
    }
  });
});
