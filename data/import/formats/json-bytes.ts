// One JSON value parsed straight from UTF-8 bytes, for what GeoJSON features are made of: the import reader's
// fast path. Decoding each feature to a string and JSON.parse-ing it took ~40 % of a large import's reading thread;
// here keys and repeated values (county, township, operator…) come from the previous feature or a small cache of
// strings without decoding, and plain decimals become numbers without a string. The result equals JSON.parse of the
// bytes decoded as UTF-8. Strings with escapes, a "__proto__" key, nesting past the caller's limit and anything
// that is not valid JSON give up (UNSUPPORTED): the caller then decodes the text and JSON.parse-s it as before,
// which also words any error.
import { latin1Slice, utf8Slice } from '../encoding';

/** The value parsed by the last successful parseJsonValue call. */
export let parsedValue: unknown = undefined;
/** Line feeds (outside strings) met by the last successful call. */
export let parsedLines = 0;

/** parseJsonValue's answer when the bytes end before the value does. */
export const MORE = -1;
/** parseJsonValue's answer for input it does not handle (or not valid JSON). */
export const UNSUPPORTED = -2;

const Q = 0x22, BS = 0x5c, LB = 0x7b, RB = 0x7d, LS = 0x5b, RS = 0x5d, COMMA = 0x2c, COLON = 0x3a, NL = 0x0a;
const MINUS = 0x2d, DOT = 0x2e, D0 = 0x30, D9 = 0x39;


/** Exact powers of ten: m / POW10[f] is the correctly rounded value of a decimal with m < 2^53 and f <= 22. */
const POW10: number[] = [];
for (let k = 0, p = 1; k <= 22; k++, p *= 10) POW10.push(p);

// Strings up to KEY_BYTES bytes, cached by their bytes in a direct-mapped table (a miss decodes and replaces).
const SLOTS = 4096;
const KEY_BYTES = 32;
const cacheBytes = new Uint8Array(SLOTS * KEY_BYTES);
const cacheLength = new Int8Array(SLOTS).fill(-1);
const cacheString: string[] = new Array<string>(SLOTS).fill('');
// The strings of the previous value by their order in it (its first ORDINALS strings).
const ORDINALS = 64;
const lastBytes = new Uint8Array(ORDINALS * KEY_BYTES);
const lastLength = new Int8Array(ORDINALS).fill(-1);
const lastString: string[] = new Array<string>(ORDINALS).fill('');
/** Bytes that end the run of a plain string: the closing quote, a backslash, control characters (invalid). */
const STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STOP[c] = 1;
STOP[Q] = 1;
STOP[BS] = 1;

// The parser's state. `var`, not `let`: V8 checks a module-level `let` for its temporal dead zone at every read from
// a function, and these are read for every byte run; ~8 % of the parse of a 300 MB points file (2 shared cores).
/* eslint-disable no-var */
var bytes: Uint8Array = new Uint8Array(0);
var pos = 0;
var end = 0;
var lines = 0;
var depthLeft = 0;
/** Strings met so far in the value being parsed. */
var seq = 0;
/** Why the last parse stopped: MORE or UNSUPPORTED. */
var failure = UNSUPPORTED;
/* eslint-enable no-var */

/**
 * Parses the JSON value starting at b[start] (no leading whitespace) and ending before b[limit]: returns the index
 * just after it (the value is then in parsedValue, the line feeds crossed in parsedLines), MORE when the bytes end
 * first, or UNSUPPORTED. Nesting deeper than maxDepth is UNSUPPORTED (the caller's scanner reports it).
 */
export function parseJsonValue(b: Uint8Array, start: number, limit: number, maxDepth: number): number {
  bytes = b;
  pos = start;
  end = limit;
  lines = 0;
  seq = 0;
  depthLeft = maxDepth;
  failure = UNSUPPORTED;
  const v = value();
  bytes = EMPTY;
  if (v === FAIL) return failure;
  parsedValue = v;
  parsedLines = lines;
  return pos;
}

