// CSV/TSV reader: UTF-8 (BOM or not) or GBK/GB18030 detected from the bytes, RFC 4180 quoting, CRLF, ragged rows.
// Streamed: the file is read and decoded a chunk at a time and split into rows as the text arrives, so that a
// province's table (hundreds of MB) is never whole in memory. File-level checks that must come before any row (a NUL
// byte, invalid UTF-8 when UTF-8 was chosen) read the bytes once beforehand.
import { open as openFile, type FileHandle } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { decodeText, detectEncoding, type TextEncoding } from '../encoding';
import { FileProblem } from '../issues';
import { readRecords, type Source, type SourceOptions, type SourceRecord } from '../source';

const CHUNK = 1 << 20;

export interface CsvRow { line: number; fields: string[] }

/**
 * Splits CSV text into rows of fields with their 1-based starting line, the text given in pieces: a row is handed
 * out once the text after it has arrived (or the text has ended). Quotes may span lines and pieces.
 */
export class CsvSplitter {
  private text = '';
  private i = 0;
  private line = 1;
  private ended = false;
  private readonly d: number;

  constructor(delimiter: string) {
    this.d = delimiter.charCodeAt(0);
  }

  push(piece: string): void {
    this.text = this.i === 0 ? this.text + piece : this.text.slice(this.i) + piece;
    this.i = 0;
  }

  end(): void {
    this.ended = true;
  }

  /** The next complete row; undefined when more text is needed (or none is left after end()). */
  next(): CsvRow | undefined {
    const text = this.text, n = text.length, d = this.d, ended = this.ended;
    let i = this.i, line = this.line;
    if (i >= n) return undefined;
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      // One field per pass: unquoted fields are sliced, quoted ones unescaped.
      if (text.charCodeAt(i) === 0x22) {
        let value = '';
        let from = ++i;
        for (;;) {
          const q = text.indexOf('"', i);
          // A doubled quote may be cut by the piece's end: the quote's next character must be in.
          if (q < 0 || (q + 1 >= n && !ended)) {
            if (!ended) return undefined;
            throw new FileProblem(`row ${startLine}: a quoted field is not closed before the end of the file`, 'file', startLine);
          }
          for (let k = i; k < q; k++) if (text.charCodeAt(k) === 0x0a) line++;
          if (text.charCodeAt(q + 1) === 0x22) {
            value += text.slice(from, q + 1);
            i = from = q + 2;
            continue;
          }
          value += text.slice(from, q);
          i = q + 1;
          break;
        }
        // Text between the closing quote and the delimiter is kept, as spreadsheet programs do.
        let k = i;
        while (k < n && text.charCodeAt(k) !== d && text.charCodeAt(k) !== 0x0a && text.charCodeAt(k) !== 0x0d) k++;
        fields.push(value + text.slice(i, k));
        i = k;
      } else {
        let k = i;
        while (k < n && text.charCodeAt(k) !== d && text.charCodeAt(k) !== 0x0a && text.charCodeAt(k) !== 0x0d) k++;
        fields.push(text.slice(i, k));
        i = k;
      }
      // The row's end must be in: a field cut by the piece's end, or a CR whose LF may follow, waits for more.
      if (!ended && (i >= n || (text.charCodeAt(i) === 0x0d && i + 1 >= n))) return undefined;
      const c = text.charCodeAt(i);
      if (c === d) {
        i++;
        continue;
      }
      if (c === 0x0d) i += text.charCodeAt(i + 1) === 0x0a ? 2 : 1;
      else if (c === 0x0a) i++;
      line++;
      break;
    }
    this.i = i;
    this.line = line;
    return { line: startLine, fields };
  }
}

/** Splits whole CSV text into rows of fields with their 1-based starting line. Quotes may span lines. */
export function* csvRows(text: string, delimiter: string): Generator<CsvRow> {
  const splitter = new CsvSplitter(delimiter);
  splitter.push(text);
  splitter.end();
  for (let row = splitter.next(); row; row = splitter.next()) yield row;
}

function detectDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', '\t', ';', '|']) {
    const count = firstLine.split(d).length - 1;
    if (count > bestCount) { best = d; bestCount = count; }
  }
  return best;
}

