// A pending report's settlement list as JSON bytes, straight from its columns: byte for byte what
// JSON.stringify(settlementResults(...)) gives, without an object or a string per settlement. The list is the
// bulk of a report file (~350 bytes a settlement), and stringifying objects of UTF-16 strings, then flattening
// and encoding the text, was most of the time spent writing it.
import { maskOperators, type SettlementColumns, type SettlementResult } from '../gis';

/** Bytes of a row besides its strings: members, booleans, operator lists and three numbers (≤ 25 bytes each). */
const ROW_FIXED = 512;
/** A string's JSON can take 6 bytes per UTF-16 unit (\u001f); UTF-8 takes at most 3. */
const PER_UNIT = 6;

const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');
/** The members between `key` (exclusive) and the next string-valued one, as JSON.stringify writes them. */
const between = (members: Partial<SettlementResult>): string => JSON.stringify(members).slice(1, -1);

const OPEN_ID = ascii('{"id":');
const NAME = ascii(',"name":');
const HOUSEHOLDS = ascii(',"households":');
const COUNTY = ascii(',"county":');
const TOWNSHIP = ascii(',"township":');
const VILLAGE = ascii(',"village":');
const COMMITTEE = [false, true].map((committee) => ascii(`,${between({ committee })}`));
const CODE = ascii(',"code":');
const LON = ascii(',"lon":');
const LAT = ascii(',"lat":');
const ELIGIBLE = [false, true].map((eligible) => ascii(`,${between({ eligible })}`));
const MOBILE = Array.from({ length: 256 }, (_, m) => ascii(`,${between({ mobile: m !== 0, mobileOperators: maskOperators(m) })}`));
const BROADBAND = Array.from({ length: 256 }, (_, m) => ascii(`,${between({ broadband: m !== 0, broadbandOperators: maskOperators(m) })}`));
/** Indexed by listed * 2 + focus. */
const CLOSE = [0, 1, 2, 3].map((k) => ascii(`,${between({ listed: k >= 2, focusCounty: k % 2 === 1 })}}`));

/**
 * Encodes settlements [from, to) of `c` as the items of a JSON array (comma-separated, no brackets) into a
 * reused buffer, handing each full buffer to `write`, which must be done with it when it returns.
 */
export function encodeSettlementList(
  c: SettlementColumns,
  minHouseholds: number,
  write: (bytes: Uint8Array) => void,
  from = 0,
  to = c.count,
  bufferBytes = 1 << 20,
): void {
  if (!(from >= 0 && from <= to && to <= c.count)) throw new RangeError(`encodeSettlementList: range ${from}..${to} outside 0..${c.count}`);
  let out = Buffer.allocUnsafe(bufferBytes);
  let p = 0;
  for (let i = from; i < to; i++) {
    const id = c.id[i], name = c.name[i], county = c.county[i], township = c.township[i], village = c.village[i], code = c.code[i];
    const bound = ROW_FIXED + PER_UNIT * (id.length + name.length + county.length + township.length + village.length + (code ? code.length : 0));
    if (p + bound > out.length) {
      if (p > 0) write(out.subarray(0, p));
      p = 0;
      if (bound > out.length) out = Buffer.allocUnsafe(bound);
    }
    if (i > from) out[p++] = 0x2c;
    const hh = c.households[i];
    p = put(OPEN_ID, out, p);
    p = putString(id, out, p);
    p = put(NAME, out, p);
    p = putString(name, out, p);
    p = put(HOUSEHOLDS, out, p);
    p = putNumber(hh, out, p);
    p = put(COUNTY, out, p);
    p = putString(county, out, p);
    p = put(TOWNSHIP, out, p);
    p = putString(township, out, p);
    p = put(VILLAGE, out, p);
    p = putString(village, out, p);
    p = put(COMMITTEE[c.committee[i] === 1 ? 1 : 0], out, p);
    // settlementResults leaves out an empty code as well as a missing one.
    if (code) {
      p = put(CODE, out, p);
      p = putString(code, out, p);
    }
    p = put(LON, out, p);
    p = putNumber(c.lon[i], out, p);
    p = put(LAT, out, p);
    p = putNumber(c.lat[i], out, p);
    p = put(ELIGIBLE[hh >= minHouseholds ? 1 : 0], out, p);
    p = put(MOBILE[c.mobile[i]], out, p);
    p = put(BROADBAND[c.broadband[i]], out, p);
    p = put(CLOSE[(c.listed[i] === 1 ? 2 : 0) + (c.focus[i] === 1 ? 1 : 0)], out, p);
  }
  if (p > 0) write(out.subarray(0, p));
}

function put(bytes: Uint8Array, out: Uint8Array, p: number): number {
  for (let k = 0; k < bytes.length; k++) out[p + k] = bytes[k];
  return p + bytes.length;
}

/**
 * A string as JSON.stringify writes it, in UTF-8, encoded here: a native call per string cost more than the
 * encoding of a village name. Escapes and lone surrogates, rare in names and codes, are left to JSON.stringify.
 */
function putString(s: string, out: Buffer, p: number): number {
  const start = p;
  out[p++] = 0x22;
  for (let k = 0, n = s.length; k < n; k++) {
    const u = s.charCodeAt(k);
    if (u < 0x80) {
      if (u < 0x20 || u === 0x22 || u === 0x5c) return start + out.write(JSON.stringify(s), start);
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
      if (u > 0xdbff || low < 0xdc00 || low > 0xdfff) return start + out.write(JSON.stringify(s), start);
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

/**
 * A number as JSON.stringify writes it. Coordinates and household counts have six decimals or fewer: their digits
 * are written here, without a string per number. For such a value String(v) gives exactly these digits: two
 * decimals of six places differ by at least 1e-6, more than twice a double's spacing below 1e9, so no shorter
 * decimal reads back as v. (Below 1e-6, where String would write an exponent, only 0 has six decimals.)
 */
function putNumber(v: number, out: Uint8Array, p: number): number {
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
