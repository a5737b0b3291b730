// XLSX reader (exceljs): first sheet or the one named; cached formula results; merged cells read their master.
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { listZip, verifyZip } from '../zip';
import { FileProblem } from '../issues';
import type { Source, SourceOptions, SourceRecord } from '../source';

type CellRead = { ok: true; value: unknown } | { ok: false; message: string };

/** Plain value of an exceljs cell value. Dates become ISO dates (time kept only when it is not midnight). */
export function cellValue(v: ExcelJS.CellValue): CellRead {
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

function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

export async function open(path: string, options: SourceOptions): Promise<Source> {
  const workbook = new ExcelJS.Workbook();
  const bytes = await readFile(path);
  // exceljs inflates everything without a limit (and trusts the sizes the archive declares): check it first.
  try {
    listZip(bytes);
  } catch {
    throw new FileProblem('not an .xlsx workbook (not a ZIP container); old .xls files must be saved as .xlsx');
  }
  verifyZip(bytes);
  try {
    // exceljs declares its own Buffer type (an ArrayBuffer); the Node Buffer is what it reads at run time.
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch (e) {
    throw new FileProblem(`cannot read the workbook (expected an .xlsx file; old .xls must be saved as .xlsx): ${(e as Error).message}`);
  }
  const sheets = workbook.worksheets.map((w) => w.name);
  if (sheets.length === 0) throw new FileProblem('the workbook has no worksheets', 'sheet');
  const sheet = options.sheet ? workbook.getWorksheet(options.sheet) : workbook.worksheets[0];
  if (!sheet) throw new FileProblem(`no worksheet named "${options.sheet}"; the workbook has: ${sheets.join(', ')}`, 'sheet');

  let headerRow = 0;
  for (let r = 1; r <= sheet.rowCount && !headerRow; r++) {
    const row = sheet.getRow(r);
    if (row.values && (row.values as unknown[]).some((v) => v !== null && v !== undefined && String(v).trim() !== '')) headerRow = r;
  }
  if (!headerRow) throw new FileProblem(`worksheet "${sheet.name}" is empty (expected a header row)`, 'sheet');
  const width = sheet.getRow(headerRow).cellCount;
  const columns: string[] = [];
  const columnIndex: number[] = [];
  for (let c = 1; c <= width; c++) {
    const read = cellValue(sheet.getRow(headerRow).getCell(c).value);
    const name = read.ok && read.value !== null ? String(read.value).trim() : '';
    if (!name) continue;
    if (columns.includes(name)) throw new FileProblem(`header: column ${columnLetter(c)} "${name}" repeats an earlier column; expected unique column names`, 'header', headerRow);
    columns.push(name);
    columnIndex.push(c);
  }
  const last = sheet.rowCount;
  let current = headerRow;

  let r = headerRow;
  /** The next non-empty row as a record; undefined after the last. The workbook is in memory: nothing to await. */
  const nextRecord = (): SourceRecord | undefined => {
    while (r < last) {
      current = ++r;
      const row = sheet!.getRow(r);
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
      if (empty) continue;
      return problem ? { row: r, properties, problem } : { row: r, properties };
    }
    current = last;
    return undefined;
  };

  async function* records(): AsyncGenerator<SourceRecord> {
    for (let record = nextRecord(); record; record = nextRecord()) yield record;
  }

  return {
    format: 'xlsx', kind: 'table', columns, sheets, warnings: [], records: records(), takeRecord: nextRecord,
    progress: () => (last > headerRow ? (current - headerRow) / (last - headerRow) : null),
  };
}
