// Recursive-descent JSON over a byte range, for one unit (a feature, a member value) at a time. Running out
// of bytes before the unit ends throws INCOMPLETE so the caller can retry with more; syntax errors throw
// ScanSyntaxError with the byte index. Coordinates go to PackedCoordinates, everything else to plain values.
import { PackedCoordinates } from './coordinates';
import { decodeInto, pushUnit, SHORT, shortString, unitsToString } from './utf8';

/** Thrown when the bytes end inside the unit being parsed and more input may follow. */
export const INCOMPLETE = { incomplete: true } as const;

export type SyntaxKind = 'syntax' | 'nan' | 'depth';

export class ScanSyntaxError {
  constructor(readonly at: number, readonly kind: SyntaxKind, readonly detail = '') {}
}

/** Deepest nesting accepted; deeper input is rejected rather than risking the stack. */
export const MAX_DEPTH = 512;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

const KEY_SLOTS = 1024;
const KEY_MASK = KEY_SLOTS - 1;
const CACHE_SLOTS = 8192;
const CACHE_MASK = CACHE_SLOTS - 1;
/** Longest string (in bytes) kept in the cache. */
const CACHE_WIDTH = 48;

const Q = 0x22, BS = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACK = 0x5b, RBRACK = 0x5d, COMMA = 0x2c, COLON = 0x3a, MINUS = 0x2d;

/** A feature as the scanner hands it to the validators: geometry.coordinates is a PackedCoordinates node. */
export interface ScannedFeature {
  type?: unknown;
  id?: unknown;
  properties?: unknown;
  geometry?: unknown;
}

export class ByteParser {
  b: Uint8Array = new Uint8Array(0);
  p = 0;
  end = 0;
  /** True when no byte follows `end`: running out is then a syntax error, not INCOMPLETE. */
  final = false;
  readonly coords = new PackedCoordinates();
  /** Property names kept in features' properties; others are checked as JSON and skipped. Null keeps all. */
  keep: ReadonlySet<string> | null = null;
  // Filled so that they start as arrays of any value, not of small integers: a parser per file, and each array
  // changing kind at its first string had the code optimized for the previous file's arrays thrown away.
  /** Member names by hash, direct-mapped: a file repeats a few names on every feature. */
  private readonly keys: (string | undefined)[] = new Array(KEY_SLOTS).fill(undefined);
  /** By a name's slot, the name read after it last time, and that name's slot. */
  private readonly nextKeys: (string | undefined)[] = new Array(KEY_SLOTS).fill(undefined);
  private readonly nextSlots = new Int32Array(KEY_SLOTS);
  private prevSlot = 0;
  private readonly cacheStrings: (string | undefined)[] = new Array(CACHE_SLOTS).fill(undefined);
  private readonly cacheLengths = new Uint8Array(CACHE_SLOTS);
  private readonly cacheBytes = new Uint8Array(CACHE_SLOTS * CACHE_WIDTH);

  set(b: Uint8Array, p: number, end: number, final: boolean): void {
    this.b = b;
    this.p = p;
    this.end = end;
    this.final = final;
  }

  /** Newlines passed so far, and the buffer index where the current line starts (-1: before the buffer). */
  lines = 0;
  lineStart = 0;

  /** Skips whitespace (counting lines: JSON has newlines nowhere else); returns the next byte, not consumed. */
  peek(): number {
    const b = this.b, end = this.end;
    let p = this.p;
    while (p < end) {
      const c = b[p];
      if (c !== 0x20 && c !== 0x0d && c !== 0x09) {
        if (c !== 0x0a) {
          this.p = p;
          return c;
        }
        this.lines++;
        this.lineStart = p + 1;
      }
      p++;
    }
    this.p = p;
    return this.out();
  }

  /** Called at the end of the bytes: INCOMPLETE, or a syntax error when the input has ended. */
  out(): never {
    if (this.final) throw new ScanSyntaxError(this.end, 'syntax', 'unexpected end of input');
    throw INCOMPLETE;
  }

