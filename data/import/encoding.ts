// Text decoding for Chinese files: UTF-8 when the bytes are valid UTF-8, GB18030 (a superset of GBK) otherwise.
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type TextEncoding = 'utf8' | 'gbk';

/**
 * Valid UTF-8 check on a prefix. A cut (the sample's end, or a truncated file) may split the last character: an
 * incomplete final sequence of up to 3 bytes is not held against the text.
 */
export function looksUtf8(bytes: Uint8Array, sampleBytes = 1 << 20): boolean {
  const end = Math.min(bytes.length, sampleBytes);
  if (isUtf8(bytes.subarray(0, end))) return true;
  let lead = end - 1;
  while (lead > 0 && lead > end - 4 && (bytes[lead] & 0xc0) === 0x80) lead--;
  const b = bytes[lead];
  const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return end - lead < need && isUtf8(bytes.subarray(0, lead));
}

export function detectEncoding(bytes: Uint8Array, override?: 'utf8' | 'gbk' | 'auto'): TextEncoding {
  if (override === 'utf8' || override === 'gbk') return override;
  return looksUtf8(bytes) ? 'utf8' : 'gbk';
}

export function decodeText(bytes: Uint8Array, encoding: TextEncoding): string {
  return decodeRange(bytes, 0, bytes.length, encoding);
}

// Node's decoders called on any Uint8Array, on the bytes where they lie: for the many short values of a file (a
// table's fields, a JSON string, an XML text), a Buffer made around each one first cost more than decoding it.
export const utf8Slice = Buffer.prototype.utf8Slice as (this: Uint8Array, start: number, end: number) => string;
export const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/** decodeText() of bytes [start, end) of `bytes`, UTF-8 decoded where they lie. */
export function decodeRange(bytes: Uint8Array, start: number, end: number, encoding: TextEncoding): string {
  if (encoding === 'utf8') {
    if (bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf && end - start >= 3) start += 3;
    return utf8Slice.call(bytes, start, end);
  }
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start), 'gb18030');
}

/** Maps a .cpg / code-page name onto an encoding we decode; null when unknown. */
export function encodingFromName(name: string): TextEncoding | null {
  const n = name.trim().toLowerCase().replace(/[^a-z0-9]/g, '');
  if (n === 'utf8' || n === '65001') return 'utf8';
  if (['gbk', 'gb2312', 'gb18030', '936', 'cp936', 'ansi936', 'windows936', 'euccn'].includes(n)) return 'gbk';
  return null;
}
