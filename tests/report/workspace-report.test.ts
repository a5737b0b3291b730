// From a small workspace with two snapshots: every export, read back (exceljs, ogrinfo, pdftotext, pdftoppm).
//
// Each focus county is a 0.2° square with six settlements in a row (k = 0..5, 30 + 10k households) at
// x0 + 0.015 + 0.03k (never on a coverage edge). 4G covers x < x0 + 0.09 (k = 0..2). Broadband covers
// x < x0 + 0.03 (k = 0) in May; a June layer extends it to x0 + 0.09. So per county: May 4G 3/6, 宽带 1/6, 5 blind spots; June 4G 3/6,
// 宽带 3/6, 3 blind spots, 2 closed. City: 20 → 12 blind spots, 8 closed. 于都县 k = 0 is 潮溪村委会 (listed).
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapCommand, reportCommand, snapshotCommand } from '../../cli/report';
import { exportMonthlyReport } from '../../data/report';
import { Ledger } from '../../data/ledger';
import { snapshotRates } from '../../data/report/diff';
import { toCsv, writeXlsx } from '../../data/report/exports';
import { writeResultsGeoPackage } from '../../data/report/geo';
import { mapSheet } from '../../data/report/map';
import type { MonthlyReport } from '../../data/report/monthly';
import { writeAtlasPdf } from '../../data/report/pdf';
import { findChromium, svgToPng } from '../../data/report/png';
import { listSnapshots } from '../../data/report/snapshot';
import { monthlyFromSources, openReportSources, type ReportSources } from '../../data/report/sources';
import { sceneToSvg } from '../../data/report/svg';
import { reportTables } from '../../data/report/tables';
import { AtlasService } from '../../data/service';
import { Workspace } from '../../data/workspace';
import type { Feature } from '../../gis/types';

const ORIGINS: [string, number, number][] = [['于都县', 115.3, 25.9], ['宁都县', 115.9, 26.4], ['兴国县', 115.3, 26.3], ['赣县区', 115.0, 25.6]];

const square = (x0: number, y0: number, x1: number, y1: number) => [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]];

function features(): { settlements: Feature[]; counties: Feature[]; mobile: Feature[]; broadbandMay: Feature[]; broadbandJune: Feature[] } {
  const settlements: Feature[] = [];
  for (const [county, x0, y0] of ORIGINS) {
    for (let k = 0; k < 6; k++) {
      const listed = county === '于都县' && k === 0;
      settlements.push({
        type: 'Feature', geometry: { type: 'Point', coordinates: [x0 + 0.015 + 0.03 * k, y0 + 0.1] },
        properties: {
          id: `${county}-${k}`, name: `第${k}组`, households: 30 + 10 * k, county,
          township: listed ? '车溪乡' : '某镇', village: listed ? '潮溪村委会' : `${county.slice(0, 2)}村`, committee: listed,
          ...(listed ? { code: '360731212211' } : {}),
        },
      });
    }
  }
  const each = (w: number, props: Record<string, unknown>) => ORIGINS.map(([, x0, y0]): Feature =>
    ({ type: 'Feature', geometry: { type: 'Polygon', coordinates: square(x0, y0, x0 + w, y0 + 0.2) }, properties: props }));
  return {
    settlements,
    counties: ORIGINS.map(([name, x0, y0]) => ({ type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: [square(x0, y0, x0 + 0.2, y0 + 0.2)] }, properties: { level: 'county', name } })),
    mobile: each(0.09, { operator: 'CMCC', tech: '4G' }),
    broadbandMay: each(0.03, { operator: 'CT', tech: 'FTTH' }),
    broadbandJune: each(0.09, { operator: 'CT', tech: 'FTTH' }),
  };
}

let dir: string;
let path: string;
let src: ReportSources;
let report: MonthlyReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-report-'));
  path = join(dir, 'ws.gpkg');
  const f = features();
  const ws = Workspace.create(path, { name: '测试' });
  await ws.writeLayer({ name: '聚居区', role: 'settlements', geometryType: 'POINT' }, [f.settlements]);
  await ws.writeLayer({ name: '4G', role: 'mobile', geometryType: 'POLYGON' }, [f.mobile]);
  await ws.writeLayer({ name: '宽带5月', role: 'broadband', geometryType: 'POLYGON' }, [f.broadbandMay]);
  await ws.writeLayer({ name: '县界', role: 'boundaries', geometryType: 'MULTIPOLYGON' }, [f.counties]);
  ws.close();
  await snapshotCommand([path, '--label', '2020-05']);
  const ws2 = Workspace.open(path);
  await ws2.writeLayer({ name: '宽带6月', role: 'broadband', geometryType: 'POLYGON' }, [f.broadbandJune]);
  new Ledger(ws2.sqlite()).add({ settlementId: '于都县-5', measure: '新建基站', responsible: '于都移动', deadline: '2020-06-15' }, '测试');
  ws2.close();
  await snapshotCommand([path, '--label', '2020年6月']);
  src = await openReportSources(path, '2020-06');
  report = monthlyFromSources(src, new Date('2020-06-10T00:00:00Z'));
}, 60_000);

