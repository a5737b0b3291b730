// JSON written as UTF-8 bytes into a caller's buffer, value by value, byte for byte as JSON.stringify would:
// for report parts (the settlement list, the rates) too large to build as objects and strings first. Each
// function writes at `p` and returns the position after what it wrote; the caller makes room beforehand.

/** The bytes of a text of code units below 0x100 (member names, punctuation). */
export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let k = 0; k < text.length; k++) out[k] = text.charCodeAt(k);
  return out;
}

/**
 * Copies `bytes` to out[p]. Longer than 8 bytes (member names with their values, operator lists), a native copy:
 * the L report's settlement list (170 MB) took 230 ms instead of 310 ms copied byte by byte; shorter, a loop beats
 * the call.
 */
export function put(bytes: Uint8Array, out: Uint8Array, p: number): number {
  const n = bytes.length;
  if (n > 8) out.set(bytes, p);
  else for (let k = 0; k < n; k++) out[p + k] = bytes[k];
  return p + n;
}

/** The most bytes putString() writes for a string of `units` UTF-16 units: \u001f takes 6 bytes per unit. */
export function stringBound(units: number): number {
  return 2 + 6 * units;
}

/**
 * A string as JSON.stringify writes it, in UTF-8, encoded here: a native call per string cost more than the
 * encoding of a village name. Escapes and lone surrogates, rare in names and codes, are left to JSON.stringify.
 */
export function putString(s: string, out: Uint8Array, p: number): number {
  const start = p;
  out[p++] = 0x22;
  for (let k = 0, n = s.length; k < n; k++) {
    const u = s.charCodeAt(k);
    if (u < 0x80) {
      if (u < 0x20 || u === 0x22 || u === 0x5c) return putUtf8(JSON.stringify(s), out, start);
      out[p++] = u;
    } else if (u < 0x800) {
      out[p++] = 0xc0 | (u >> 6);
      out[p++] = 0x80 | (u & 0x3f);
    } else if (u < 0xd800 || u > 0xdfff) {
      out[p++] = 0xe0 | (u >> 12);
      out[p++] = 0x80 | ((u >> 6) & 0x3f);
      out[p++] = 0x80 | (u & 0x3f);
    } else {
      const low = k + 1 < n ? s.charCodeAt(k + 1) : 0;
      if (u > 0xdbff || low < 0xdc00 || low > 0xdfff) return putUtf8(JSON.stringify(s), out, start);
      const cp = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
      out[p++] = 0xf0 | (cp >> 18);
      out[p++] = 0x80 | ((cp >> 12) & 0x3f);
      out[p++] = 0x80 | ((cp >> 6) & 0x3f);
      out[p++] = 0x80 | (cp & 0x3f);
      k++;
    }
  }
  out[p++] = 0x22;
  return p;
}

/** JSON text (well-formed: no lone surrogate) in UTF-8. */
function putUtf8(text: string, out: Uint8Array, p: number): number {
  for (let k = 0; k < text.length; k++) {
    const cp = text.codePointAt(k)!;
    if (cp < 0x80) out[p++] = cp;
    else if (cp < 0x800) {
      out[p++] = 0xc0 | (cp >> 6);
      out[p++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      out[p++] = 0xe0 | (cp >> 12);
      out[p++] = 0x80 | ((cp >> 6) & 0x3f);
      out[p++] = 0x80 | (cp & 0x3f);
    } else {
      out[p++] = 0xf0 | (cp >> 18);
      out[p++] = 0x80 | ((cp >> 12) & 0x3f);
      out[p++] = 0x80 | ((cp >> 6) & 0x3f);
      out[p++] = 0x80 | (cp & 0x3f);
      k++;
    }
  }
  return p;
}

/** The most bytes putNumber() writes: String(v) of a double is at most 25 characters (-1.2345678901234567e-300). */
export const NUMBER_BOUND = 25;

/**
 * A number as JSON.stringify writes it. Coordinates and counts have six decimals or fewer: their digits are
 * written here, without a string per number. For such a value String(v) gives exactly these digits: two
 * decimals of six places differ by at least 1e-6, more than twice a double's spacing below 1e9, so no shorter
 * decimal reads back as v. (Below 1e-6, where String would write an exponent, only 0 has six decimals.)
 */
export function putNumber(v: number, out: Uint8Array, p: number): number {
  const a = v < 0 ? -v : v;
  if (a < 1e9) {
    const k = Math.round(a * 1e6);
    if (k / 1e6 === a) {
      if (v < 0) out[p++] = 0x2d;
      let frac = k % 1e6;
      p = putDigits((k - frac) / 1e6, out, p);
      if (frac !== 0) {
        out[p++] = 0x2e;
        let places = 6;
        while (frac % 10 === 0) {
          frac /= 10;
          places--;
        }
        for (let d = places - 1; d >= 0; d--, frac = (frac - (frac % 10)) / 10) out[p + d] = 0x30 + (frac % 10);
        p += places;
      }
      return p;
    }
  }
  const text = Number.isFinite(v) ? String(v) : 'null';
  for (let k = 0; k < text.length; k++) out[p + k] = text.charCodeAt(k);
  return p + text.length;
}

/** A whole number 0 <= n < 1e9 in decimal. */
function putDigits(n: number, out: Uint8Array, p: number): number {
  let len = 1;
  for (let m = n; m >= 10; m = (m - (m % 10)) / 10) len++;
  for (let d = len - 1; d >= 0; d--, n = (n - (n % 10)) / 10) out[p + d] = 0x30 + (n % 10);
  return p + len;
}

/** The bytes of `text` followed by JSON.stringify(value), for constant fragments that hold a string. */
export function jsonFragment(text: string, value: string): Uint8Array {
  const out = new Uint8Array(text.length + stringBound(value.length));
  return out.slice(0, putString(value, out, put(ascii(text), out, 0)));
}
