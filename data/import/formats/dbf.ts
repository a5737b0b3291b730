// dBASE III/IV table reader for shapefile attributes. Text is UTF-8 or GBK: .cpg first, then the language driver
// byte, then a validity check of the bytes (Chinese shapefiles without .cpg are almost always GBK).
import { decodeRange, decodeText, encodingFromName, looksUtf8, type TextEncoding } from '../encoding';
import { FileProblem } from '../issues';

export interface DbfField { name: string; type: string; length: number; decimals: number; offset: number }

export interface Dbf {
  fields: DbfField[];
  count: number;
  encoding: TextEncoding;
  encodingReason: string;
  row(index: number): { deleted: boolean; values: Record<string, unknown> };
}

/** Language driver ids meaning code page 936 (GBK). */
const LDID_GBK = new Set([0x4d, 0x7a]);

export function readDbf(dbf: Uint8Array, name: string, cpg: string | null, override?: 'utf8' | 'gbk' | 'auto'): Dbf {
  if (dbf.length < 32) throw new FileProblem(`${name}: shorter than the 32-byte .dbf header`);
  const v = new DataView(dbf.buffer, dbf.byteOffset, dbf.byteLength);
  const count = v.getUint32(4, true);
  const headerLength = v.getUint16(8, true);
  const recordLength = v.getUint16(10, true);
  const ldid = dbf[29];
  const raw: { name: Uint8Array; type: string; length: number; decimals: number; offset: number }[] = [];
  let offset = 1; // byte 0 of a record is the deletion flag
  for (let p = 32; p + 32 <= headerLength && dbf[p] !== 0x0d; p += 32) {
    let n = 0;
    while (n < 11 && dbf[p + n] !== 0) n++;
    const length = dbf[p + 16];
    raw.push({ name: dbf.subarray(p, p + n), type: String.fromCharCode(dbf[p + 11]), length, decimals: dbf[p + 17], offset });
    offset += length;
  }
  if (headerLength + count * recordLength > dbf.length + 1) {
    throw new FileProblem(`${name}: header declares ${count} records of ${recordLength} bytes but the file is ${dbf.length} bytes (truncated .dbf?)`);
  }

  let encoding: TextEncoding;
  let encodingReason: string;
  const fromCpg = cpg ? encodingFromName(cpg) : null;
  if (override === 'utf8' || override === 'gbk') { encoding = override; encodingReason = 'chosen'; }
  else if (fromCpg) { encoding = fromCpg; encodingReason = `.cpg says ${cpg?.trim()}`; }
  else if (LDID_GBK.has(ldid)) { encoding = 'gbk'; encodingReason = 'language driver byte says code page 936'; }
  else {
    encoding = looksUtf8(dbf.subarray(headerLength)) && raw.every((f) => looksUtf8(f.name)) ? 'utf8' : 'gbk';
    encodingReason = encoding === 'utf8' ? 'bytes are valid UTF-8' : 'no .cpg and bytes are not valid UTF-8: GBK assumed';
  }
  const fields: DbfField[] = raw.map((f) => ({ ...f, name: decodeText(f.name, encoding).trim() }));

  const row = (index: number): { deleted: boolean; values: Record<string, unknown> } => {
    const start = headerLength + index * recordLength;
    const values: Record<string, unknown> = {};
    if (start + recordLength > dbf.length) {
      for (const f of fields) values[f.name] = null;
      return { deleted: false, values };
    }
    for (const f of fields) values[f.name] = fieldValue(f.type, dbf, start + f.offset, start + f.offset + f.length, encoding);
    return { deleted: dbf[start] === 0x2a, values };
  };
  return { fields, count, encoding, encodingReason, row };
}

// Node's decoder called on the table's bytes as they are: a Buffer made around each field first cost more than
// decoding it (a third of reading a 500,000-row table).
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/** Bytes [start, end) of `b` as ASCII text without its surrounding spaces. */
function ascii(b: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(b, start, end).trim();
}

/** A field's value from its bytes [start, end) of the table: numbers, booleans, dates as ISO, text; null when blank. */
function fieldValue(type: string, b: Uint8Array, start: number, end: number, encoding: TextEncoding): unknown {
  switch (type) {
    case 'N': case 'F': {
      const s = ascii(b, start, end);
      if (s === '' || /^\*+$/.test(s)) return null;
      const n = Number(s);
      return Number.isFinite(n) ? n : s;
    }
    case 'L': {
      const s = ascii(b, start, end).toUpperCase();
      return s === 'T' || s === 'Y' ? true : s === 'F' || s === 'N' ? false : null;
    }
    case 'D': {
      const s = ascii(b, start, end);
      return /^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : null;
    }
    default: {
      while (end > start && (b[end - 1] === 0x20 || b[end - 1] === 0)) end--;
      return end === start ? null : decodeRange(b, start, end, encoding).trim();
    }
  }
}