  expect(c: number): void {
    if (this.peek() !== c) throw new ScanSyntaxError(this.p, 'syntax');
    this.p++;
  }

  /** Any JSON value as JavaScript would have it from JSON.parse. */
  value(depth: number): unknown {
    const c = this.peek();
    if (c === Q) return this.string();
    if (c === LBRACE) return this.object(depth + 1);
    if (c === LBRACK) return this.array(depth + 1);
    if (c === MINUS || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.literal();
  }

  /** A feature object, with its geometry's coordinates packed; anything else falls back to value(). */
  feature(): unknown {
    if (this.peek() !== LBRACE) return this.value(1);
    this.p++;
    this.coords.reset();
    const f: ScannedFeature = {};
    if (this.peek() === RBRACE) {
      this.p++;
      return f;
    }
    for (;;) {
      const key = this.key();
      this.expect(COLON);
      if (key === 'geometry') f.geometry = this.peek() === LBRACE ? this.geometry(2) : this.value(1);
      else if (key === 'properties') f.properties = this.keep && this.peek() === LBRACE ? this.properties(this.keep) : this.value(1);
      else if (key === 'type') f.type = this.value(1);
      else if (key === 'id') f.id = this.value(1);
      else this.value(1);
      if (this.endOfMembers(RBRACE)) return f;
    }
  }

  /** A properties object holding only the members named in `keep`. */
  private properties(keep: ReadonlySet<string>): Record<string, unknown> {
    this.p++;
    const o: Record<string, unknown> = {};
    if (this.peek() === RBRACE) {
      this.p++;
      return o;
    }
    for (;;) {
      const key = this.key();
      this.expect(COLON);
      if (keep.has(key)) o[key] = this.value(2);
      else this.skip(2);
      if (this.endOfMembers(RBRACE)) return o;
    }
  }

  /** Checks one JSON value and moves past it without building it. */
  skip(depth: number): void {
    const c = this.peek();
    if (c === Q) this.skipString();
    else if (c === MINUS || (c >= 0x30 && c <= 0x39)) this.number();
    else if (c === LBRACE || c === LBRACK) {
      if (depth + 1 > MAX_DEPTH) throw new ScanSyntaxError(this.p, 'depth');
      this.p++;
      const close = c === LBRACE ? RBRACE : RBRACK;
      if (this.peek() === close) {
        this.p++;
        return;
      }
      for (;;) {
        if (c === LBRACE) {
          if (this.peek() !== Q) throw new ScanSyntaxError(this.p, 'syntax');
          this.skipString();
          this.expect(COLON);
        }
        this.skip(depth + 1);
        if (this.endOfMembers(close)) return;
      }
    } else this.literal();
  }

  private skipString(): void {
    const b = this.b, end = this.end;
    let i = this.p + 1;
    for (;;) {
      if (i >= end) return this.out();
      const c = b[i];
      if (c === Q) {
        this.p = i + 1;
        return;
      }
      if (c === BS) {
        if (i + 1 >= end) return this.out();
        // The escape is checked exactly as string() checks it.
        const e = b[i + 1];
        if (e === 0x75) {
          if (i + 6 > end) return this.out();
          for (let k = 2; k < 6; k++) if (hexValue(b[i + k]) < 0) throw new ScanSyntaxError(i + k, 'syntax', 'bad \\u escape');
          i += 6;
        } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) i += 2;
        else throw new ScanSyntaxError(i + 1, 'syntax', 'bad escape');
        continue;
      }
      if (c < 0x20) throw new ScanSyntaxError(i, 'syntax', 'control character in a string');
      i++;
    }
  }

