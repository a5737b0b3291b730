import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { previewImport } from '../../data/import/index';
import { importAll, tmp, writeTmp } from './helpers';
import { join } from 'node:path';

async function workbook(): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const notes = wb.addWorksheet('说明');
  notes.addRow(['本表为于都县聚居区清单']);
  const s = wb.addWorksheet('聚居区');
  s.addRow(['乡镇', '行政村', '自然村', '户数', '经度', '纬度', '村委会所在地', '调查日期']);
  s.addRow(['银坑镇', '潮溪村', '上坪', 36, 115.412345, 25.952345, '是', new Date(Date.UTC(2020, 5, 30))]);
  s.addRow(['银坑镇', '潮溪村', '下坪', { formula: 'D2-8', result: 28 }, 115.423456, 25.961234, '否', null]);
  // Merged township cell: rows 4–5 share 银坑镇 (the slave cell reads its master).
  s.addRow(['银坑镇', '潮溪村', '中坪', 30, 115.43, 25.97, 'N', null]);
  s.addRow([null, '潮溪村', '尾坪', 26, 115.44, 25.98, 'N', null]);
  s.mergeCells('A4:A5');
  const bad = wb.addWorksheet('公式无缓存');
  bad.addRow(['自然村', '户数', '经度', '纬度']);
  bad.addRow(['甲', { formula: 'SUM(1,2)' }, 115.4, 25.9]);
  const path = join(tmp, '于都.xlsx');
  await wb.xlsx.writeFile(path);
  return path;
}

describe('XLSX import', () => {
  it('lists sheets, reads the named sheet, cached formula results, merged cells and dates', async () => {
    const path = await workbook();
    const preview = await previewImport(path, { file: path, role: 'settlements', sheet: '聚居区' });
    expect(preview.format).toBe('xlsx');
    expect(preview.sheets).toEqual(['说明', '聚居区', '公式无缓存']);
    expect(preview.mapping).toMatchObject({ township: '乡镇', village: '行政村', name: '自然村', households: '户数', lon: '经度', lat: '纬度', committee: '村委会所在地' });
    const { stream, features } = await importAll(path, { role: 'settlements', sheet: '聚居区' });
    expect(stream.issues).toEqual([]);
    expect(features.map((f) => [f.id, (f.properties as Record<string, unknown>).households, (f.properties as Record<string, unknown>).township])).toEqual([
      ['于都-2', 36, '银坑镇'], ['于都-3', 28, '银坑镇'], ['于都-4', 30, '银坑镇'], ['于都-5', 26, '银坑镇'],
    ]);
    expect(features[0].properties).toMatchObject({ committee: true, 调查日期: '2020-06-30' });
  });

  it('the first sheet by default; an unknown sheet and a formula without a cached result are issues', async () => {
    const path = await workbook();
    const first = await importAll(path, { role: 'settlements' });
    expect(first.stream.issues.map((i) => i.field)).toEqual(['name', 'households', 'lon', 'lat']);
    const missing = await importAll(path, { role: 'settlements', sheet: 'Sheet9' });
    expect(missing.stream.issues).toEqual([{ file: path, row: -1, field: 'sheet', message: 'no worksheet named "Sheet9"; the workbook has: 说明, 聚居区, 公式无缓存' }]);
    const formula = await importAll(path, { role: 'settlements', sheet: '公式无缓存' });
    expect(formula.stream.issues).toEqual([{
      file: path, row: 2, field: '户数',
      message: 'cell B2: formula "=SUM(1,2)" has no cached result; open and save the file in Excel/WPS so values are stored',
    }]);
  });

  it('an old .xls (OLE file) named .xlsx is a clear file issue', async () => {
    const path = writeTmp('old.xlsx', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]));
    const { stream } = await importAll(path, { role: 'settlements' });
    expect(stream.issues).toEqual([{ file: path, row: -1, field: 'file', message: 'not an .xlsx workbook (not a ZIP container); old .xls files must be saved as .xlsx' }]);
  });
});
