// The reference for the streaming XLSX reader (data/import/formats/xlsx.ts): the reader it replaced, which loaded the
// workbook whole with exceljs and read its cells through exceljs's model. The same sheets, header, records and
// problems are expected of both, on workbooks exceljs reads right.
import ExcelJS from 'exceljs';
import { columnLetter } from '../../data/import/formats/xlsx';
import { FileProblem } from '../../data/import/issues';
import type { SourceRecord } from '../../data/import/source';

type CellRead = { ok: true; value: unknown } | { ok: false; message: string };

function cellValue(v: ExcelJS.CellValue): CellRead {
  if (v === null || v === undefined) return { ok: true, value: null };
  if (v instanceof Date) {
    const iso = v.toISOString();
    return { ok: true, value: iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso };
  }
  if (typeof v !== 'object') return { ok: true, value: v };
  if ('formula' in v || 'sharedFormula' in v) {
    const result = (v as { result?: ExcelJS.CellValue }).result;
    const formula = 'formula' in v ? v.formula : (v as { sharedFormula: string }).sharedFormula;
    if (result === undefined || result === null) {
      return { ok: false, message: `formula "=${formula}" has no cached result; open and save the file in Excel/WPS so values are stored` };
    }
    return cellValue(result);
  }
  if ('error' in v) return { ok: false, message: `cell holds the error ${(v as ExcelJS.CellErrorValue).error}` };
  if ('richText' in v) return { ok: true, value: (v as ExcelJS.CellRichTextValue).richText.map((r) => r.text).join('') };
  if ('text' in v) return { ok: true, value: (v as ExcelJS.CellHyperlinkValue).text };
  return { ok: true, value: String(v) };
}

export async function referenceXlsx(path: string, sheetName?: string): Promise<{ sheets: string[]; columns: string[]; records: SourceRecord[] }> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheets = workbook.worksheets.map((w) => w.name);
  const sheet = sheetName ? workbook.getWorksheet(sheetName) : workbook.worksheets[0];
  if (!sheet) throw new FileProblem(`no worksheet named "${sheetName}"; the workbook has: ${sheets.join(', ')}`, 'sheet');
  let headerRow = 0;
  for (let r = 1; r <= sheet.rowCount && !headerRow; r++) {
    const row = sheet.getRow(r);
    if (row.values && (row.values as unknown[]).some((v) => v !== null && v !== undefined && String(v).trim() !== '')) headerRow = r;
  }
  if (!headerRow) throw new FileProblem(`worksheet "${sheet.name}" is empty (expected a header row)`, 'sheet');
  const columns: string[] = [];
  const columnIndex: number[] = [];
  for (let c = 1; c <= sheet.getRow(headerRow).cellCount; c++) {
    const read = cellValue(sheet.getRow(headerRow).getCell(c).value);
    const name = read.ok && read.value !== null ? String(read.value).trim() : '';
    if (!name) continue;
    if (columns.includes(name)) throw new FileProblem(`header: column ${columnLetter(c)} "${name}" repeats an earlier column; expected unique column names`, 'header', headerRow);
    columns.push(name);
    columnIndex.push(c);
  }
  const records: SourceRecord[] = [];
  for (let r = headerRow + 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const properties: Record<string, unknown> = {};
    let empty = true;
    let problem: SourceRecord['problem'];
    columns.forEach((name, k) => {
      const read = cellValue(row.getCell(columnIndex[k]).value);
      if (!read.ok) {
        problem ??= { field: name, message: `cell ${columnLetter(columnIndex[k])}${r}: ${read.message}` };
        empty = false;
        return;
      }
      properties[name] = read.value;
      if (read.value !== null && String(read.value).trim() !== '') empty = false;
    });
    if (!empty) records.push(problem ? { row: r, properties, problem } : { row: r, properties });
  }
  return { sheets, columns, records };
}
