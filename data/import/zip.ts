// Small ZIP reader over fflate: central directory parsed here (to see encryption flags and names), each entry
// inflated in pieces so the uncompressed total can be capped whatever the headers claim (zip bombs).
import { Inflate } from 'fflate';
import iconv from 'iconv-lite';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { FileProblem } from './issues';

/** Total uncompressed bytes a ZIP (zipped Shapefile, KMZ, XLSX) may expand to: beyond this it is a bomb or not ours. */
export const DEFAULT_UNZIP_CAP = 1024 ** 3;

export interface ZipEntry {
  /** Name decoded as UTF-8 when flagged, else GBK (Chinese Windows archivers). */
  name: string;
  encrypted: boolean;
  compression: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export function listZip(zip: Uint8Array): ZipEntry[] {
  const { count, at } = endRecord(zip);
  return centralDirectory(zip, at, count);
}

/** The end-of-central-directory record in `tail` (an archive's last bytes): how many entries, and where their directory starts. */
function endRecord(tail: Uint8Array): { count: number; at: number; bytes: number } {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= Math.max(0, tail.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new FileProblem('not a ZIP archive (no end-of-central-directory record)');
  const count = view.getUint16(eocd + 10, true);
  const at = view.getUint32(eocd + 16, true);
  if (count === 0xffff || at === 0xffffffff) throw new FileProblem('ZIP64 archives are not supported; re-zip the files (expected a zip under 4 GB)');
  return { count, at, bytes: view.getUint32(eocd + 12, true) };
}

/** `count` central directory records from bytes[p] on. */
function centralDirectory(zip: Uint8Array, p: number, count: number): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const entries: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (p + 46 > zip.length || view.getUint32(p, true) !== 0x02014b50) throw new FileProblem(`corrupt ZIP central directory at entry ${k}`);
    const flags = view.getUint16(p + 8, true);
    const nameLen = view.getUint16(p + 28, true);
    if (p + 46 + nameLen > zip.length) throw new FileProblem(`corrupt ZIP central directory at entry ${k} (name runs past the end)`);
    const raw = Buffer.from(zip.buffer, zip.byteOffset + p + 46, nameLen);
    entries.push({
      name: flags & 0x800 ? raw.toString('utf8') : iconv.decode(raw, 'gb18030'),
      encrypted: (flags & 1) !== 0,
      compression: view.getUint16(p + 10, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localOffset: view.getUint32(p + 42, true),
    });
    p += 46 + nameLen + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  }
  return entries;
}

/**
 * The bytes the ZIP archive at `path` declares its entries to expand to, from its central directory alone (its last
 * bytes); null when it is not a ZIP archive this reader reads.
 */
export async function declaredSize(path: string): Promise<number | null> {
  let file: FileHandle | undefined;
  try {
    file = await openFile(path, 'r');
    const size = (await file.stat()).size;
    const tailBytes = Math.min(size, 22 + 0xffff);
    const tail = new Uint8Array(tailBytes);
    await file.read(tail, 0, tailBytes, size - tailBytes);
    const { count, at, bytes } = endRecord(tail);
    const directory = new Uint8Array(bytes);
    await file.read(directory, 0, bytes, at);
    return centralDirectory(directory, 0, count).reduce((sum, e) => sum + e.size, 0);
  } catch {
    return null;
  } finally {
    await file?.close();
  }
}

const PIECE = 1 << 14;

function bombProblem(what: string): FileProblem {
  return new FileProblem(`${what} (zip bomb or damaged archive?); expected an ordinary ZIP whose entries are the sizes they declare`);
}

/** An entry's bytes as stored; throws FileProblem when it is encrypted, compressed otherwise than stored or deflate, or not found. */
function storedBytes(zip: Uint8Array, e: ZipEntry): Uint8Array {
  if (e.encrypted) throw new FileProblem(`"${e.name}" in the ZIP is encrypted; expected an archive without a password`);
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const lh = e.localOffset;
  if (lh + 30 > zip.length || view.getUint32(lh, true) !== 0x04034b50) throw new FileProblem(`corrupt ZIP: local header of "${e.name}" not found`);
  if (e.compression !== 0 && e.compression !== 8) throw new FileProblem(`"${e.name}" uses ZIP compression method ${e.compression}; expected stored or deflate`);
  const start = lh + 30 + view.getUint16(lh + 26, true) + view.getUint16(lh + 28, true);
  return zip.subarray(start, start + e.compressedSize);
}

const overDeclared = (e: ZipEntry) => bombProblem(`the ZIP expands to more than its headers declare ("${e.name}": over ${e.size} bytes)`);

/**
 * Inflates one entry in 16 KiB pieces, handing each piece to `sink`; throws FileProblem when the entry is encrypted
 * or unsupported, or inflates past its declared size (zip bombs lie about sizes) or past `room`, what is left of `cap`.
 */
function inflateEntry(zip: Uint8Array, e: ZipEntry, room: number, cap: number, sink: (piece: Uint8Array) => void): number {
  const data = storedBytes(zip, e);
  if (e.compression === 0) {
    if (data.length > room) throw bombProblem(`the ZIP expands to more than ${Math.round(cap / 1024 ** 2)} MB`);
    sink(data);
    return data.length;
  }
  let size = 0;
  const inflate = new Inflate((chunk) => {
    size += chunk.length;
    if (size > e.size) throw overDeclared(e);
    if (size > room) throw bombProblem(`the ZIP expands to more than ${Math.round(cap / 1024 ** 2)} MB`);
    sink(chunk);
  });
  try {
    // Small input pieces keep each inflated piece small too: a bomb inflates ~1000× per piece before the check.
    for (let o = 0; o < data.length; o += PIECE) inflate.push(data.subarray(o, Math.min(data.length, o + PIECE)), o + PIECE >= data.length);
    if (data.length === 0) inflate.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof FileProblem) throw err;
    throw new FileProblem(`"${e.name}" in the ZIP cannot be inflated: ${(err as Error).message}`);
  }
  return size;
}

