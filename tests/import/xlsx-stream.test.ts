// The streaming XLSX reader against the exceljs reader it replaced (xlsx-reference.ts) on seeded workbooks that
// exceljs writes, and against records written out by hand for what other writers put in a workbook.
import ExcelJS from 'exceljs';
import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { open } from '../../data/import/formats/xlsx';
import { FileProblem } from '../../data/import/issues';
import type { SourceRecord } from '../../data/import/source';
import { referenceXlsx } from './xlsx-reference';
import { tmp, writeTmp } from './helpers';
import { join } from 'node:path';

type Read = { sheets: string[]; columns: string[]; records: SourceRecord[] } | { problem: { message: string; field: string; row: number } };

async function streamed(path: string, sheet?: string): Promise<Read> {
  try {
    const source = await open(path, { displayName: path, sheet });
    const records: SourceRecord[] = [];
    for (let r = source.takeRecord!(); ; r = source.takeRecord!()) {
      if (r) {
        records.push(r);
        continue;
      }
      const next = await source.records[Symbol.asyncIterator]().next();
      if (next.done) break;
      records.push(next.value);
    }
    expect(source.progress()).toBe(1);
    return { sheets: source.sheets!, columns: source.columns, records };
  } catch (e) {
    if (!(e instanceof FileProblem)) throw e;
    return { problem: { message: e.message, field: e.field, row: e.row } };
  }
}

async function reference(path: string, sheet?: string): Promise<Read> {
  try {
    return await referenceXlsx(path, sheet);
  } catch (e) {
    if (!(e instanceof FileProblem)) throw e;
    return { problem: { message: e.message, field: e.field, row: e.row } };
  }
}

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

const UNITS = ['a', 'Z', ' ', '&', '<', '>', '"', "'", '刘', '屋', '村', '😀', '\t', '\n', '0', '.', '-', 'é'];

/** A cell value of every kind exceljs writes: text, numbers, booleans, dates, formulas (with and without results), errors, rich text, links. */
function cellOf(r: ReturnType<typeof rng>): ExcelJS.CellValue {
  const text = () => Array.from({ length: r.int(8) }, () => r.pick(UNITS)).join('');
  switch (r.int(14)) {
    case 0: case 1: return null;
    case 2: case 3: return text();
    case 4: return r.int(1000) - 200;
    case 5: return (r.next() - 0.5) * 10 ** (r.int(12) - 4);
    case 6: return r.next() < 0.5;
    case 7: return new Date(Date.UTC(1990 + r.int(40), r.int(12), 1 + r.int(28), r.pick([0, 0, 9]), r.pick([0, 30])));
    // Not 0: exceljs drops a cached result of 0 (it reads the formula as never calculated), which this reader keeps.
    case 8: return { formula: 'A1+1', result: 1 + r.int(99) } as ExcelJS.CellFormulaValue;
    case 9: return { formula: 'B2&"x"', result: text() } as ExcelJS.CellFormulaValue;
    case 10: return { formula: 'SUM(1,2)' } as ExcelJS.CellFormulaValue;
    case 11: return { error: r.pick(['#N/A', '#DIV/0!', '#VALUE!']) } as ExcelJS.CellErrorValue;
    case 12: return { richText: [{ text: text() }, { font: { bold: true }, text: text() }] };
    default: return { text: text() || 'link', hyperlink: 'https://example.org/' };
  }
}