afterAll(() => {
  src?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('snapshots in the workspace', () => {
  it('two snapshots, and their rates equal the analysis core\'s', async () => {
    const ws = Workspace.open(path, { readOnly: true });
    const snaps = listSnapshots(ws);
    ws.close();
    expect(snaps.map((s) => [s.label, s.month])).toEqual([['2020-05', '2020-05'], ['2020年6月', '2020-06']]);
    const service = AtlasService.open(path);
    const analysis = await service.analyze();
    service.close();
    const rates = snapshotRates(snaps[1]);
    for (const [name, r] of Object.entries(analysis.rates.counties)) {
      expect(rates.counties.get(name)?.mobile).toBe(r.mobile.rate);
      expect(rates.counties.get(name)?.broadband).toBe(r.broadband.rate);
    }
    expect(rates.city.blindSpots).toBe(12);
  });

  it('the monthly report compares June with May (hand-computed)', () => {
    expect(report.previous?.label).toBe('2020-05');
    expect(report.city).toMatchObject({ settlements: 24, mobile: 0.5, broadband: 0.5, broadbandPrevious: 1 / 6, closed: 8, lost: 0, remaining: 12 });
    expect(report.counties.slice(0, 4).map((c) => c.county)).toEqual(['于都县', '宁都县', '兴国县', '赣县区']);
    expect(report.listedVillages.find((v) => v.village === '潮溪村委会')).toMatchObject({ settlements: 1, mobile: 1, broadband: 1, closed: 0 });
    expect(report.ledgerDue.map((i) => i.itemId)).toEqual(['ZG-于都县-5-01']);
    expect(report.reminder).toContain('还剩 15 天');
  });
});

describe('months without a snapshot and bad arguments', () => {
  it('a month with no snapshot uses the current analysis, says so, and compares with the latest earlier snapshot', async () => {
    const out = await exportMonthlyReport(path, { month: '2020-07', format: 'xlsx', out: join(dir, 'july.xlsx') });
    expect(out.note).toMatch(/2020年7月尚未保存快照/);
    expect(out.report.previous?.month).toBe('2020-06');
    expect(out.report.city).toMatchObject({ closed: 0, remaining: 12 });
  });

  it('map and report name the bad option and what was expected', async () => {
    await expect(mapCommand([path, '--county', '北京市', '--out', join(dir, 'x.png')])).rejects.toThrow(/--county: found "北京市"; expected one of .*于都县/);
    await expect(mapCommand([path, '--dpi', '600', '--out', join(dir, 'x.png')])).rejects.toThrow(/--dpi: found "600"; expected a resolution from 72 to 300/);
    await expect(reportCommand([path, '--month', '2020-13', '--out', join(dir, 'x.pdf')])).rejects.toThrow(/--month: .*"2020-13"/);
    await expect(reportCommand([path, '--month', '2020-06', '--format', 'docx', '--out', join(dir, 'x.docx')])).rejects.toThrow(/--format: found "docx"/);
    await expect(snapshotCommand([path])).rejects.toThrow(/--label is required/);
  });
});

describe('exports', () => {
  it('XLSX: four sheets, Chinese frozen headers, percentages as numbers with a % format', async () => {
    const file = join(dir, 'r.xlsx');
    await writeXlsx(reportTables(report), file, { title: '月报', synthetic: false });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['县区', '重点村', '盲点', '台账']);
    const sheet = wb.getWorksheet('县区')!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getRow(1).getCell(1).value).toBe('县（市、区）');
    expect(sheet.getRow(1).getCell(6).value).toBe('4G覆盖率');
    const yudu = sheet.getRow(2);
    expect(yudu.getCell(1).value).toBe('于都县');
    expect(yudu.getCell(2).value).toBe('是');
    expect(yudu.getCell(4).value).toBe(6);
    expect(yudu.getCell(6).value).toBe(0.5);
    expect(yudu.getCell(6).numFmt).toBe('0.0%');
    expect(yudu.getCell(9).value).toBe('未达标');
    expect(yudu.getCell(10).value).toBe(0.5);
    expect(yudu.getCell(11).value).toBeCloseTo(1 / 6, 12);
    expect(yudu.getCell(12).value).toBeCloseTo(0.5 - 1 / 6, 12);
    expect(yudu.getCell(12).numFmt).toBe('+0.0%;-0.0%;0.0%');
    expect(yudu.getCell(13).value).toBe('未达标');
    const total = sheet.getRow(sheet.rowCount);
    expect(total.getCell(1).value).toBe('全市合计');
    expect(total.getCell(14).value).toBe(8);
    expect(total.getCell(16).value).toBe(12);
    const blind = wb.getWorksheet('盲点')!;
    expect(blind.rowCount).toBe(13);
    expect(blind.getRow(2).getCell(6).value).toBe(80);
    expect(wb.getWorksheet('台账')!.getRow(2).getCell(1).value).toBe('ZG-于都县-5-01');
  });

  it('CSV: UTF-8 with BOM, one file per table through the CLI', async () => {
    const csv = toCsv(reportTables(report)[0]);
    expect(csv.startsWith('\uFEFF县（市、区）,重点县,挂点领导')).toBe(true);
    expect(csv).toContain('于都县,是,');
    expect(csv).toContain(',50.0%,16.7%,+33.3pp,未达标,');
    await reportCommand([path, '--month', '2020-06', '--format', 'csv', '--out', join(dir, 'm.csv')]);
    expect(readdirSync(dir).filter((n) => n.endsWith('.csv')).sort()).toEqual(['m_县区.csv', 'm_台账.csv', 'm_盲点.csv', 'm_重点村.csv']);
    expect(readFileSync(join(dir, 'm_盲点.csv'))[0]).toBe(0xef);
  });

  it('GeoJSON: blind spots and results files', async () => {
    await reportCommand([path, '--month', '2020-06', '--format', 'geojson', '--out', join(dir, 'blind.geojson')]);
    const blind = JSON.parse(readFileSync(join(dir, 'blind.geojson'), 'utf8'));
    expect(blind.features).toHaveLength(12);
    expect(blind.features[0].properties).toMatchObject({ households: 80, missing_4g: true, missing_broadband: true, new_this_month: false });
    const results = JSON.parse(readFileSync(join(dir, 'blind_分析结果.geojson'), 'utf8'));
    expect(results.features).toHaveLength(24);
  });

  it('GeoPackage: ogrinfo opens it and counts the features', async () => {
    const file = join(dir, 'out.gpkg');
    await writeResultsGeoPackage(file, report, src.current, src.countyPolygons);
    const info = execFileSync('ogrinfo', ['-so', '-al', file], { encoding: 'utf8' });
    expect(info).toMatch(/Layer name: blind_spots_2020_06_1\n[\s\S]*?Feature Count: 12/);
    expect(info).toContain('Feature Count: 24');
    expect(info).toContain('Feature Count: 4');
    expect(info).toContain('rate_4g: Real');
    const sql = execFileSync('ogrinfo', [file, '-sql', 'SELECT name, rate_broadband, closed FROM county_rates_2020_06_1 WHERE name = \'宁都县\'', '-q'], { encoding: 'utf8' });
    expect(sql).toContain('rate_broadband (Real) = 0.5');
    expect(sql).toMatch(/closed \(Integer(64)?\) = 2\n/);
  });
});

