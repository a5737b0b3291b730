// Table exports: XLSX (exceljs; one sheet per table, frozen bold header, real numbers with % formats) and
// CSV (UTF-8 with BOM so that Excel on Chinese Windows opens it without mojibake).
import ExcelJS from 'exceljs';
import { writeFileSync } from 'node:fs';
import { formatCell, type Table } from './tables';

const NUMBER_FORMATS = { percent: '0.0%', delta: '+0.0%;-0.0%;0.0%', int: '0', text: '@' } as const;

export async function writeXlsx(tables: readonly Table[], path: string, meta: { title: string; synthetic: boolean }): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Coverage Atlas 覆盖图谱';
  wb.title = meta.title;
  for (const t of tables) {
    const ws = wb.addWorksheet(t.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = t.columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).alignment = { vertical: 'middle', wrapText: true };
    for (const r of t.rows) ws.addRow(r);
    t.columns.forEach((c, i) => {
      if (c.kind !== 'text') ws.getColumn(i + 1).numFmt = NUMBER_FORMATS[c.kind];
    });
    ws.getRow(1).numFmt = '@';
    if (meta.synthetic) ws.headerFooter.oddFooter = '演示数据 (synthetic demo data)';
  }
  await wb.xlsx.writeFile(path);
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One table as CSV text with a BOM and CRLF line ends (what Excel writes). */
export function toCsv(t: Table): string {
  const lines = [t.columns.map((c) => csvField(c.header)).join(',')];
  for (const r of t.rows) lines.push(r.map((v, i) => csvField(formatCell(v, t.columns[i].kind))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Writes `<stem>_<table>.csv` per table next to `path` (stem: path without .csv); returns the paths. */
export function writeCsvFiles(tables: readonly Table[], path: string): string[] {
  const stem = path.replace(/\.csv$/i, '');
  return tables.map((t) => {
    const file = `${stem}_${t.name}.csv`;
    writeFileSync(file, toCsv(t));
    return file;
  });
}