async function seededWorkbook(seed: number): Promise<{ path: string; sheets: string[] }> {
  const r = rng(seed);
  const wb = new ExcelJS.Workbook();
  const sheets: string[] = [];
  for (let s = 0; s <= r.int(3); s++) {
    const name = `表${s}${r.pick(['', ' & 清单', '<x>'])}`;
    sheets.push(name);
    const ws = wb.addWorksheet(name);
    let row = 1 + r.int(3);
    const width = 1 + r.int(7);
    const header = Array.from({ length: width }, (_, c) => (r.next() < 0.12 ? null : r.next() < 0.1 ? c * 10 : `列${c}${r.pick(['', ' ', '&', '户数'])}`));
    if (r.next() < 0.1) header[r.int(width)] = header[0];
    if (r.next() < 0.85) ws.getRow(row++).values = header;
    const rows = r.int(60);
    for (let k = 0; k < rows; k++, row++) {
      if (r.next() < 0.1) continue;
      ws.getRow(row).values = Array.from({ length: width + r.int(2) }, () => cellOf(r));
      for (let c = 1; c <= width; c++) {
        const cell = ws.getRow(row).getCell(c);
        if (cell.value instanceof Date || typeof cell.value === 'number') cell.numFmt = r.pick(['yyyy-mm-dd', 'mm-dd-yy', '0.00', 'General', 'yyyy"年"m"月"d"日"', 'h:mm']);
      }
    }
    // Merged ranges that do not overlap: one column over rows, or one row over columns.
    for (let m = 0; m < r.int(4); m++) {
      const top = 1 + r.int(row), left = 1 + r.int(width);
      const down = r.next() < 0.6;
      const ref = down ? `${String.fromCharCode(64 + left)}${top}:${String.fromCharCode(64 + left)}${top + 1 + r.int(3)}` : `${String.fromCharCode(64 + left)}${top}:${String.fromCharCode(65 + left)}${top}`;
      try {
        ws.mergeCells(ref);
      } catch {
        // Overlaps an earlier range: left out.
      }
    }
  }
  const path = join(tmp, `seeded-${seed}.xlsx`);
  await wb.xlsx.writeFile(path);
  return { path, sheets };
}

describe('XLSX reader, streamed', () => {
  it('reads what the exceljs reader read, sheet by sheet, on seeded workbooks', async () => {
    let records = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { path, sheets } = await seededWorkbook(seed);
      for (const sheet of [undefined, ...sheets, 'no such sheet']) {
        const got = await streamed(path, sheet);
        expect(got, `seed ${seed}, sheet ${sheet}`).toEqual(await reference(path, sheet));
        if ('records' in got) records += got.records.length;
      }
    }
    expect(records).toBeGreaterThan(2000);
  }, 120_000);

  it('reads inline strings, as a streaming writer stores them', async () => {
    const path = join(tmp, 'inline.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false, useStyles: true });
    const ws = wb.addWorksheet('聚居区');
    ws.addRow(['编号', '自然村', '户数', '经度']).commit();
    for (let i = 0; i < 500; i++) ws.addRow([`S${i}`, `村&<${i}>`, i % 7 === 0 ? null : i, 115 + i / 1000]).commit();
    ws.commit();
    await wb.commit();
    const got = await streamed(path);
    expect(got).toEqual(await reference(path));
    expect('records' in got && got.records.length).toBe(500);
  });
});

/** A workbook of hand-written parts, as other writers (WPS, OpenXML SDK, older Excel) lay them out. */
function handWritten(name: string, parts: Record<string, string>): string {
  return writeTmp(name, zipSync(Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, strToU8(v)]))));
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