const EMPTY = new Uint8Array(0);
/** Returned by the parsing functions when they give up (failure says why). */
const FAIL: unique symbol = Symbol('fail');

function more(): typeof FAIL {
  failure = MORE;
  return FAIL;
}

/** Skips whitespace; false when the bytes end first. */
function skip(): boolean {
  const b = bytes;
  let p = pos;
  // Compact files: no whitespace at all between tokens.
  if (p < end && b[p] > 0x20) return true;
  for (; p < end; p++) {
    const c = b[p];
    if (c === NL) lines++;
    else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
  }
  pos = p;
  return p < end;
}

function value(): unknown {
  if (pos >= end) return more();
  const c = bytes[pos];
  if (c === Q) return string();
  if (c === LB) return object();
  if (c === LS) return array();
  if ((c >= D0 && c <= D9) || c === MINUS) return number();
  if (c === 0x74) return literal('true', true);
  if (c === 0x66) return literal('false', false);
  if (c === 0x6e) return literal('null', null);
  return FAIL;
}

function literal(word: string, v: boolean | null): unknown {
  for (let k = 0; k < word.length; k++, pos++) {
    if (pos >= end) return more();
    if (bytes[pos] !== word.charCodeAt(k)) return FAIL;
  }
  return v;
}

function object(): unknown {
  if (--depthLeft < 0) return FAIL;
  pos++;
  const o: Record<string, unknown> = {};
  if (!skip()) return more();
  if (bytes[pos] === RB) {
    pos++;
    depthLeft++;
    return o;
  }
  while (true) {
    if (bytes[pos] !== Q) return FAIL;
    const key = string();
    if (key === FAIL) return FAIL;
    // An assignment would set the prototype where JSON.parse makes an own property.
    if (key === '__proto__') return FAIL;
    if (!skip()) return more();
    if (bytes[pos] !== COLON) return FAIL;
    pos++;
    if (!skip()) return more();
    const v = value();
    if (v === FAIL) return FAIL;
    o[key as string] = v;
    if (!skip()) return more();
    const c = bytes[pos++];
    if (c === RB) break;
    if (c !== COMMA) return FAIL;
    if (!skip()) return more();
  }
  depthLeft++;
  return o;
}

function array(): unknown {
  if (--depthLeft < 0) return FAIL;
  pos++;
  if (!skip()) return more();
  if (bytes[pos] === RS) {
    pos++;
    depthLeft++;
    return [];
  }
  const first = value();
  if (first === FAIL) return FAIL;
  let a: unknown[];
  if (typeof first === 'number' && pos < end && bytes[pos] === COMMA) {
    // A position [x, y]: made at its size (an array pushed to keeps room for 16 more numbers, and polygons have
    // millions of positions).
    pos++;
    if (!skip()) return more();
    const second = value();
    if (second === FAIL) return FAIL;
    if (!skip()) return more();
    if (bytes[pos] === RS) {
      pos++;
      depthLeft++;
      return [first, second];
    }
    a = [first, second];
  } else {
    a = [first];
    if (!skip()) return more();
  }
  while (true) {
    const c = bytes[pos++];
    if (c === RS) break;
    if (c !== COMMA) return FAIL;
    if (!skip()) return more();
    const v = value();
    if (v === FAIL) return FAIL;
    a.push(v);
    if (!skip()) return more();
  }
  depthLeft++;
  return a;
}

/**
 * A string without escapes (they are rare in GeoJSON; JSON.parse takes those features). First compared with the
 * string met at the same place in the previous value (features repeat their keys and many values in order), then
 * looked up in the cache, then decoded.
 */
