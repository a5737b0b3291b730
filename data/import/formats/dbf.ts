// dBASE III/IV table reader for shapefile attributes. Text is UTF-8 or GBK: .cpg first, then the language driver
// byte, then a validity check of the bytes (Chinese shapefiles without .cpg are almost always GBK).
import { decodeRange, decodeText, encodingFromName, latin1Slice, looksUtf8, type TextEncoding } from '../encoding';
import { FileProblem } from '../issues';
import { HeldBytes } from './held-bytes';

export interface DbfField { name: string; type: string; length: number; decimals: number; offset: number }

export interface DbfRow { deleted: boolean; values: Record<string, unknown> }

/** Language driver ids meaning code page 936 (GBK). */
const LDID_GBK = new Set([0x4d, 0x7a]);

/** Bytes of records read before the first row is decoded, to tell UTF-8 from GBK (looksUtf8's sample). */
const SAMPLE = 1 << 20;

/**
 * A .dbf table read a piece at a time, rows in order: the attributes of a Shapefile are most of its bytes (hundreds
 * of megabytes for a province's settlements, with text fields 254 bytes wide), and only the rows being handed on
 * are held.
 */
export class DbfReader {
  private nextRow = 0;

  private constructor(
    readonly fields: DbfField[],
    readonly count: number,
    readonly encoding: TextEncoding,
    readonly encodingReason: string,
    private readonly recordLength: number,
    private readonly held: HeldBytes,
  ) {}

  /**
   * Reads the header and the first records (to choose the text encoding: the .cpg first, then the language driver
   * byte, then whether the bytes are UTF-8). `bytes`: the table's size, to tell a header that declares more rows
   * than the file holds. `sampleBytes`: how much of the records to read first (tests read less). Throws FileProblem
   * for a header that cannot be read.
   */
  static async open(
    pieces: AsyncIterator<Uint8Array>, bytes: number, name: string, cpg: string | null, override?: 'utf8' | 'gbk' | 'auto', sampleBytes = SAMPLE,
  ): Promise<DbfReader> {
    const held = new HeldBytes(pieces);
    await held.readTo(32);
    let head = held.buf;
    if (head.length < 32) throw new FileProblem(`${name}: shorter than the 32-byte .dbf header`);
    const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const count = v.getUint32(4, true);
    const headerLength = v.getUint16(8, true);
    const recordLength = v.getUint16(10, true);
    const ldid = head[29];
    await held.readTo(headerLength + sampleBytes);
    head = held.buf;
    const raw: { name: Uint8Array; type: string; length: number; decimals: number; offset: number }[] = [];
    let offset = 1; // byte 0 of a record is the deletion flag
    for (let p = 32; p + 32 <= headerLength && p + 32 <= head.length && head[p] !== 0x0d; p += 32) {
      let n = 0;
      while (n < 11 && head[p + n] !== 0) n++;
      const length = head[p + 16];
      raw.push({ name: head.subarray(p, p + n), type: String.fromCharCode(head[p + 11]), length, decimals: head[p + 17], offset });
      offset += length;
    }
    if (headerLength + count * recordLength > bytes + 1) {
      throw new FileProblem(`${name}: header declares ${count} records of ${recordLength} bytes but the file is ${bytes} bytes (truncated .dbf?)`);
    }

    let encoding: TextEncoding;
    let encodingReason: string;
    const fromCpg = cpg ? encodingFromName(cpg) : null;
    if (override === 'utf8' || override === 'gbk') { encoding = override; encodingReason = 'chosen'; }
    else if (fromCpg) { encoding = fromCpg; encodingReason = `.cpg says ${cpg?.trim()}`; }
    else if (LDID_GBK.has(ldid)) { encoding = 'gbk'; encodingReason = 'language driver byte says code page 936'; }
    else {
      encoding = looksUtf8(head.subarray(headerLength)) && raw.every((f) => looksUtf8(f.name)) ? 'utf8' : 'gbk';
      encodingReason = encoding === 'utf8' ? 'bytes are valid UTF-8' : 'no .cpg and bytes are not valid UTF-8: GBK assumed';
    }
    const fields: DbfField[] = raw.map((f) => ({ ...f, name: decodeText(f.name, encoding).trim() }));
    held.pos = Math.min(headerLength, head.length);
    return new DbfReader(fields, count, encoding, encodingReason, recordLength, held);
  }

  /**
   * Row `index`, which must follow the last one asked for: undefined while its bytes are still to be read (more()).
   * A row past the end of a truncated table has every field null.
   */
  row(index: number): DbfRow | undefined {
    if (index !== this.nextRow) throw new RangeError(`DbfReader: row ${index} asked for after row ${this.nextRow - 1}`);
    const { recordLength, fields, encoding, held } = this;
    const { buf, pos } = held;
    const values: Record<string, unknown> = {};
    if (pos + recordLength > buf.length) {
      if (!held.ended) return undefined;
      this.nextRow++;
      for (const f of fields) values[f.name] = null;
      return { deleted: false, values };
    }
    for (const f of fields) values[f.name] = fieldValue(f.type, buf, pos + f.offset, pos + f.offset + f.length, encoding);
    held.pos += recordLength;
    this.nextRow++;
    return { deleted: buf[pos] === 0x2a, values };
  }

  /** Reads the next piece of the table, after the rows not yet asked for. */
  more(): Promise<void> {
    return this.held.more();
  }

  /** Stops reading (an import that ends early). */
  close(): Promise<void> {
    return this.held.close();
  }
}

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