describe('PDF atlas and PNG map', () => {
  it('pages: cover, city, four counties, listed villages, ledger; Chinese text extractable', async () => {
    const file = join(dir, 'atlas.pdf');
    const pages = await writeAtlasPdf({ report, sources: src.layerSources, map: { counties: src.countyPolygons, snapshot: src.current, ...src.coverage() } }, file);
    expect(pages).toBe(8);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const s of ['赣州市农村通信网络覆盖攻坚', '简报图集 · 2020年6月', '全市覆盖总览', '挂点领导', '于都县 · 2020年6月', '赣县区 · 2020年6月',
      '潮溪村委会', '4G覆盖率 50.0%（目标 95.0%，上月 50.0%）', '宽带覆盖率 50.0%（目标 75.0%，上月 16.7%）', 'ZG-于都县-5-01', '月报截止 2020-06-25']) {
      expect(text, s).toContain(s);
    }
    expect(text.split('\f').filter((p) => p.trim()).length).toBe(8);
    execFileSync('pdftoppm', ['-png', '-r', '20', file, join(dir, 'p')]);
    expect(readdirSync(dir).filter((n) => /^p-\d+\.png$/.test(n))).toHaveLength(8);
  }, 60_000);

  const chromium = (() => { try { return findChromium(); } catch { return null; } })();
  it.skipIf(!chromium)('PNG at a chosen dpi with title, legend, scale bar and north arrow', async () => {
    const sheet = mapSheet({ counties: src.countyPolygons, snapshot: src.current, county: '于都县', ...src.coverage() },
      { title: '于都县 4G与宽带覆盖', date: '2020-06-30', sources: src.layerSources, synthetic: true }, 'A4');
    const svg = sceneToSvg(sheet.prims, sheet.width, sheet.height);
    for (const s of ['于都县 4G与宽带覆盖', '图例', '千米', '北', '数据日期 2020-06-30', '数据来源', '演示数据']) expect(svg).toContain(s);
    const png = await svgToPng(svg, sheet.width, sheet.height, 72);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([842, 595]); // A4 landscape at 72 dpi: 841.89 × 595.28 pt
    expect(existsSync(path)).toBe(true);
  }, 60_000);
});