describe('XLSX reader, parts other writers write', () => {
  it('reads prefixed elements, inline and phonetic runs, escapes, dates, shared formulas, and cells without addresses', async () => {
    const path = handWritten('hand.xlsx', {
      '_rels/.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="/book/main.xml"/></Relationships>`,
      'book/main.xml': `<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${REL}"><x:workbookPr date1904="1"/><x:sheets>
        <x:sheet name="图表" sheetId="3" r:id="rId9"/><x:sheet name="隐藏 &amp; 说明" sheetId="1" state="hidden" r:id="rId1"/><x:sheet name="聚居区" sheetId="2" r:id="rId2"/></x:sheets></x:workbook>`,
      'book/_rels/main.xml.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
        <Relationship Id="rId1" Type="${REL}/worksheet" Target="sheets/one.xml"/><Relationship Id="rId2" Type="${REL}/worksheet" Target="/book/sheets/two.xml"/>
        <Relationship Id="rId9" Type="${REL}/chartsheet" Target="charts/c.xml"/><Relationship Id="rId3" Type="${REL}/sharedStrings" Target="strings.xml"/>
        <Relationship Id="rId4" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
      'book/strings.xml': `<sst ${NS}><si><t>乡镇</t></si><si><r><t>行</t></r><r><rPr><b/></rPr><t>政村</t></r><rPh sb="0" eb="1"><t>ぎょう</t></rPh></si><si><t>line_x000D_break</t></si><si/></sst>`,
      'book/styles.xml': `<styleSheet ${NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="[$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;;@"/></numFmts>
        <cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="31"/><xf numFmtId="2"/></cellXfs></styleSheet>`,
      'book/sheets/one.xml': `<worksheet ${NS}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`,
      'book/sheets/two.xml': `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
        <x:row r="2"><x:c r="B2" t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c><x:c t="inlineStr"><x:is><x:t>户</x:t><x:r><x:t xml:space="preserve">数 </x:t></x:r></x:is></x:c><x:c t="str"><x:v>日期</x:v></x:c><x:c><x:is><x:t>旗</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>公式</x:t></x:is></x:c></x:row>
        <x:row><x:c r="B3" t="inlineStr"><x:is><x:t><![CDATA[银坑 & <镇>]]></x:t></x:is></x:c><x:c t="s"><x:v>2</x:v></x:c><x:c><x:v>36</x:v></x:c><x:c s="1"><x:v>0</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c r="G3"><x:f t="shared" ref="G3:G5" si="0">D3*2</x:f><x:v>72</x:v></x:c></x:row>
        <x:row r="5"><x:c r="B5" t="s"><x:v>3</x:v></x:c><x:c r="C5" t="inlineStr"><x:is><x:t>a&#x0D;b</x:t></x:is></x:c><x:c r="D5" s="3"><x:v>1.5E1</x:v></x:c><x:c r="E5" t="d"><x:v>2020-06-30T00:00:00Z</x:v></x:c><x:c r="F5" t="e"><x:v>#N/A</x:v></x:c><x:c r="G5"><x:f t="shared" si="0"/></x:c></x:row>
        <x:row r="7"><x:c r="B7"><x:is><x:t>x</x:t></x:is></x:c><x:c r="E7" s="2"><x:v>43982</x:v></x:c></x:row>
        </x:sheetData><x:mergeCells count="1"><x:mergeCell ref="B5:B6"/></x:mergeCells></x:worksheet>`,
    });
    const got = await streamed(path);
    expect(got).toMatchObject({ sheets: ['隐藏 & 说明', '聚居区'], columns: ['乡镇'], records: [] });
    const sheet = await streamed(path, '聚居区');
    expect(sheet).toEqual({
      sheets: ['隐藏 & 说明', '聚居区'],
      columns: ['乡镇', '行政村', '户数', '日期', '旗', '公式'],
      records: [
        // 1904 dates: serial 0 is 1 Jan 1904. Inline text without t="inlineStr" is read all the same.
        { row: 3, properties: { 乡镇: '银坑 & <镇>', 行政村: 'line\rbreak', 户数: 36, 日期: '1904-01-01', 旗: true, 公式: 72 } },
        // A shared formula's dependent without a cached result names the master's formula.
        { row: 5, properties: { 乡镇: '', 行政村: 'a\rb', 户数: 15, 日期: '2020-06-30' }, problem: { field: '旗', message: 'cell F5: cell holds the error #N/A' } },
        // Row 6 is in no <row>: the merge B5:B6 covers it, so it reads its master (an empty string: an empty row).
        { row: 7, properties: { 乡镇: 'x', 行政村: null, 户数: null, 日期: '2024-06-01', 旗: null, 公式: null } },
      ],
    });
  });

  it('a cell of a merged range reads the master even in a row no <row> holds', async () => {
    const path = handWritten('merged.xlsx', {
      'xl/workbook.xml': `<workbook ${NS}><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      'xl/_rels/workbook.xml.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      'xl/worksheets/sheet1.xml': `<worksheet ${NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>乡镇</t></is></c><c r="B1" t="inlineStr"><is><t>自然村</t></is></c></row>
        <row r="2"><c r="A2" t="inlineStr"><is><t>银坑镇</t></is></c><c r="B2" t="inlineStr"><is><t>上坪</t></is></c></row><row r="4"><c r="B4" t="inlineStr"><is><t>下坪</t></is></c><c r="C4" t="inlineStr"><is><t>not a mergeCell ref="B2:B9"></t></is></c></row></sheetData>
        <x:mergeCells xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2"><x:mergeCell ref="A2:A5"/><x:mergeCell ref="B6:B6"/></x:mergeCells></worksheet>`,
    });
    expect(await streamed(path)).toEqual({
      sheets: ['S'], columns: ['乡镇', '自然村'],
      records: [2, 3, 4, 5].map((row) => ({ row, properties: { 乡镇: '银坑镇', 自然村: row === 2 ? '上坪' : row === 4 ? '下坪' : null } })),
    });
  });

  it('a merged range over the whole sheet is applied to the columns read only, and one past its bounds is left out', async () => {
    const sheet = (merges: string[]) => handWritten(`huge-${merges.length}-${merges[0].replace(':', '-')}.xlsx`, {
      'xl/workbook.xml': `<workbook ${NS}><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      'xl/_rels/workbook.xml.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      'xl/worksheets/sheet1.xml': `<worksheet ${NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>乡镇</t></is></c><c r="B1" t="inlineStr"><is><t>自然村</t></is></c></row>
        <row r="2"><c r="A2" t="inlineStr"><is><t>银坑镇</t></is></c><c r="B2" t="inlineStr"><is><t>上坪</t></is></c><c r="C2" t="inlineStr"><is><t>备注</t></is></c></row></sheetData>
        <mergeCells>${merges.map((ref) => `<mergeCell ref="${ref}"/>`).join('')}</mergeCells></worksheet>`,
    });
    // 16,384 columns × 1,048,576 rows beside the columns read: no row is made up for it.
    expect(await streamed(sheet(['C2:XFD1048576', 'A3:B1048577']))).toEqual({
      sheets: ['S'], columns: ['乡镇', '自然村'], records: [{ row: 2, properties: { 乡镇: '银坑镇', 自然村: '上坪' } }],
    });
    // Over the header: every header cell reads 乡镇, which repeats.
    expect(await streamed(sheet(['A1:XFD1048576']))).toEqual({
      problem: { field: 'header', row: 1, message: 'header: column B "乡镇" repeats an earlier column; expected unique column names' },
    });
  });

  it('a workbook without a workbook part, or whose sheet part is missing, is a clear file problem', async () => {
    const noBook = handWritten('no-book.xlsx', { 'docProps/app.xml': '<Properties/>' });
    expect(await streamed(noBook)).toEqual({ problem: { field: 'file', row: -1, message: 'cannot read the workbook (expected an .xlsx file; old .xls must be saved as .xlsx): it has no workbook part (xl/workbook.xml)' } });
    const noSheet = handWritten('no-sheet.xlsx', {
      'xl/workbook.xml': `<workbook ${NS}><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      'xl/_rels/workbook.xml.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/gone.xml"/></Relationships>`,
    });
    expect(await streamed(noSheet)).toEqual({ problem: { field: 'file', row: -1, message: 'cannot read the workbook (expected an .xlsx file; old .xls must be saved as .xlsx): worksheet "S" has no part (xl/worksheets/gone.xml)' } });
    const cut = handWritten('cut.xlsx', {
      'xl/workbook.xml': `<workbook ${NS}><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      'xl/_rels/workbook.xml.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      'xl/worksheets/sheet1.xml': `<worksheet ${NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>乡镇</t></is></c></row><row r="2"><c r="A2" t="inl`,
    });
    const source = await open(cut, { displayName: cut });
    await expect((async () => { for await (const _ of source.records) { /* drain */ } })()).rejects.toThrow(/xl\/worksheets\/sheet1\.xml ends inside a tag/);
  });
});
