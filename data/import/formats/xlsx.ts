// XLSX reader: the first sheet or the one named; cached formula results; merged cells read their master; numbers
// in a date format become ISO dates. The small parts (workbook, relationships, styles) are parsed whole; the shared
// strings and the sheet are inflated by zlib a piece at a time and tokenized as they come (xml-stream.ts), rows
// handed on as they complete. Loading a 500,000-row workbook whole (exceljs) took 24 s and 2.5 GB.
import { readFile } from 'node:fs/promises';
import { latin1Slice } from '../encoding';
import { FileProblem } from '../issues';
import { readRecords, takeFrom, type Source, type SourceOptions, type SourceRecord } from '../source';
import { checkDeclared, extract, inflatePieces, listZip, type ZipEntry } from '../zip';
import { xmlObjectParser } from './xml-objects';
import { xmlName, xmlText, XmlStream, type XmlHandler, type XmlTag } from './xml-stream';

const NOT_XLSX = 'not an .xlsx workbook (not a ZIP container); old .xls files must be saved as .xlsx';
const unreadable = (why: string) => new FileProblem(`cannot read the workbook (expected an .xlsx file; old .xls must be saved as .xlsx): ${why}`);

const parser = xmlObjectParser(new Set(['sheet', 'Relationship', 'numFmt', 'xf']));

type Node = Record<string, unknown>;

