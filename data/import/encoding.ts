// Text decoding for Chinese files: UTF-8 when the bytes are valid UTF-8, GB18030 (a superset of GBK) otherwise.
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type TextEncoding = 'utf8' | 'gbk';

/** Valid UTF-8 check on a prefix; the cut may split a multi-byte sequence, so trim up to 3 trailing bytes. */
export function looksUtf8(bytes: Uint8Array, sampleBytes = 1 << 20): boolean {
  if (bytes.length <= sampleBytes) return isUtf8(bytes);
  let end = sampleBytes;
  // Back off to the start of a character: continuation bytes are 10xxxxxx.
  while (end > sampleBytes - 4 && (bytes[end] & 0xc0) === 0x80) end--;
  return isUtf8(bytes.subarray(0, end));
}

export function detectEncoding(bytes: Uint8Array, override?: 'utf8' | 'gbk' | 'auto'): TextEncoding {
  if (override === 'utf8' || override === 'gbk') return override;
  return looksUtf8(bytes) ? 'utf8' : 'gbk';
}

export function decodeText(bytes: Uint8Array, encoding: TextEncoding): string {
  if (encoding === 'utf8') {
    const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.length - start).toString('utf8');
  }
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), 'gb18030');
}

/** Maps a .cpg / code-page name onto an encoding we decode; null when unknown. */
export function encodingFromName(name: string): TextEncoding | null {
  const n = name.trim().toLowerCase().replace(/[^a-z0-9]/g, '');
  if (n === 'utf8' || n === '65001') return 'utf8';
  if (['gbk', 'gb2312', 'gb18030', '936', 'cp936', 'ansi936', 'windows936', 'euccn'].includes(n)) return 'gbk';
  return null;
}
