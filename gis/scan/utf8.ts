// UTF-8 bytes to JavaScript strings without TextDecoder (not in the core's ES2022 lib). Invalid sequences
// become U+FFFD per maximal subpart, as Node's and the WHATWG decoders do, so results match readFileSync + JSON.parse.

const REPLACEMENT = 0xfffd;
let units = new Uint16Array(1024);

/** Appends the UTF-16 units of b[start, end) to the scratch buffer at `n`; returns the new length. */
export function decodeInto(b: Uint8Array, start: number, end: number, n: number): number {
  if (units.length < n + (end - start)) growUnits(n + (end - start));
  const u = units;
  let i = start;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      u[n++] = c;
      i++;
      continue;
    }
    let need: number, cp: number, lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2; cp = c & 0x0f;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3; cp = c & 0x07;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else {
      u[n++] = REPLACEMENT;
      i++;
      continue;
    }
    i++;
    let ok = true;
    for (let k = 0; k < need; k++) {
      const d = i < end ? b[i] : -1;
      if (d < lo || d > hi) {
        ok = false;
        break;
      }
      lo = 0x80;
      hi = 0xbf;
      cp = (cp << 6) | (d & 0x3f);
      i++;
    }
    if (!ok) u[n++] = REPLACEMENT;
    else if (cp >= 0x10000) {
      cp -= 0x10000;
      u[n++] = 0xd800 + (cp >> 10);
      u[n++] = 0xdc00 + (cp & 0x3ff);
    } else u[n++] = cp;
  }
  return n;
}

/** Appends one UTF-16 unit to the scratch buffer at `n`; returns the new length. */
export function pushUnit(unit: number, n: number): number {
  if (n >= units.length) growUnits(n + 1);
  units[n] = unit;
  return n + 1;
}

/** The string of scratch units [0, n). */
export function unitsToString(n: number): string {
  if (n <= SHORT) return shortString(units, 0, n);
  if (n <= 4096) return String.fromCharCode.apply(null, units.subarray(0, n) as unknown as number[]);
  let s = '';
  for (let i = 0; i < n; i += 4096) {
    s += String.fromCharCode.apply(null, units.subarray(i, Math.min(n, i + 4096)) as unknown as number[]);
  }
  return s;
}

/** Decodes b[start, end) as UTF-8. */
export function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  return unitsToString(decodeInto(b, start, end, 0));
}

/** UTF-16 length of b[start, end), as a column count in a JavaScript string would see it. */
export function utf16Length(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c < 0x80 || c >= 0xc0) n += c >= 0xf0 ? 2 : 1;
  }
  return n;
}

function growUnits(size: number): void {
  const next = new Uint16Array(Math.max(size, units.length * 2));
  next.set(units);
  units = next;
}

/** Up to this many code units, shortString() beats apply() over a typed array (no view, no array-like walk). */
export const SHORT = 16;

/**
 * The string of code units a[start, end), at most SHORT of them: String.fromCharCode with its arguments written
 * out runs several times faster than fromCharCode.apply() over a typed array for names and ids this short.
 */
export function shortString(a: Uint8Array | Uint16Array, start: number, end: number): string {
  let s = '';
  let k = start;
  for (; end - k >= 8; k += 8) s += String.fromCharCode(a[k], a[k + 1], a[k + 2], a[k + 3], a[k + 4], a[k + 5], a[k + 6], a[k + 7]);
  if (end - k >= 4) {
    s += String.fromCharCode(a[k], a[k + 1], a[k + 2], a[k + 3]);
    k += 4;
  }
  if (end - k >= 2) {
    s += String.fromCharCode(a[k], a[k + 1]);
    k += 2;
  }
  if (k < end) s += String.fromCharCode(a[k]);
  return s;
}