  private geometry(depth: number): { type?: unknown; coordinates: number } {
    this.p++;
    let type: unknown;
    let coordinates = -1;
    if (this.peek() !== RBRACE) {
      for (;;) {
        const key = this.key();
        this.expect(COLON);
        if (key === 'coordinates') coordinates = this.coordinates(depth + 1);
        else if (key === 'type') type = this.value(depth);
        else this.value(depth);
        if (this.endOfMembers(RBRACE)) break;
      }
    } else this.p++;
    if (coordinates === -1) coordinates = this.coords.other(undefined);
    return { type, coordinates };
  }

  /** A coordinates value as a PackedCoordinates node id. */
  private coordinates(depth: number): number {
    if (depth > MAX_DEPTH) throw new ScanSyntaxError(this.p, 'depth');
    const c = this.peek();
    const pc = this.coords;
    if (c === MINUS || (c >= 0x30 && c <= 0x39)) return pc.pushNumber(this.number());
    if (c !== LBRACK) return pc.other(this.value(depth - 1));
    this.p++;
    const numStart = pc.numCount;
    if (this.peek() === RBRACK) {
      this.p++;
      return pc.numbers(numStart);
    }
    let base = -1;
    if (this.b[this.p] === LBRACK) {
      // Rings are arrays of [x, y]: read them straight into nums; at the first other item, fall back.
      const pairs = this.pairs(depth);
      if (pairs >= 0) return pairs;
      base = pc.stackTop;
      for (let k = numStart; k < pc.numCount; k += 2) pc.push(pc.numbersAt(k, 2));
    }
    // Items stay in nums while they are all numbers; the first other item moves the list onto the stack.
    for (;;) {
      const d = this.peek();
      if (base < 0 && (d === MINUS || (d >= 0x30 && d <= 0x39))) pc.pushNumber(this.number());
      else {
        if (base < 0) {
          base = pc.stackTop;
          for (let k = numStart; k < pc.numCount; k++) pc.push(-(k + 1));
        }
        const id = this.coordinates(depth + 1);
        pc.push(id);
      }
      if (this.endOfMembers(RBRACK)) return base < 0 ? pc.numbers(numStart) : pc.array(base);
    }
  }

