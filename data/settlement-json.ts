// A pending report's settlement list as JSON bytes, straight from its columns: byte for byte what
// JSON.stringify(settlementResults(...)) gives, without an object or a string per settlement. The list is the
// bulk of a report file (~350 bytes a settlement), and stringifying objects of UTF-16 strings, then flattening
// and encoding the text, was most of the time spent writing it.
import { maskOperators, type SettlementColumns, type SettlementResult } from '../gis';
import { ascii, put, putNumber, putString, stringBound } from '../gis/json-bytes';

/** Bytes of a row besides its strings: members, booleans, operator lists and three numbers (≤ 25 bytes each). */
const ROW_FIXED = 512;
/** Bytes of the first output buffer (see encodeSettlementList). */
const FIRST_BUFFER = 8192;
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
  // The first buffer is small, so that the first flush comes while the loop is still interpreted: a first flush
  // in optimized code met a branch without type feedback, deoptimized, and had this loop compiled again (~16 ms at M).
  let out = Buffer.allocUnsafe(Math.min(bufferBytes, FIRST_BUFFER));
  let p = 0;
  for (let i = from; i < to; i++) {
    const id = c.id[i], name = c.name[i], county = c.county[i], township = c.township[i], village = c.village[i], code = c.code[i];
    const bound = ROW_FIXED + stringBound(id.length + name.length + county.length + township.length + village.length + (code ? code.length : 0));
    if (p + bound > out.length) {
      if (p > 0) write(out.subarray(0, p));
      p = 0;
      const size = Math.max(bufferBytes, bound);
      if (size > out.length) out = Buffer.allocUnsafe(size);
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