export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** A part's path from a relationship's target: relative to the folder of the part that names it, or absolute. */
function partPath(from: string, target: string): string {
  const parts = target.startsWith('/') ? [] : from.split('/').slice(0, -1);
  for (const p of target.replace(/^\/+/, '').split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.join('/');
}

/** The relationships of `part` (its _rels/NAME.rels): id → type and path. */
function relationships(read: (name: string) => Node | null, part: string): Map<string, { type: string; path: string }> {
  const slash = part.lastIndexOf('/');
  const rels = read(`${part.slice(0, slash + 1)}_rels/${part.slice(slash + 1)}.rels`);
  const list = ((rels?.Relationships as Node | undefined)?.Relationship as Node[] | undefined) ?? [];
  return new Map(list.map((r) => [String(r['@_Id']), { type: String(r['@_Type'] ?? ''), path: partPath(part, String(r['@_Target'] ?? '')) }]));
}

// Number formats Excel builds in that show dates or times (zh-CN's 27–36 and 50–58 among them).
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** Whether a format code shows a date or time: a y, m, d, h or s outside quotes, brackets and escapes. */
function isDateFormat(code: string): boolean {
  const bare = code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '').replace(/\\./g, '').replace(/[_*]./g, '');
  return /[ymdhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

/** Per cell style (the `s` attribute): 1 where its number format shows dates. */
function dateStyles(styles: Node | null): Uint8Array {
  const sheet = styles?.styleSheet as Node | undefined;
  const custom = new Map((((sheet?.numFmts as Node | undefined)?.numFmt as Node[] | undefined) ?? []).map((f) => [Number(f['@_numFmtId']), String(f['@_formatCode'] ?? '')]));
  const xfs = ((sheet?.cellXfs as Node | undefined)?.xf as Node[] | undefined) ?? [];
  return Uint8Array.from(xfs, (xf) => {
    const id = Number(xf['@_numFmtId'] ?? 0);
    const code = custom.get(id);
    return (code !== undefined ? isDateFormat(code) : DATE_FORMAT_IDS.has(id)) ? 1 : 0;
  });
}

/** A date as ISO 8601: the date alone at midnight. */
function isoDate(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** An Excel date serial as isoDate() writes it. */
function serialDate(serial: number, date1904: boolean): string {
  return isoDate(new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000)));
}

/** Text as OOXML stores it: characters XML cannot hold written _xHHHH_ (a carriage return is _x000D_). */
function unescapeOoxml(s: string): string {
  return s.includes('_x') ? s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : s;
}

const SI = xmlName('si');
const T = xmlName('t');
const RPH = xmlName('rPh');

/** The shared strings table, streamed: <si> items of one <t> or of rich-text runs; phonetic runs (<rPh>) left out. */
async function sharedStrings(zip: Uint8Array, entry: ZipEntry | undefined): Promise<string[]> {
  const strings: string[] = [];
  if (!entry) return strings;
  let parts: string[] = [];
  let inT = false, inPh = false;
  const stream = new XmlStream({
    open(tag) {
      if (tag.is(T)) inT = !inPh && !tag.selfClosing;
      else if (tag.is(RPH)) inPh = !tag.selfClosing;
      else if (tag.is(SI)) {
        parts = [];
        if (tag.selfClosing) strings.push('');
      }
    },
    close(tag) {
      if (tag.is(T)) inT = false;
      else if (tag.is(RPH)) inPh = false;
      else if (tag.is(SI)) strings.push(unescapeOoxml(parts.join('')));
    },
    text(bytes, start, end, cdata) {
      if (inT) parts.push(xmlText(bytes, start, end, cdata));
    },
  }, entry.name);
  for await (const { piece } of inflatePieces(zip, entry)) stream.push(piece);
  stream.end();
  return strings;
}

/** A merged range (1-based, inclusive): its top-left cell is the master whose value every cell of it reads. */
interface Merge { top: number; left: number; bottom: number; right: number }

/** A cell reference such as "B12" or "$B$12"; null past a worksheet's bounds (1,048,576 rows, 16,384 columns). */
function cellAddress(ref: string): { row: number; col: number } | null {
  const m = /^\$?([A-Za-z]{1,3})\$?(\d+)$/.exec(ref.trim());
  if (!m) return null;
  let col = 0;
  for (const ch of m[1].toUpperCase()) col = col * 26 + ch.charCodeAt(0) - 64;
  const row = Number(m[2]);
  return row >= 1 && row <= 1_048_576 && col <= 16_384 ? { row, col } : null;
}

/**
 * The sheet's merged ranges. They follow its rows in the part (<mergeCells> after <sheetData>), so the part is
 * inflated once before the rows are read; its bytes are only searched, not tokenized.
 */
async function mergedRanges(zip: Uint8Array, entry: ZipEntry): Promise<Merge[]> {
  const merges: Merge[] = [];
  let carry = Buffer.alloc(0);
  for await (const { piece } of inflatePieces(zip, entry)) {
    const bytes = carry.length ? Buffer.concat([carry, piece]) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let from = 0;
    for (let at = bytes.indexOf('mergeCell', 0, 'latin1'); at >= 0; at = bytes.indexOf('mergeCell', from, 'latin1')) {
      const end = bytes.indexOf('>', at, 'latin1');
      if (end < 0) break;
      from = end + 1;
      // A tag's name follows '<' and perhaps a prefix ('<x:'): text may hold the word, but never a raw '<'.
      let k = at - 1;
      if (bytes[k] === 0x3a) do k--; while (k > 0 && /[\w.-]/.test(String.fromCharCode(bytes[k])));
      if (bytes[k] !== 0x3c) continue;
      const m = /^mergeCell\s[^>]*?\bref\s*=\s*["']([^"']+)["']/.exec(bytes.toString('latin1', at, end + 1));
      const [a, b] = m ? m[1].split(':') : [];
      const first = a ? cellAddress(a) : null;
      const last = b ? cellAddress(b) : first;
      if (first && last) merges.push({ top: Math.min(first.row, last.row), left: Math.min(first.col, last.col), bottom: Math.max(first.row, last.row), right: Math.max(first.col, last.col) });
    }
    // A tag cut by the piece's end is searched again with the next piece.
    carry = Buffer.from(bytes.subarray(Math.max(from, bytes.length - 256)));
  }
  return merges.sort((x, y) => x.top - y.top);
}

const ROW = xmlName('row');
const F = xmlName('f');
const IS = xmlName('is');
const R_ATTR = xmlName('r');
const T_ATTR = xmlName('t');
const S_ATTR = xmlName('s');
const SI_ATTR = xmlName('si');
/** A cell's attributes: its reference, type and style. */
const CELL_ATTRS = [R_ATTR, T_ATTR, S_ATTR];
const REF_ATTR = xmlName('ref');

/** Cell types (the `t` attribute): a number unless it says otherwise. */
const enum Type { Number, Shared, Formula, Inline, Boolean, Error, Date }

/** The type a `t` attribute's bytes name. */
function typeOf(b: Uint8Array, start: number, end: number): Type {
  const n = end - start, c = b[start];
  if (n === 1) return c === 0x73 ? Type.Shared : c === 0x62 ? Type.Boolean : c === 0x65 ? Type.Error : c === 0x64 ? Type.Date : Type.Number;
  if (n === 3 && c === 0x73) return Type.Formula;
  if (n === 9 && c === 0x69) return Type.Inline;
  return Type.Number;
}

/** A whole number written in decimal digits; NaN when the bytes are anything else. */
function digits(b: Uint8Array, start: number, end: number): number {
  if (start >= end) return NaN;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = b[i] - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/** What a cell holds: a value (null for none) or a problem that keeps it from being used. */
interface Held { value: unknown; problem: string | undefined }

/** A row's cells by column (1-based): what rows hand on, reused from row to row. */
class RowCells {
  readonly cols: number[] = [];
  private readonly values: unknown[] = [];
  private readonly problems: (string | undefined)[] = [];
  private readonly here: boolean[] = [];

  set(col: number, value: unknown, problem: string | undefined): void {
    if (!this.here[col]) {
      this.here[col] = true;
      this.cols.push(col);
    }
    this.values[col] = value;
    this.problems[col] = problem;
  }

  /** The cell's value: null for none (and for a cell with a problem). */
  value(col: number): unknown {
    return this.here[col] ? this.values[col] : null;
  }

  problem(col: number): string | undefined {
    return this.here[col] ? this.problems[col] : undefined;
  }

  clear(): void {
    for (const c of this.cols) this.here[c] = false;
    this.cols.length = 0;
  }
}

/**
 * Turns a sheet part's tags into rows of cell values, merged cells read from their masters (rows that only a merge
 * covers included, as Excel shows them), and hands each row to `row` in sheet order.
 */
class SheetRows implements XmlHandler {
  private rowNumber = 0;
  private col = 0;
  private type = Type.Number;
  private style = -1;
  /** The cell's <v> text (null: none), or for a shared string its index. */
  private value: string | null = null;
  private index = NaN;
  private formula: string | null = null;
  private sharedIndex: string | null = null;
  /** Whether the formula read is a shared formula's master (it holds the text the others share). */
  private sharedMaster = false;
  private texts: string[] = [];
  /** Whether the cell holds an inline string (<is>), which some writers give without t="inlineStr". */
  private inline = false;
  private inV = false;
  private inF = false;
  private inT = false;
  private inIs = false;
  private inPh = false;
  private readonly cells = new RowCells();
  /** Shared formulas' text by index (si), for the message of a cell that has no cached result. */
  private readonly sharedFormulas = new Map<string, string>();
  private nextMerge = 0;
  private active: { merge: Merge; master: Held }[] = [];
  /** The columns read (sorted), once the header says which: merged ranges elsewhere are left alone. */
  private wanted: number[] | null = null;
  /** Where a cell's r, t and s attributes are (findAll). */
  private readonly found = new Int32Array(2 * CELL_ATTRS.length);

  constructor(
    private readonly strings: readonly string[],
    private readonly dates: Uint8Array,
    private readonly date1904: boolean,
    private readonly merges: readonly Merge[],
    private readonly row: (number: number, cells: RowCells) => void,
  ) {}

  // Tags by their local name's length and first byte, most frequent first: c, v, row, then the rare ones.
  open(tag: XmlTag): void {
    const b = tag.bytes, n = tag.nameEnd - tag.nameStart, first = b[tag.nameStart];
    if (n === 1 && first === 0x63) {
      const at = this.found;
      tag.findAll(CELL_ATTRS, at);
      this.col = at[0] >= 0 ? columnOf(b, at[0], at[1]) : this.col + 1;
      this.type = at[2] >= 0 ? typeOf(b, at[2], at[3]) : Type.Number;
      this.style = at[4] >= 0 ? digits(b, at[4], at[5]) : -1;
      this.value = this.formula = this.sharedIndex = null;
      this.index = NaN;
      if (this.texts.length) this.texts.length = 0;
      this.inline = false;
      if (tag.selfClosing) this.endCell();
    } else if (n === 1 && first === 0x76) {
      this.inV = !tag.selfClosing;
      this.value ??= '';
    } else if (tag.is(ROW)) {
      this.startRow(tag.find(R_ATTR) ? digits(b, tag.valueStart, tag.valueEnd) : this.rowNumber + 1);
      this.col = 0;
      if (tag.selfClosing) this.endRow();
    } else if (tag.is(F)) {
      this.formula = '';
      this.inF = !tag.selfClosing;
      const si = tag.attr(SI_ATTR);
      if (si !== undefined) this.sharedIndex = si;
      this.sharedMaster = si !== undefined && tag.find(REF_ATTR);
    } else if (tag.is(IS)) {
      this.inIs = !tag.selfClosing;
      this.inline = true;
      this.value ??= '';
    } else if (tag.is(T)) {
      this.inT = this.inIs && !this.inPh && !tag.selfClosing;
    } else if (tag.is(RPH)) {
      this.inPh = !tag.selfClosing;
    }
  }

  close(tag: XmlTag): void {
    const n = tag.nameEnd - tag.nameStart, first = tag.bytes[tag.nameStart];
    if (n === 1 && first === 0x76) this.inV = false;
    else if (n === 1 && first === 0x63) this.endCell();
    else if (tag.is(ROW)) this.endRow();
    else if (tag.is(T)) this.inT = false;
    else if (tag.is(F)) {
      this.inF = false;
      if (this.sharedMaster && this.sharedIndex !== null) this.sharedFormulas.set(this.sharedIndex, this.formula ?? '');
    } else if (tag.is(IS)) this.inIs = false;
    else if (tag.is(RPH)) this.inPh = false;
  }

  text(bytes: Uint8Array, start: number, end: number, cdata: boolean): void {
    if (this.inV) {
      const type = this.type;
      // A shared string's index is read from its digits, a number's or a boolean's text without decoding: neither
      // holds anything but ASCII. Text that comes in more than one run is joined.
      if (type === Type.Shared && !cdata && this.value === '' && Number.isNaN(this.index)) {
        this.index = digits(bytes, start, end);
        if (!Number.isNaN(this.index)) return;
      }
      if (!Number.isNaN(this.index)) {
        this.value = String(this.index);
        this.index = NaN;
      }
      this.value += cdata || (type !== Type.Number && type !== Type.Boolean) ? xmlText(bytes, start, end, cdata) : latin1Slice.call(bytes, start, end);
    } else if (this.inT) this.texts.push(xmlText(bytes, start, end, cdata));
    else if (this.inF) this.formula += xmlText(bytes, start, end, cdata);
  }

  /** Rows no <row> holds but a merged range covers come before the next one, as Excel shows them. */
  private startRow(number: number): void {
    for (let m = this.rowNumber + 1; m < number; m++) {
      this.activate(m);
      if (this.active.length === 0) {
        if (this.nextMerge >= this.merges.length || this.merges[this.nextMerge].top >= number) break;
        m = this.merges[this.nextMerge].top - 1;
        continue;
      }
      this.rowNumber = m;
      this.endRow();
    }
    this.rowNumber = number;
    this.cells.clear();
  }

  /**
   * From now on only these columns are read: a range that covers none of them is no longer applied, and no row is
   * made up for it (a range over the whole sheet would otherwise be a billion cells).
   */
  only(columns: readonly number[]): void {
    this.wanted = [...columns].sort((a, b) => a - b);
    this.active = this.active.filter((a) => this.covers(a.merge));
  }

  private covers(merge: Merge): boolean {
    return this.wanted === null || this.wanted.some((c) => c >= merge.left && c <= merge.right);
  }

  /** After the sheet's last <row>: the rows merged ranges still cover. */
  finish(): void {
    this.cells.clear();
    this.startRow(this.merges.reduce((last, m) => Math.max(last, m.bottom + 1), this.rowNumber + 1));
  }

  private activate(row: number): void {
    if (this.active.length) this.active = this.active.filter((a) => a.merge.bottom >= row);
    while (this.nextMerge < this.merges.length && this.merges[this.nextMerge].top <= row) {
      const merge = this.merges[this.nextMerge++];
      if (merge.bottom >= row && this.covers(merge)) this.active.push({ merge, master: { value: null, problem: undefined } });
    }
  }

  private endRow(): void {
    const row = this.rowNumber, cells = this.cells;
    this.activate(row);
    for (const a of this.active) {
      const { top, left, right } = a.merge;
      if (row === top) a.master = { value: cells.value(left), problem: cells.problem(left) };
      const { value, problem } = a.master;
      if (this.wanted) {
        for (const c of this.wanted) if (c >= left && c <= right && (row !== top || c !== left)) cells.set(c, value, problem);
      } else {
        for (let c = left; c <= right; c++) if (row !== top || c !== left) cells.set(c, value, problem);
      }
    }
    this.row(row, cells);
    cells.clear();
  }

  /** Keeps the cell just read: its value, a formula's cached result, or why neither can be used. */
  private endCell(): void {
    const { value, cells, col } = this;
    const type = this.inline && this.type === Type.Number ? Type.Inline : this.type;
    if (type === Type.Error) return cells.set(col, null, value ? `cell holds the error ${value}` : undefined);
    if (this.formula !== null && !value) {
      const text = this.formula || (this.sharedIndex !== null ? this.sharedFormulas.get(this.sharedIndex) : undefined) || '';
      return cells.set(col, null, `formula "=${text}" has no cached result; open and save the file in Excel/WPS so values are stored`);
    }
    if (value === null) return cells.set(col, null, undefined);
    switch (type) {
      case Type.Shared: {
        const at = Number.isNaN(this.index) ? parseInt(value, 10) : this.index;
        if (Number.isNaN(at) && value.trim() === '') return cells.set(col, null, undefined);
        const s = this.strings[at];
        return s === undefined ? cells.set(col, null, `refers to shared string "${value || at}", which the workbook lacks`) : cells.set(col, s, undefined);
      }
      case Type.Inline:
        return cells.set(col, unescapeOoxml(this.texts.join('')), undefined);
      case Type.Formula:
        return cells.set(col, unescapeOoxml(value), undefined);
      case Type.Boolean:
        return cells.set(col, Number(value) !== 0, undefined);
      case Type.Date: {
        const d = new Date(value);
        return cells.set(col, Number.isNaN(d.getTime()) ? value : isoDate(d), undefined);
      }
      default: {
        if (value === '') return cells.set(col, null, undefined);
        const n = parseFloat(value);
        return cells.set(col, this.style >= 0 && this.dates[this.style] === 1 && Number.isFinite(n) ? serialDate(n, this.date1904) : n, undefined);
      }
    }
  }
}

/** The column (1-based) of a cell reference's bytes such as "AB12". */
function columnOf(b: Uint8Array, start: number, end: number): number {
  let col = 0;
  for (let i = start; i < end; i++) {
    const c = b[i] | 0x20;
    if (c < 0x61 || c > 0x7a) break;
    col = col * 26 + c - 0x60;
  }
  return col;
}

export async function open(path: string, options: SourceOptions): Promise<Source> {
  const zip = await readFile(path);
  let entries: ZipEntry[];
  try {
    entries = listZip(zip);
  } catch {
    throw new FileProblem(NOT_XLSX);
  }
  checkDeclared(entries);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const parse = (name: string): Node | null => {
    const e = byName.get(name);
    if (!e) return null;
    try {
      return parser.parse(Buffer.from(extract(zip, [e]).get(name)!).toString('utf8')) as Node;
    } catch (err) {
      if (err instanceof FileProblem) throw err;
      throw unreadable(`${name}: ${(err as Error).message}`);
    }
  };

  const office = [...relationships(parse, '').values()].find((r) => r.type.endsWith('/officeDocument'));
  const bookPath = office?.path ?? 'xl/workbook.xml';
  const book = (parse(bookPath)?.workbook as Node | undefined) ?? null;
  if (!book) throw unreadable(`it has no workbook part (${bookPath})`);
  const date1904 = /^(1|true)$/i.test(String((book.workbookPr as Node | undefined)?.['@_date1904'] ?? ''));
  const rels = relationships(parse, bookPath);
  const partOf = (suffix: string) => [...rels.values()].find((r) => r.type.endsWith(suffix))?.path;
  const worksheets = (((book.sheets as Node | undefined)?.sheet as Node[] | undefined) ?? []).flatMap((s) => {
    const rel = rels.get(String(s['@_id']));
    return rel && rel.type.endsWith('/worksheet') ? [{ name: String(s['@_name'] ?? ''), path: rel.path }] : [];
  });
  const sheets = worksheets.map((w) => w.name);
  if (sheets.length === 0) throw new FileProblem('the workbook has no worksheets', 'sheet');
  const chosen = options.sheet ? worksheets.find((w) => w.name === options.sheet) : worksheets[0];
  if (!chosen) throw new FileProblem(`no worksheet named "${options.sheet}"; the workbook has: ${sheets.join(', ')}`, 'sheet');
  const sheetEntry = byName.get(chosen.path);
  if (!sheetEntry) throw unreadable(`worksheet "${chosen.name}" has no part (${chosen.path})`);
  const stylesPath = partOf('/styles');
  const stringsPath = partOf('/sharedStrings');
  const dates = dateStyles(stylesPath ? parse(stylesPath) : null);
  const strings = await sharedStrings(zip, stringsPath ? byName.get(stringsPath) : undefined);
  const merges = await mergedRanges(zip, sheetEntry);

  let columns: string[] | null = null;
  const columnIndex: number[] = [];
  let headerRow = 0;
  const queue: SourceRecord[] = [];
  /** Whether a value shows anything (a number or a boolean always does). */
  const shows = (value: unknown) => value !== null && (typeof value !== 'string' || value.trim() !== '');

  const onRow = (r: number, cells: RowCells) => {
    if (!columns) {
      if (!cells.cols.some((c) => cells.problem(c) !== undefined || shows(cells.value(c)))) return;
      headerRow = r;
      const names: string[] = [];
      for (const c of [...cells.cols].sort((a, b) => a - b)) {
        const value = cells.value(c);
        const name = cells.problem(c) === undefined && value !== null ? String(value).trim() : '';
        if (!name) continue;
        if (names.includes(name)) throw new FileProblem(`header: column ${columnLetter(c)} "${name}" repeats an earlier column; expected unique column names`, 'header', r);
        names.push(name);
        columnIndex.push(c);
      }
      columns = names;
      rows.only(columnIndex);
      return;
    }
    const properties: Record<string, unknown> = {};
    let empty = true;
    let problem: SourceRecord['problem'];
    for (let k = 0; k < columns.length; k++) {
      const c = columnIndex[k];
      const name = columns[k];
      const cellProblem = cells.problem(c);
      if (cellProblem !== undefined) {
        problem ??= { field: name, message: `cell ${columnLetter(c)}${r}: ${cellProblem}` };
        empty = false;
        continue;
      }
      const value = cells.value(c);
      properties[name] = value;
      if (empty && shows(value)) empty = false;
    }
    if (!empty) queue.push(problem ? { row: r, properties, problem } : { row: r, properties });
  };

  const rows = new SheetRows(strings, dates, date1904, merges, onRow);
  const stream = new XmlStream(rows, sheetEntry.name);
  const pieces = inflatePieces(zip, sheetEntry);
  let read = 0;
  let done = false;
  /** Reads the next piece of the sheet; its rows go to the queue. */
  const more = async (): Promise<void> => {
    const next = await pieces.next();
    if (next.done) {
      stream.end();
      rows.finish();
      done = true;
      read = 1;
      return;
    }
    read = next.value.read;
    stream.push(next.value.piece);
  };
  try {
    while (!columns && !done) await more();
  } catch (e) {
    await pieces.return(undefined);
    throw e;
  }
  if (!columns) throw new FileProblem(`worksheet "${chosen.name}" is empty (expected a header row)`, 'sheet');
  const header: string[] = columns;

  const takeRecord = takeFrom(queue);

  const readOn = async (): Promise<boolean> => {
    if (done) return false;
    await more();
    return true;
  };

  return {
    format: 'xlsx', kind: 'table', columns: header, sheets, warnings: [], takeRecord,
    records: readRecords(takeRecord, readOn, async () => void (await pieces.return(undefined))),
    progress: () => (headerRow ? read : null),
  };
}