/**
 * A chunk of bytes → text decoder giving what decoding the whole file at once gives: each chunk is decoded up to its
 * last line feed and the rest goes with the next one. No encoding read here continues a character across a line
 * feed, so every decoder is between characters there (iconv-lite's, fed a character in two parts, could drop bytes
 * of a broken one).
 */
export class ChunkDecoder {
  private carry: Buffer | null = null;
  private first = true;
  private readonly decoder: { write(b: Buffer): string; end(): string | undefined } | null;

  constructor(private readonly encoding: TextEncoding | 'utf-16le' | 'utf-16be') {
    this.decoder = encoding === 'utf8' ? null : iconv.getDecoder(encoding === 'gbk' ? 'gb18030' : encoding);
  }

  write(chunk: Buffer): string {
    const bytes = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = this.lineEnd(bytes);
    this.carry = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : null;
    return cut > 0 ? this.decode(bytes.subarray(0, cut)) : '';
  }

  end(): string {
    const rest = this.carry ? this.decode(this.carry) : '';
    this.carry = null;
    return this.decoder ? rest + (this.decoder.end() ?? '') : rest;
  }

  private decode(bytes: Buffer): string {
    if (this.decoder) return this.decoder.write(bytes);
    // Only the file's first piece may start with the byte-order mark.
    const text = this.first ? decodeText(bytes, 'utf8') : bytes.toString('utf8');
    this.first = false;
    return text;
  }

  /** The index after the last line feed of `b` (a UTF-16 unit at an even offset), 0 when it has none. */
  private lineEnd(b: Buffer): number {
    if (this.encoding !== 'utf-16le' && this.encoding !== 'utf-16be') return b.lastIndexOf(0x0a) + 1;
    const [lo, hi] = this.encoding === 'utf-16le' ? [0x0a, 0] : [0, 0x0a];
    for (let k = b.length - 2 - (b.length % 2); k >= 0; k -= 2) if (b[k] === lo && b[k + 1] === hi) return k + 2;
    return 0;
  }
}

/** Reads `handle` from byte `from` in chunks of `size`, calling `each` with every chunk (a reused buffer). */
async function eachChunk(handle: FileHandle, from: number, size: number, each: (chunk: Buffer, at: number) => void): Promise<void> {
  const buffer = Buffer.allocUnsafe(size);
  for (let at = from; ;) {
    const { bytesRead } = await handle.read(buffer, 0, size, at);
    if (bytesRead === 0) return;
    each(buffer.subarray(0, bytesRead), at);
    at += bytesRead;
  }
}

export function open(path: string, options: SourceOptions): Promise<Source> {
  return openCsv(path, options, CHUNK);
}

/** open() with chunks of `chunkBytes` (tests read files a few bytes at a time). */
export async function openCsv(path: string, options: SourceOptions, chunkBytes: number): Promise<Source> {
  const handle = await openFile(path, 'r');
  try {
    return await readCsv(handle, options, chunkBytes);
  } catch (err) {
    await handle.close();
    throw err;
  }
}