  /**
   * From the first item of an array: [x, y] items into nums. Returns the PAIRS node when the whole array
   * was such items; otherwise -1, positioned (lines included) at the first item that is not.
   */
  private pairs(depth: number): number {
    if (depth + 1 > MAX_DEPTH) return -1;
    const pc = this.coords;
    const start = pc.numCount;
    for (;;) {
      const at = this.p, lines = this.lines, lineStart = this.lineStart, count = pc.numCount;
      let ok = false;
      if (this.peek() === LBRACK) {
        this.p++;
        let c = this.peek();
        if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
          pc.pushNumber(this.number());
          if (this.peek() === COMMA) {
            this.p++;
            c = this.peek();
            if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
              pc.pushNumber(this.number());
              if (this.peek() === RBRACK) {
                this.p++;
                ok = true;
              }
            }
          }
        }
      }
      if (!ok) {
        this.p = at;
        this.lines = lines;
        this.lineStart = lineStart;
        pc.numCount = count;
        return -1;
      }
      if (this.endOfMembers(RBRACK)) return pc.pairs(start);
    }
  }

  /** After a member or item: true at the closing byte (consumed), false after a comma. */
  private endOfMembers(close: number): boolean {
    const c = this.peek();
    this.p++;
    if (c === COMMA) return false;
    if (c === close) return true;
    throw new ScanSyntaxError(this.p - 1, 'syntax');
  }

  private object(depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw new ScanSyntaxError(this.p, 'depth');
    this.p++;
    const o: Record<string, unknown> = {};
    if (this.peek() === RBRACE) {
      this.p++;
      return o;
    }
    for (;;) {
      const key = this.key();
      this.expect(COLON);
      const v = this.value(depth);
      if (key === '__proto__') Object.defineProperty(o, key, { value: v, writable: true, enumerable: true, configurable: true });
      else o[key] = v;
      if (this.endOfMembers(RBRACE)) return o;
    }
  }

  private array(depth: number): unknown[] {
    if (depth > MAX_DEPTH) throw new ScanSyntaxError(this.p, 'depth');
    this.p++;
    const a: unknown[] = [];
    if (this.peek() === RBRACK) {
      this.p++;
      return a;
    }
    for (;;) {
      a.push(this.value(depth));
      if (this.endOfMembers(RBRACK)) return a;
    }
  }

  /** A member name; short plain ASCII names are interned so that repeated keys cost no new strings. */
  key(): string {
    if (this.peek() !== Q) throw new ScanSyntaxError(this.p, 'syntax');
    const b = this.b, start = this.p + 1, end = this.end;
    // Features repeat their names in the same order: the name that followed the previous one last time is tried first.
    const guess = this.nextKeys[this.prevSlot];
    if (guess !== undefined) {
      const len = guess.length;
      if (start + len < end && b[start + len] === Q && sameAscii(guess, b, start)) {
        this.p = start + len + 1;
        this.prevSlot = this.nextSlots[this.prevSlot];
        return guess;
      }
    }
    let h = 0, i = start;
    while (i < end) {
      const c = b[i];
      if (c === Q || c === BS || c < 0x20 || c >= 0x80 || i - start > 24) break;
      h = (Math.imul(h, 31) + c) | 0;
      i++;
    }
    if (i < end && b[i] === Q) {
      const len = i - start;
      const slot = (h ^ (h >>> 10)) & KEY_MASK;
      let known = this.keys[slot];
      if (known !== undefined && known.length === len && sameAscii(known, b, start)) this.p = i + 1;
      else known = this.keys[slot] = this.string();
      this.nextKeys[this.prevSlot] = known;
      this.nextSlots[this.prevSlot] = slot;
      this.prevSlot = slot;
      return known;
    }
    return this.string();
  }

  string(): string {
    const b = this.b, end = this.end, start = this.p + 1;
    let i = start;
    // Fast path: no escapes. Short strings go through a direct-mapped cache, so the county, township and
    // village names repeated on every row are decoded once and shared.
    let h = 0, ascii = 0;
    while (i < end) {
      const c = b[i];
      if (c === Q) {
        this.p = i + 1;
        const len = i - start;
        if (len > CACHE_WIDTH) return ascii < 0x80 ? latin1(b, start, i) : unitsToString(decodeInto(b, start, i, 0));
        const slot = (h ^ (h >>> 13)) & CACHE_MASK;
        const cached = this.cacheStrings[slot];
        if (cached !== undefined && this.cacheLengths[slot] === len) {
          const pool = this.cacheBytes;
          let k = 0;
          for (let o = slot * CACHE_WIDTH; k < len && pool[o + k] === b[start + k]; k++);
          if (k === len) return cached;
        }
        const str = ascii < 0x80 ? latin1(b, start, i) : unitsToString(decodeInto(b, start, i, 0));
        this.cacheStrings[slot] = str;
        this.cacheLengths[slot] = len;
        const pool = this.cacheBytes;
        for (let k = 0, o = slot * CACHE_WIDTH; k < len; k++) pool[o + k] = b[start + k];
        return str;
      }
      if (c === BS || c < 0x20) break;
      h = (Math.imul(h, 31) + c) | 0;
      ascii |= c;
      i++;
    }
    let n = 0;
    let run = start;
    for (;;) {
      if (i >= end) return this.out();
      const c = b[i];
      if (c === Q) {
        n = decodeInto(b, run, i, n);
        this.p = i + 1;
        return unitsToString(n);
      }
      if (c < 0x20) throw new ScanSyntaxError(i, 'syntax', 'control character in a string');
      if (c !== BS) {
        i++;
        continue;
      }
      n = decodeInto(b, run, i, n);
      if (i + 1 >= end) return this.out();
      const e = b[i + 1];
      let unit: number;
      let len = 2;
      switch (e) {
        case 0x22: unit = 0x22; break;
        case 0x5c: unit = 0x5c; break;
        case 0x2f: unit = 0x2f; break;
        case 0x62: unit = 0x08; break;
        case 0x66: unit = 0x0c; break;
        case 0x6e: unit = 0x0a; break;
        case 0x72: unit = 0x0d; break;
        case 0x74: unit = 0x09; break;
        case 0x75: {
          if (i + 6 > end) return this.out();
          unit = 0;
          for (let k = 2; k < 6; k++) {
            const h = hexValue(b[i + k]);
            if (h < 0) throw new ScanSyntaxError(i + k, 'syntax', 'bad \\u escape');
            unit = unit * 16 + h;
          }
          len = 6;
          break;
        }
        default:
          throw new ScanSyntaxError(i + 1, 'syntax', 'bad escape');
      }
      n = pushUnit(unit, n);
      i += len;
      run = i;
    }
  }

  /** A JSON number, converted exactly as JSON.parse does (correctly rounded). */
  number(): number {
    const b = this.b, end = this.end, start = this.p;
    let i = start;
    const neg = b[i] === MINUS;
    if (neg) i++;
    if (i >= end) return this.out();
    let m = 0, digits = 0, exp = 0;
    let c = b[i];
    if (c === 0x30) {
      i++;
    } else if (c >= 0x31 && c <= 0x39) {
      while (i < end && (c = b[i]) >= 0x30 && c <= 0x39) {
        m = m * 10 + (c - 0x30);
        digits++;
        i++;
      }
    } else if (c === 0x49) {
      throw new ScanSyntaxError(start, 'nan', '-Infinity');
    } else throw new ScanSyntaxError(i, 'syntax');
    if (i < end && b[i] === 0x2e) {
      i++;
      const f = i;
      while (i < end && (c = b[i]) >= 0x30 && c <= 0x39) {
        m = m * 10 + (c - 0x30);
        i++;
      }
      if (i === f) {
        if (i >= end) return this.out();
        throw new ScanSyntaxError(i, 'syntax');
      }
      digits += i - f;
      exp = f - i;
    }
    let simple = true;
    if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
      simple = false;
      i++;
      if (i < end && (b[i] === 0x2b || b[i] === MINUS)) i++;
      const f = i;
      while (i < end && (c = b[i]) >= 0x30 && c <= 0x39) i++;
      if (i === f) {
        if (i >= end) return this.out();
        throw new ScanSyntaxError(i, 'syntax');
      }
    }
    if (i >= end && !this.final) throw INCOMPLETE;
    this.p = i;
    // Both m (< 10^15) and 10^exp are exact doubles: one division rounds correctly (Clinger's fast path).
    if (simple && digits <= 15 && exp >= -22) {
      const v = exp === 0 ? m : m / POW10[-exp];
      return neg ? -v : v;
    }
    return slowNumber(b, start, i);
  }

  private literal(): unknown {
    const c = this.b[this.p];
    if (c === 0x74) return this.word('true', true);
    if (c === 0x66) return this.word('false', false);
    if (c === 0x6e) return this.word('null', null);
    if (c === 0x4e) throw new ScanSyntaxError(this.p, 'nan', 'NaN');
    if (c === 0x49) throw new ScanSyntaxError(this.p, 'nan', 'Infinity');
    throw new ScanSyntaxError(this.p, 'syntax');
  }

  private word<T>(w: string, v: T): T {
    const b = this.b;
    for (let k = 0; k < w.length; k++) {
      const i = this.p + k;
      if (i >= this.end) return this.out();
      if (b[i] !== w.charCodeAt(k)) throw new ScanSyntaxError(i, 'syntax');
    }
    this.p += w.length;
    return v;
  }
}

function latin1(b: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT) return shortString(b, start, end);
  return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
}

/** Exponents and long mantissas: the engine's own correctly rounded conversion. */
function slowNumber(b: Uint8Array, start: number, end: number): number {
  return Number(String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]));
}

function sameAscii(s: string, b: Uint8Array, start: number): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) !== b[start + k]) return false;
  return true;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
