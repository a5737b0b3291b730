// The CSV reader takes its file a chunk at a time: decoded and split into rows, it must give what the whole text
// gives, wherever the chunks end (inside a character, a quoted field, a doubled quote or a CRLF).
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../data/import/encoding';
import { ChunkDecoder, CsvSplitter, csvRows, open, openCsv } from '../../data/import/formats/csv';
import type { Source, SourceRecord } from '../../data/import/source';
import { writeTmp } from './helpers';

const RUNS = { numRuns: 300 };

/** `whole` cut at the given offsets (sorted, deduplicated, within it). */
function pieces<T extends { slice(a: number, b?: number): T; length: number }>(whole: T, cuts: number[]): T[] {
  const at = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
  const out: T[] = [];
  let from = 0;
  for (const c of at) {
    out.push(whole.slice(from, c));
    from = c;
  }
  out.push(whole.slice(from));
  return out;
}

/** The rows (or the error) of text given in pieces. */
function split(parts: string[], delimiter: string): unknown {
  const s = new CsvSplitter(delimiter);
  const rows: unknown[] = [];
  try {
    for (const p of parts) {
      s.push(p);
      for (let r = s.next(); r; r = s.next()) rows.push(r);
    }
    s.end();
    for (let r = s.next(); r; r = s.next()) rows.push(r);
  } catch (e) {
    return { rows, error: (e as Error).message };
  }
  return { rows };
}

function whole(text: string, delimiter: string): unknown {
  const rows: unknown[] = [];
  try {
    for (const r of csvRows(text, delimiter)) rows.push(r);
  } catch (e) {
    return { rows, error: (e as Error).message };
  }
  return { rows };
}

describe('CsvSplitter', () => {
  it('gives the rows, lines and error of the whole text wherever the pieces end', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '"', ',', '\n', '\r', '甲', ' ', ';'), maxLength: 80 });
    fc.assert(fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), fc.constantFrom(',', ';'), (t, cuts, d) => {
      expect(split(pieces(t, cuts), d)).toEqual(whole(t, d));
    }), RUNS);
  });

  it('waits for the character after a closing quote and after a CR', () => {
    const s = new CsvSplitter(',');
    s.push('"a"');
    expect(s.next()).toBeUndefined();
    s.push('"b",c\r');
    expect(s.next()).toBeUndefined();
    s.push('\nd');
    expect(s.next()).toEqual({ line: 1, fields: ['a"b', 'c'] });
    expect(s.next()).toBeUndefined();
    s.end();
    expect(s.next()).toEqual({ line: 2, fields: ['d'] });
  });
});

describe('ChunkDecoder', () => {
  // Valid and broken UTF-8, byte-order marks, GBK double bytes: bytes of every kind around the cuts.
  const bytes = fc.array(fc.oneof(
    fc.constantFrom(0x41, 0x2c, 0x0a, 0xef, 0xbb, 0xbf, 0xe4, 0xb8, 0xad, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0x80, 0xc0, 0xff, 0xb6, 0xc8, 0x81, 0x30),
    fc.integer({ min: 0, max: 255 }),
  ), { maxLength: 60 }).map((a) => Buffer.from(a));

  const decodeAll = (encoding: 'utf8' | 'gbk' | 'utf-16le', parts: Buffer[]): string => {
    const d = new ChunkDecoder(encoding);
    return parts.map((p) => d.write(p)).join('') + d.end();
  };

  it('UTF-8 in chunks gives what the whole file decoded at once gives', () => {
    fc.assert(fc.property(bytes, fc.array(fc.nat(), { maxLength: 10 }), (b, cuts) => {
      expect(decodeAll('utf8', pieces(b, cuts))).toBe(decodeText(b, 'utf8'));
    }), RUNS);
  });

  it('GB18030 and UTF-16 in chunks give what iconv decodes from the whole', () => {
    fc.assert(fc.property(bytes, fc.array(fc.nat(), { maxLength: 10 }), (b, cuts) => {
      expect(decodeAll('gbk', pieces(b, cuts))).toBe(decodeText(b, 'gbk'));
      expect(decodeAll('utf-16le', pieces(b, cuts))).toBe(iconv.decode(b, 'utf-16le'));
    }), RUNS);
  });
});

/** Every record of a source, or the error that ended it (the message). */
async function drain(source: Promise<Source>): Promise<unknown> {
  const records: SourceRecord[] = [];
  try {
    const s = await source;
    const it = s.records[Symbol.asyncIterator]();
    for (;;) {
      const taken = s.takeRecord?.();
      if (taken) {
        records.push(taken);
        continue;
      }
      const next = await it.next();
      if (next.done) break;
      records.push(next.value);
    }
    return { columns: s.columns, encoding: s.encoding, records };
  } catch (e) {
    return { records, error: (e as Error).message };
  }
}

describe('CSV read a few bytes at a time', () => {
  const header = '序号,县(市、区),乡镇,行政村,自然村,户数,经度,纬度,备注\r\n';
  const rows = Array.from({ length: 40 }, (_, i) => `${i},于都县,银坑镇,潮溪村,"上坪${i}",${20 + i},115.4${i},25.9${i},"说 ""好"", 甲\n乙"\r\n`);
  const files: [string, Uint8Array, 'utf8' | 'gbk' | 'auto'][] = [
    ['utf8.csv', Buffer.from(header + rows.join('')), 'auto'],
    ['bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`\n\n${header}${rows.join('\n\n')}`)]), 'auto'],
    ['gbk.csv', iconv.encode(header + rows.join(''), 'gbk'), 'auto'],
    ['utf16.csv', iconv.encode(header + rows.join(''), 'utf-16le', { addBOM: true }), 'auto'],
    ['semicolons.csv', Buffer.from(`a;b;c\n1;2\n3;4;5;;\n;;\n6;7;8`), 'auto'],
    ['unclosed.csv', Buffer.from(`${header}${rows[0]}1,"open\n`), 'auto'],
    ['nul.csv', Buffer.from(`${header}${rows.join('')}\u0000`), 'auto'],
    ['not-utf8.csv', iconv.encode(header + rows.join(''), 'gbk'), 'utf8'],
    ['utf8-chosen.csv', Buffer.from(header + rows.join('')), 'utf8'],
    ['header-only.csv', Buffer.from('a,b\r'), 'auto'],
    ['empty.csv', Buffer.alloc(0), 'auto'],
  ];
  for (const [name, data, encoding] of files) {
    it(`${name}: the records and problems of reading it in 1 MiB chunks`, async () => {
      const path = writeTmp(name, data);
      const options = { displayName: path, encoding };
      const expected = await drain(open(path, options));
      for (const size of [1, 2, 3, 7, 64]) expect(await drain(openCsv(path, options, size)), `${size}-byte chunks`).toEqual(expected);
    });
  }
});
