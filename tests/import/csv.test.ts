import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { previewImport } from '../../data/import/index';
import { csvRows } from '../../data/import/formats/csv';
import { expectWellFormedIssues, importAll, writeTmp } from './helpers';

const gbk = (s: string): Uint8Array => iconv.encode(s, 'gbk');

describe('csvRows', () => {
  it('handles quotes, doubled quotes, delimiters and newlines inside quotes, CRLF', () => {
    const rows = [...csvRows('a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n1,2,3', ',')];
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'two\nlines'] },
      { line: 4, fields: ['1', '2', '3'] },
    ]);
  });
});

describe('CSV import', () => {
  const header = '序号,县(市、区),乡镇,行政村,自然村,户数,经度,纬度,是否村委会,备注\r\n';

  it('reads a GBK CSV with Chinese headers (encoding detected)', async () => {
    const body = header +
      '1,于都县,银坑镇,潮溪村,上坪,36户,115.412345,25.952345,是,"靠近河边, 信号弱"\r\n' +
      '2,于都县,银坑镇,潮溪村,下坪, 28 ,115.423456,25.961234,否,\r\n';
    const path = writeTmp('于都聚居区.csv', gbk(body));
    const preview = await previewImport(path, { file: path, role: 'settlements' });
    expect(preview.format).toBe('csv');
    expect(preview.encoding).toBe('gb18030');
    expect(preview.mapping).toMatchObject({ id: '序号', county: '县(市、区)', township: '乡镇', village: '行政村', name: '自然村', households: '户数', lon: '经度', lat: '纬度', committee: '是否村委会' });
    expect(preview.crs.detected).toBe('wgs84');
    expect(preview.sample[0]).toMatchObject({ 自然村: '上坪', 备注: '靠近河边, 信号弱' });

    const { stream, features } = await importAll(path, { role: 'settlements' });
    expect(stream.issues).toEqual([]);
    expect(stream.fields).toEqual(['id', 'name', 'households', 'county', 'township', 'village', 'committee', '备注']);
    expect(features.map((f) => f.properties)).toEqual([
      { id: '1', name: '上坪', households: 36, county: '于都县', township: '银坑镇', village: '潮溪村', committee: true, 备注: '靠近河边, 信号弱' },
      { id: '2', name: '下坪', households: 28, county: '于都县', township: '银坑镇', village: '潮溪村', committee: false, 备注: null },
    ]);
    expect(features[0].geometry).toEqual({ type: 'Point', coordinates: [115.412345, 25.952345] });
  });

  it('reads UTF-8 with a BOM, and honours an encoding override', async () => {
    const path = writeTmp('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('名称,户数,经度,纬度\n上坪,36,115.4,25.9\n')]));
    const { features } = await importAll(path, { role: 'settlements' });
    expect(features[0].properties).toMatchObject({ name: '上坪', households: 36 });
    const g = writeTmp('gbk-forced.csv', gbk('名称,户数,经度,纬度\n上坪,36,115.4,25.9\n'));
    const forced = await importAll(g, { role: 'settlements', encoding: 'utf8' });
    expect(forced.stream.issues[0]).toMatchObject({ row: -1, field: 'encoding' });
  });

  it('households: "36户" and " 36 " pass, "约三十", "二十", negative and fractional are issues naming row, field and expectation', async () => {
    const body = '名称,户数,经度,纬度\n甲,36户,115.4,25.9\n乙, 36 ,115.4,25.9\n丙,约三十,115.4,25.9\n丁,二十,115.4,25.9\n戊,-3,115.4,25.9\n己,12.5,115.4,25.9\n';
    const path = writeTmp('hh.csv', body);
    const { stream, features } = await importAll(path, { role: 'settlements' });
    expect(features).toEqual([]); // nothing is handed out once an issue exists
    expect(stream.issues).toEqual([
      { file: path, row: 4, field: 'households', message: '户数 = "约三十": expected a whole number ≥ 0 (户数应为非负整数)' },
      { file: path, row: 5, field: 'households', message: '户数 = "二十": expected a whole number ≥ 0 (户数应为非负整数)' },
      { file: path, row: 6, field: 'households', message: '户数 = "-3": expected a whole number ≥ 0 (户数应为非负整数)' },
      { file: path, row: 7, field: 'households', message: '户数 = "12.5": expected a whole number ≥ 0 (户数应为非负整数)' },
    ]);
  });

  it('detects swapped latitude/longitude columns, swaps the mapping and warns with numbers', async () => {
    const body = '名称,户数,经度,纬度\n甲,30,25.95,115.41\n乙,30,25.96,115.42\n丙,30,26.30,115.25\n';
    const path = writeTmp('swapped.csv', body);
    const preview = await previewImport(path, { file: path, role: 'settlements' });
    expect(preview.mapping).toMatchObject({ lon: '纬度', lat: '经度' });
    expect(preview.warnings.join()).toMatch(/3 \/ 3/);
    const { stream, features } = await importAll(path, { role: 'settlements' });
    expect(stream.warnings.join()).toMatch(/longitude and latitude look swapped in 3 of 3 sampled rows; swapped them/);
    expect(features[0].geometry).toEqual({ type: 'Point', coordinates: [115.41, 25.95] });
    // The user's explicit mapping wins: the swap is then only a warning, and the bad latitudes become issues.
    const kept = await importAll(path, { role: 'settlements', mapping: { lon: '经度', lat: '纬度' } });
    expect(kept.stream.warnings.join()).toMatch(/kept your mapping/);
    expect(kept.stream.issues.map((i) => i.field)).toEqual(['geometry', 'geometry', 'geometry']);
  });

  it('generates stable ids, reports duplicate ids with both rows, ragged rows and empty required cells', async () => {
    const body = '编号,名称,户数,经度,纬度\nA1,甲,30,115.4,25.9\nA1,乙,30,115.4,25.9\n,丙,30,115.4,25.9\nA3,丁,30,115.4\nA4,,30,115.4,25.9\n';
    const path = writeTmp('dups.csv', body);
    const { stream } = await importAll(path, { role: 'settlements' });
    expect(stream.issues).toEqual([
      { file: path, row: 3, field: 'id', message: 'id "A1" repeats row 2; expected unique ids (rows 2 and 3)' },
      { file: path, row: 5, field: 'row', message: 'expected 5 columns like the header, found 4' },
      { file: path, row: 6, field: 'name', message: '名称 is empty: expected 名称' },
    ]);
    const ok = writeTmp('noid.csv', '名称,户数,经度,纬度\n甲,30,115.4,25.9\n乙,30,115.4,25.9\n');
    const r = await importAll(ok, { role: 'settlements' });
    expect(r.features.map((f) => f.id)).toEqual(['noid-2', 'noid-3']);
  });

  it('missing required columns and bad mapping overrides are file issues', async () => {
    const path = writeTmp('nohh.csv', 'name,lon,lat\nA,115.4,25.9\n');
    const { stream } = await importAll(path, { role: 'settlements' });
    expect(stream.issues).toEqual([{ file: path, row: -1, field: 'households', message: 'no column for the required field "households"; the file has: name, lon, lat; map one of them' }]);
    const r = await importAll(path, { role: 'settlements', mapping: { households: '户数' } });
    expect(r.stream.issues[0]).toMatchObject({ row: -1, field: 'households', message: expect.stringMatching(/column "户数" not found/) });
  });

  it('user mapping overrides detection; unmapped columns stay as attributes', async () => {
    const path = writeTmp('override.csv', 'site,hh,x,y,村\nA,30,115.4,25.9,潮溪村\n');
    const { stream, features } = await importAll(path, { role: 'settlements', mapping: { name: 'site', households: 'hh' } });
    expect(stream.issues).toEqual([]);
    expect(features[0].properties).toMatchObject({ name: 'A', households: 30, village: '潮溪村' });
  });

  it('projected coordinates: a zone prefix is detected, no prefix needs a choice, an explicit EPSG works', async () => {
    // 115.412345E 25.952345N in EPSG:4526 (zone 38, prefixed) and EPSG:4547 (CM 114E).
    const pre = writeTmp('gk38.csv', '名称,户数,X,Y\n甲,30,38641462.5,2871420.4\n');
    const a = await importAll(pre, { role: 'settlements' });
    expect(a.stream.issues).toEqual([]);
    expect(a.stream.warnings.join()).toMatch(/EPSG:4526/);
    const [lon, lat] = (a.features[0].geometry as { coordinates: number[] }).coordinates;
    expect(lon).toBeCloseTo(115.41, 1);
    expect(lat).toBeCloseTo(25.95, 1);
    const plain = writeTmp('gk.csv', '名称,户数,X,Y\n甲,30,641462.5,2871420.4\n');
    const b = await importAll(plain, { role: 'settlements' });
    expect(b.stream.issues[0]).toMatchObject({ row: -1, field: 'crs', message: expect.stringMatching(/EPSG:4547/) });
    const c = await importAll(plain, { role: 'settlements', crs: 'EPSG:4547' });
    expect(c.stream.issues).toEqual([]);
    expect((c.features[0].geometry as { coordinates: number[] }).coordinates[0]).toBeCloseTo(lon, 6);
    // Chinese surveying order (X = northing first) is detected as swapped.
    const sw = writeTmp('gk-xy.csv', '名称,户数,X,Y\n甲,30,2871420.4,641462.5\n');
    const d = await importAll(sw, { role: 'settlements', crs: 'EPSG:4547' });
    expect(d.stream.warnings.join()).toMatch(/swapped/);
    expect((d.features[0].geometry as { coordinates: number[] }).coordinates[0]).toBeCloseTo(lon, 6);
  });

  it('a coverage layer from a table is refused with a reason', async () => {
    const path = writeTmp('cov.csv', '运营商,经度,纬度\n移动,115,26\n');
    const { stream } = await importAll(path, { role: 'mobile' });
    expect(stream.issues[0]).toMatchObject({ row: -1, field: 'geometry', message: expect.stringMatching(/no polygons/) });
    expectWellFormedIssues(stream, path);
  });

  it('sites: operator normalised, azimuth/beamwidth/radius parsed with units', async () => {
    const path = writeTmp('sites.csv', '站名,运营商,经度,纬度,方位角,水平波宽,覆盖半径,频段\n银坑1,移动,115.41,25.95,120,65,1.5km,FDD1800\n银坑2,CMCC,115.42,25.96,,,,\n');
    const { stream, features } = await importAll(path, { role: 'sites' });
    expect(stream.issues).toEqual([]);
    expect(features[0].properties).toMatchObject({ name: '银坑1', operator: 'CMCC', tech: '4G', azimuth: 120, beamwidth: 65, radius: 1500, band: 'FDD1800' });
    expect(features[1].properties).toMatchObject({ operator: 'CMCC' });
  });
});