/** Throws FileProblem when the entries declare more than `cap` bytes in all. */
export function checkDeclared(entries: ZipEntry[], cap = DEFAULT_UNZIP_CAP): void {
  const declared = entries.reduce((sum, e) => sum + e.size, 0);
  if (declared > cap) {
    throw bombProblem(`the ZIP expands to more than ${Math.round(cap / 1024 ** 2)} MB (its entries declare ${Math.round(declared / 1024 ** 2)} MB)`);
  }
}

/** Extracts the given entries; throws FileProblem when encrypted, unsupported, lying about sizes or past `cap` bytes in total. */
export function extract(zip: Uint8Array, entries: ZipEntry[], cap = DEFAULT_UNZIP_CAP): Map<string, Uint8Array> {
  checkDeclared(entries, cap);
  const out = new Map<string, Uint8Array>();
  let total = 0;
  for (const e of entries) {
    const pieces: Uint8Array[] = [];
    total += inflateEntry(zip, e, cap - total, cap, (p) => pieces.push(p));
    out.set(e.name, pieces.length === 1 ? pieces[0] : Buffer.concat(pieces));
  }
  return out;
}

/**
 * One entry inflated by zlib on libuv's threads while the caller reads the pieces before (for entries of hundreds
 * of megabytes: an XLSX sheet), with the checks `extract` makes of it. `read` is the share of its stored bytes
 * inflated so far. Once checkDeclared has passed, entries that inflate to no more than they declare stay under the cap.
 */
export async function* inflatePieces(zip: Uint8Array, e: ZipEntry, pieceBytes = 1 << 18): AsyncGenerator<{ piece: Uint8Array; read: number }> {
  const data = storedBytes(zip, e);
  if (e.compression === 0) {
    if (data.length > e.size) throw overDeclared(e);
    for (let o = 0; o < data.length; o += pieceBytes) yield { piece: data.subarray(o, o + pieceBytes), read: Math.min(1, (o + pieceBytes) / data.length) };
    return;
  }
  const inflate = createInflateRaw({ chunkSize: pieceBytes });
  inflate.end(data);
  let size = 0;
  try {
    for await (const piece of inflate as AsyncIterable<Buffer>) {
      size += piece.length;
      if (size > e.size) throw overDeclared(e);
      yield { piece, read: data.length ? inflate.bytesWritten / data.length : 1 };
    }
  } catch (err) {
    if (err instanceof FileProblem) throw err;
    throw new FileProblem(`"${e.name}" in the ZIP cannot be inflated: ${(err as Error).message}`);
  } finally {
    inflate.destroy();
  }
}
