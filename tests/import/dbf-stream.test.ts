// The .dbf reader takes the table a piece at a time: the same fields, encoding and rows wherever the pieces are cut.
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DbfReader } from '../../data/import/formats/dbf';
import { FileProblem } from '../../data/import/issues';
import { dbf, type DbfField } from '../fixtures/bad/build';

const FIELDS: DbfField[] = [
  { name: '编号', type: 'C', length: 10 },
  { name: '自然村', type: 'C', length: 30 },
  { name: 'HH', type: 'N', length: 6 },
  { name: 'LON', type: 'N', length: 14, decimals: 6 },
  { name: 'SEAT', type: 'L', length: 1 },
  { name: 'SURVEYED', type: 'D', length: 8 },
];

function table(n: number, encode?: (s: string) => Buffer): Uint8Array {
  const names = ['上坪', '下坪', '刘屋', '', 'Tantou', '新屋场'];
  const rows = Array.from({ length: n }, (_, i) => [
    `S${i}`, names[i % names.length], i % 7 === 0 ? null : 20 + (i % 50), 115 + i / 1e4, i % 3 === 0 ? 'T' : i % 3 === 1 ? 'N' : '?', i % 5 === 0 ? '' : '20200630',
  ]);
  const bytes = Buffer.from(dbf(FIELDS, rows, { encode }));
  // Every eleventh row deleted.
  const headerLength = bytes.readUInt16LE(8), recordLength = bytes.readUInt16LE(10);
  for (let i = 0; i < n; i += 11) bytes[headerLength + i * recordLength] = 0x2a;
  return bytes;
}

async function readAll(bytes: Uint8Array, cuts: number[], cpg: string | null = null, size = bytes.length, sample?: number) {
  const pieces = (async function* () {
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      yield bytes.slice(at, cut);
      at = cut;
    }
  })();
  const reader = await DbfReader.open(pieces, size, 'a.dbf', cpg, undefined, sample);
  const rows = [];
  for (let i = 0; i < reader.count; i++) {
    let row = reader.row(i);
    while (!row) {
      await reader.more();
      row = reader.row(i);
    }
    rows.push(row);
  }
  return { fields: reader.fields.map((f) => f.name), encoding: reader.encoding, rows };
}

describe('DbfReader', () => {
  it('reads every field type, deleted rows marked, UTF-8 told from GBK', async () => {
    const utf8 = await readAll(table(40), []);
    expect(utf8.encoding).toBe('utf8');
    expect(utf8.fields).toEqual(['编号', '自然村', 'HH', 'LON', 'SEAT', 'SURVEYED']);
    expect(utf8.rows.slice(0, 4)).toEqual([
      { deleted: true, values: { 编号: 'S0', 自然村: '上坪', HH: null, LON: 115, SEAT: true, SURVEYED: null } },
      { deleted: false, values: { 编号: 'S1', 自然村: '下坪', HH: 21, LON: 115.0001, SEAT: false, SURVEYED: '2020-06-30' } },
      { deleted: false, values: { 编号: 'S2', 自然村: '刘屋', HH: 22, LON: 115.0002, SEAT: null, SURVEYED: '2020-06-30' } },
      { deleted: false, values: { 编号: 'S3', 自然村: null, HH: 23, LON: 115.0003, SEAT: true, SURVEYED: '2020-06-30' } },
    ]);
    const gbk = await readAll(table(40, (s) => iconv.encode(s, 'gbk')), []);
    expect(gbk.encoding).toBe('gbk');
    expect(gbk.rows).toEqual(utf8.rows);
    expect((await readAll(table(40, (s) => iconv.encode(s, 'gbk')), [], 'GBK')).rows).toEqual(utf8.rows);
  });

  it('gives the same rows however the table is cut into pieces', async () => {
    const bytes = table(300);
    const whole = await readAll(bytes, []);
    // Records read ahead before the first row: none, part of a record, or all (1 MiB, the default).
    await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 30 }), fc.constantFrom(0, 50, undefined), async (cuts, sample) => {
      expect(await readAll(bytes, cuts.sort((a, b) => a - b), null, bytes.length, sample)).toEqual(whole);
    }), { numRuns: 150 });
    expect(await readAll(bytes, Array.from({ length: bytes.length - 1 }, (_, k) => k + 1), null, bytes.length, 0)).toEqual(whole);
  });

  it('rows past the end of a cut table are blank; a header declaring more rows than the file holds is a file problem', async () => {
    const bytes = table(10);
    const recordLength = Buffer.from(bytes).readUInt16LE(10);
    // The last two rows and a half cut off, the header's size kept: those rows read as blank.
    const cut = bytes.subarray(0, bytes.length - 1 - Math.floor(2.5 * recordLength));
    const { rows } = await readAll(cut, [100, 700], null, bytes.length, 0);
    expect(rows.slice(0, 7)).toEqual((await readAll(bytes, [])).rows.slice(0, 7));
    expect(rows.slice(7)).toEqual(Array.from({ length: 3 }, () => ({ deleted: false, values: Object.fromEntries(FIELDS.map((f) => [f.name, null])) })));
    await expect(readAll(cut, [])).rejects.toThrow(FileProblem);
    await expect(readAll(cut, [])).rejects.toThrow(/a\.dbf: header declares 10 records of \d+ bytes but the file is \d+ bytes \(truncated \.dbf\?\)/);
    await expect(readAll(bytes.subarray(0, 20), [])).rejects.toThrow(/a\.dbf: shorter than the 32-byte \.dbf header/);
  });
});