function string(): unknown {
  const b = bytes;
  const stop = end;
  const from = pos + 1;
  const ordinal = seq++;
  if (ordinal < ORDINALS) {
    const len = lastLength[ordinal];
    if (len >= 0 && from + len < stop && b[from + len] === Q) {
      const last = lastBytes;
      const at = ordinal * KEY_BYTES - from;
      let k = from + len - 1;
      // From the end: numbered names and ids differ there.
      while (k >= from && b[k] === last[at + k]) k--;
      if (k < from) {
        pos = from + len + 1;
        return lastString[ordinal];
      }
    }
  }
  let p = from;
  let or = 0;
  for (; p < stop; p++) {
    const c = b[p];
    if (STOP[c] !== 0) break;
    or |= c;
  }
  pos = p;
  if (p >= stop) return more();
  if (b[p] !== Q) return FAIL; // a backslash or a control character
  pos++;
  const n = p - from;
  const ascii = or < 0x80;
  if (n > KEY_BYTES || n === 0) return n === 0 ? '' : ascii ? latin1Slice.call(b, from, p) : utf8Slice.call(b, from, p);
  // The slot from the length, the first byte and the last four (where ids and numbered names differ), mixed.
  const tail = n >= 4 ? (b[p - 4] << 24 | b[p - 3] << 16 | b[p - 2] << 8 | b[p - 1]) : (b[p - 1] << 8 | b[from + (n >> 1)]);
  const h = Math.imul(Math.imul(tail, 0x9e3779b1) ^ (n << 8 | b[from]), 0x85ebca6b);
  const slot = (h ^ (h >>> 16)) & (SLOTS - 1);
  const at = slot * KEY_BYTES;
  let s: string;
  let k = 0;
  if (cacheLength[slot] === n) while (k < n && cacheBytes[at + k] === b[from + k]) k++;
  if (k === n && cacheLength[slot] === n) s = cacheString[slot];
  else {
    s = ascii ? latin1Slice.call(b, from, p) : utf8Slice.call(b, from, p);
    for (k = 0; k < n; k++) cacheBytes[at + k] = b[from + k];
    cacheLength[slot] = n;
    cacheString[slot] = s;
  }
  if (ordinal < ORDINALS) {
    const last = ordinal * KEY_BYTES;
    for (k = 0; k < n; k++) lastBytes[last + k] = b[from + k];
    lastLength[ordinal] = n;
    lastString[ordinal] = s;
  }
  return s;
}

/**
 * A JSON number. Up to 15 significant digits and no exponent: the digits as an integer divided by a power of ten,
 * both exact, so the quotient is the correctly rounded value JSON.parse gives. Longer ones and exponents: Number().
 */
function number(): unknown {
  // Locals, and pos written once: module variables stored in a loop are not kept in registers.
  const b = bytes;
  const stop = end;
  const from = pos;
  let p = from;
  let negative = false;
  if (b[p] === MINUS) {
    negative = true;
    p++;
  }
  if (p >= stop) return more();
  let m = 0;
  let digits = 0;
  let c = b[p];
  if (c === D0) {
    p++;
    digits = 1;
  } else if (c > D0 && c <= D9) {
    for (; p < stop; p++) {
      c = b[p];
      if (c < D0 || c > D9) break;
      m = m * 10 + (c - D0);
      digits++;
    }
  } else {
    pos = p;
    return FAIL;
  }
  if (p >= stop) return more();
  let fraction = 0;
  if (b[p] === DOT) {
    const first = ++p;
    for (; p < stop; p++) {
      c = b[p];
      if (c < D0 || c > D9) break;
      m = m * 10 + (c - D0);
    }
    if (p >= stop) return more();
    fraction = p - first;
    if (fraction === 0) {
      pos = p;
      return FAIL;
    }
    digits += fraction;
  }
  c = b[p];
  if (c === 0x65 || c === 0x45) {
    p++;
    if (p < stop && (b[p] === 0x2b || b[p] === MINUS)) p++;
    const first = p;
    while (p < stop && (c = b[p]) >= D0 && c <= D9) p++;
    pos = p;
    if (p >= stop) return more();
    if (p === first) return FAIL;
    return Number(latin1Slice.call(b, from, p));
  }
  pos = p;
  if (digits > 15) return Number(latin1Slice.call(b, from, p));
  const v = fraction === 0 ? m : m / POW10[fraction];
  return negative ? -v : v;
}
