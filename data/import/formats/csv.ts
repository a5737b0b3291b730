// CSV/TSV reader: UTF-8 (BOM or not) or GBK/GB18030 detected from the bytes, RFC 4180 quoting, CRLF, ragged rows.
import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { decodeText, detectEncoding } from '../encoding';
import { FileProblem } from '../issues';
import type { Source, SourceOptions, SourceRecord } from '../source';

/** Splits CSV text into rows of fields with their 1-based starting line. Quotes may span lines. */
export function* csvRows(text: string, delimiter: string): Generator<{ line: number; fields: string[] }> {
  const n = text.length;
  const d = delimiter.charCodeAt(0);
  let line = 1;
  let i = 0;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    while (true) {
      // One field per pass: unquoted fields are sliced, quoted ones unescaped.
      if (text.charCodeAt(i) === 0x22) {
        let value = '';
        let from = ++i;
        while (true) {
          const q = text.indexOf('"', i);
          if (q < 0) throw new FileProblem(`row ${startLine}: a quoted field is not closed before the end of the file`, 'file', startLine);
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
      const c = text.charCodeAt(i);
      if (c === d) { i++; continue; }
      if (c === 0x0d) i += text.charCodeAt(i + 1) === 0x0a ? 2 : 1;
      else if (c === 0x0a) i++;
      line++;
      break;
    }
    yield { line: startLine, fields };
  }
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

export async function open(path: string, options: SourceOptions): Promise<Source> {
  const bytes = await readFile(path);
  // Excel's "Unicode text" export is UTF-16 with a byte-order mark; without one, NUL bytes mean binary data.
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : null;
  const nul = utf16 ? -1 : bytes.indexOf(0);
  if (nul >= 0) {
    throw new FileProblem(`NUL byte at byte ${nul}: the file is binary, or UTF-16 without a byte-order mark; expected a text file (UTF-8, GBK or UTF-16 with BOM)`, 'encoding');
  }
  const encoding = detectEncoding(bytes, options.encoding);
  const text = utf16 ? iconv.decode(bytes, utf16) : decodeText(bytes, encoding);
  if (!utf16 && text.includes('\uFFFD') && encoding === 'utf8' && options.encoding === 'utf8') {
    throw new FileProblem('the file is not valid UTF-8 (encoding "utf8" was chosen); try GBK', 'encoding');
  }
  const delimiter = detectDelimiter(text.slice(0, text.search(/\r?\n|$/)));
  const rows = csvRows(text, delimiter);
  let header: { line: number; fields: string[] } | undefined;
  // Manual next(): breaking out of for…of would close the generator.
  for (let r = rows.next(); !r.done; r = rows.next()) {
    if (r.value.fields.some((f) => f.trim() !== '')) { header = r.value; break; }
  }
  if (!header) throw new FileProblem('the file has no header row (expected column names such as 经度,纬度,户数)', 'header');
  const columns = header.fields.map((h, i) => h.trim() || `column${i + 1}`);
  const seen = new Map<string, number>();
  for (const [i, c] of columns.entries()) {
    if (seen.has(c)) throw new FileProblem(`header: column ${i + 1} "${c}" repeats column ${(seen.get(c) ?? 0) + 1}; expected unique column names`, 'header', header.line);
    seen.set(c, i);
  }
  let done = 0;
  const total = text.length;

  /** The next data row as a record; undefined after the last. The whole text is in memory: nothing to await. */
  const nextRecord = (): SourceRecord | undefined => {
    for (let next = rows.next(); !next.done; next = rows.next()) {
      const r = next.value;
      done = Math.min(total, done + r.fields.reduce((s, f) => s + f.length + 1, 0));
      if (r.fields.every((f) => f.trim() === '')) continue;
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
    }
    done = total;
    return undefined;
  };

  async function* records(): AsyncGenerator<SourceRecord> {
    for (let r = nextRecord(); r; r = nextRecord()) yield r;
  }

  return {
    format: 'csv', kind: 'table', columns, encoding: utf16 ?? (encoding === 'utf8' ? 'utf-8' : 'gb18030'), warnings: [],
    records: records(), takeRecord: nextRecord, progress: () => (total ? done / total : null),
  };
}