async function readCsv(handle: FileHandle, options: SourceOptions, chunkBytes: number): Promise<Source> {
  const size = (await handle.stat()).size;
  const head = Buffer.alloc(Math.min(size, CHUNK));
  const { bytesRead: headBytes } = await handle.read(head, 0, head.length, 0);
  const start = head.subarray(0, headBytes);
  // Excel's "Unicode text" export is UTF-16 with a byte-order mark; without one, NUL bytes mean binary data.
  const utf16 = start[0] === 0xff && start[1] === 0xfe ? 'utf-16le' : start[0] === 0xfe && start[1] === 0xff ? 'utf-16be' : null;
  const encoding = detectEncoding(start, options.encoding);
  const checkUtf8 = !utf16 && encoding === 'utf8' && options.encoding === 'utf8';
  if (!utf16) {
    let nul = -1;
    let replaced = false;
    const decoder = new ChunkDecoder('utf8');
    await eachChunk(handle, 0, CHUNK, (chunk, at) => {
      const k = nul >= 0 ? -1 : chunk.indexOf(0);
      if (k >= 0) nul = at + k;
      if (checkUtf8 && !replaced) replaced = decoder.write(chunk).includes('\uFFFD');
    });
    if (nul >= 0) {
      throw new FileProblem(`NUL byte at byte ${nul}: the file is binary, or UTF-16 without a byte-order mark; expected a text file (UTF-8, GBK or UTF-16 with BOM)`, 'encoding');
    }
    if (checkUtf8 && (replaced || decoder.end().includes('\uFFFD'))) throw new FileProblem('the file is not valid UTF-8 (encoding "utf8" was chosen); try GBK', 'encoding');
  }

  const decoder = new ChunkDecoder(utf16 ?? encoding);
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let position = 0;
  let ended = false;
  /** Text decoded and not yet split; the splitter starts once the first line (for the delimiter) is in. */
  let pending = '';
  let splitter: CsvSplitter | null = null;
  const feed = (text: string): void => {
    if (splitter) {
      if (text) splitter.push(text);
    } else {
      pending += text;
      const eol = pending.search(/\r?\n/);
      if (eol < 0 && !ended) return;
      splitter = new CsvSplitter(detectDelimiter(pending.slice(0, eol < 0 ? pending.length : eol)));
      splitter.push(pending);
      pending = '';
    }
    if (ended) splitter.end();
  };
  /** Reads and decodes the next chunk; false once the file has ended. */
  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const { bytesRead } = await handle.read(buffer, 0, chunkBytes, position);
    position += bytesRead;
    if (bytesRead === 0) {
      ended = true;
      feed(decoder.end());
    } else feed(decoder.write(buffer.subarray(0, bytesRead)));
    return true;
  };
  /** The next row, reading as much as it takes; undefined at the end. */
  const nextRow = async (): Promise<CsvRow | undefined> => {
    for (;;) {
      const row = splitter?.next();
      if (row || !(await more())) return row;
    }
  };

  let header: CsvRow | undefined;
  for (let r = await nextRow(); r; r = await nextRow()) {
    if (r.fields.some((f) => f.trim() !== '')) { header = r; break; }
  }
  if (!header) throw new FileProblem('the file has no header row (expected column names such as 经度,纬度,户数)', 'header');
  const columns = header.fields.map((h, i) => h.trim() || `column${i + 1}`);
  const seen = new Map<string, number>();
  for (const [i, c] of columns.entries()) {
    if (seen.has(c)) throw new FileProblem(`header: column ${i + 1} "${c}" repeats column ${(seen.get(c) ?? 0) + 1}; expected unique column names`, 'header', header.line);
    seen.set(c, i);
  }

  /** The record of a data row; undefined for a blank one. */
  const record = (r: CsvRow): SourceRecord | undefined => {
    if (r.fields.every((f) => f.trim() === '')) return undefined;
    if (r.fields.length !== columns.length) {
      // A trailing delimiter on every data row is common in exports; tolerate empty extra fields.
      const extra = r.fields.slice(columns.length);
      if (!(r.fields.length > columns.length && extra.every((f) => f.trim() === ''))) {
        return {
          row: r.line, properties: {},
          problem: { field: 'row', message: `expected ${columns.length} columns like the header, found ${r.fields.length}` },
        };
      }
    }
    const properties: Record<string, unknown> = {};
    columns.forEach((c, i) => { properties[c] = r.fields[i]; });
    return { row: r.line, properties };
  };
  /** The next record among the rows already decoded; undefined when the file must be read on first. */
  const takeRecord = (): SourceRecord | undefined => {
    for (let r = splitter?.next(); r; r = splitter?.next()) {
      const rec = record(r);
      if (rec) return rec;
    }
    return undefined;
  };
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) {
      closed = true;
      await handle.close();
    }
  };

  return {
    format: 'csv', kind: 'table', columns, encoding: utf16 ?? (encoding === 'utf8' ? 'utf-8' : 'gb18030'), warnings: [],
    records: readRecords(takeRecord, more, close), takeRecord, progress: () => (size ? Math.min(1, position / size) : null), close,
  };
}
