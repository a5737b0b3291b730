// Incremental scanner for a GeoJSON FeatureCollection: finds the byte range of each element of the top-level
// "features" array and hands it out as text, so a 300 MB file is never held in memory or parsed as one value.
// Top-level members other than "features" are captured whole (they are small: type, crs, bbox, name).
// With `parse` set, features that lie within one chunk are parsed from the bytes as they are found (json-bytes.ts):
// their events carry the value instead of the text.
import { MORE, parseJsonValue, parsedLines, parsedValue } from './json-bytes';

export type ScanEvent =
  | { kind: 'feature'; index: number; text: string | null; offset: number; line: number; problem?: string; value?: unknown }
  | { kind: 'member'; key: string; text: string; offset: number; line: number };

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number, readonly line: number) {
    super(`${message} at byte ${offset} (line ${line})`);
    this.name = 'JsonSyntaxError';
  }
}

const enum S { Start, KeyOrEnd, Key, Colon, Value, AfterMember, ElemOrEnd, Elem, AfterElem, Capture, Done }

const WS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;
/** A copy (not a view): callers reuse their read buffer. Buffer#slice would return a view. */
const copy = (c: Uint8Array, from: number, to: number): Uint8Array => Uint8Array.prototype.slice.call(c, from, to);

const Q = 0x22, BS = 0x5c, LB = 0x7b, RB = 0x7d, LS = 0x5b, RS = 0x5d, COMMA = 0x2c, COLON = 0x3a, NL = 0x0a;

export class GeoJsonScanner {
  readonly events: ScanEvent[] = [];
  private state = S.Start;
  private offset = 0; // absolute offset of the current chunk's first byte
  private line = 1;
  private key = '';
  // Byte runs of a key or value cut by a chunk's end. Emptied with `length = 0`, never replaced: a fresh [] holds
  // small integers until its first push, and the optimized scanning loop was discarded at each such push.
  private readonly keyParts: Uint8Array[] = [];
  private inFeatures = false;
  private featureIndex = 0;
  // capture state
  private readonly parts: Uint8Array[] = [];
  private depth = 0;
  private inString = false;
  private escape = false;
  private primitive = false;
  private tooDeep = false;
  private captureOffset = 0;
  private captureLine = 0;
  private afterCapture = S.AfterMember;
  private sawBom = false;
  /** Features the byte parser gave up on (not for running into the chunk's end): past a few, it stops trying. */
  private parseMisses = 0;
  private parseHits = 0;

  /** `parse`: features are parsed from the bytes (UTF-8 only: `decode` is then not used for them). */
  constructor(
    readonly maxDepth = 64,
    private readonly decode: (bytes: Buffer) => string = (b) => b.toString('utf8'),
    private parse = false,
  ) {}

  /**
   * Parses the feature starting at chunk[i] from its bytes: its event is pushed and the index of its last byte
   * returned, or -1 when it runs past the chunk or has what the byte parser leaves to JSON.parse (then captured
   * as text as before). A file whose features it keeps giving up on stops being tried.
   */
  private parseFeature(chunk: Uint8Array, i: number, n: number): number {
    const to = parseJsonValue(chunk, i, n, this.maxDepth);
    if (to < 0) {
      if (to !== MORE && ++this.parseMisses > 64 && this.parseMisses > this.parseHits) this.parse = false;
      return -1;
    }
    this.parseHits++;
    this.events.push({ kind: 'feature', index: this.featureIndex++, text: null, offset: this.offset + i, line: this.line, value: parsedValue });
    this.line += parsedLines;
    this.state = S.AfterElem;
    return to - 1;
  }

  private fail(message: string, i: number): never {
    throw new JsonSyntaxError(message, this.offset + i, this.line);
  }

  private describe(c: number): string {
    return c >= 0x20 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `byte 0x${c.toString(16).padStart(2, '0')}`;
  }

  private startCapture(chunk: Uint8Array, i: number, next: S): void {
    this.parts.length = 0;
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.tooDeep = false;
    this.primitive = chunk[i] !== LB && chunk[i] !== LS && chunk[i] !== Q;
    this.captureOffset = this.offset + i;
    this.captureLine = this.line;
    this.afterCapture = next;
    this.state = S.Capture;
  }

  /** Ends the capture whose last bytes are chunk[from, to) (none when `chunk` is null). */
  private finishCapture(chunk: Uint8Array | null, from = 0, to = 0): void {
    let text: string | null = null;
    if (!this.tooDeep) {
      // Most values lie within one chunk: decoded from a view of it, with no copy (it is still unchanged here).
      const last = chunk ? Buffer.from(chunk.buffer, chunk.byteOffset + from, to - from) : null;
      if (this.parts.length === 0) text = this.decode(last ?? Buffer.alloc(0));
      else text = this.decode(Buffer.concat(last ? [...this.parts, last] : this.parts));
    }
    this.parts.length = 0;
    if (this.afterCapture === S.AfterElem) {
      this.events.push({
        kind: 'feature', index: this.featureIndex++, text, offset: this.captureOffset, line: this.captureLine,
        problem: this.tooDeep ? `nesting deeper than ${this.maxDepth} levels` : undefined,
      });
    } else {
      if (text === null) throw new JsonSyntaxError(`member "${this.key}" nests deeper than ${this.maxDepth} levels`, this.captureOffset, this.captureLine);
      this.events.push({ kind: 'member', key: this.key, text, offset: this.captureOffset, line: this.captureLine });
    }
    this.state = this.afterCapture;
  }

  /**
   * Scans the bytes of the structured value being captured from chunk[i]: returns the index of the byte that
   * closes it, or n when the chunk ends first (depth, string and line state carry over to the next chunk).
   */
  private captureRun(chunk: Uint8Array, i: number, n: number): number {
    let depth = this.depth, inString = this.inString, escape = this.escape, line = this.line;
    let k = i;
    for (; k < n; k++) {
      const c = chunk[k];
      if (c === NL) line++;
      if (inString) {
        if (escape) escape = false;
        else if (c === BS) escape = true;
        else if (c === Q) {
          inString = false;
          if (depth === 0) break;
        }
      } else if (c === Q) inString = true;
      else if (c === LB || c === LS) {
        if (++depth > this.maxDepth && !this.tooDeep) {
          this.tooDeep = true;
          this.parts.length = 0;
        }
      } else if (c === RB || c === RS) {
        if (--depth === 0) break;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escape = escape;
    this.line = line;
    return k;
  }

  /** Scans one chunk; completed elements are appended to `events`. The chunk may be reused by the caller afterwards. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    if (!this.sawBom && this.offset === 0 && n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    this.sawBom = true;
    let captureStart = this.state === S.Capture ? 0 : -1;
    let keyStart = this.state === S.Key ? 0 : -1;
    for (; i < n; i++) {
      if (this.state === S.Capture && !this.primitive) {
        // Objects, arrays and strings (most bytes of a file): a tight loop on locals until the value closes.
        const close = this.captureRun(chunk, i, n);
        if (close < n) {
          this.finishCapture(chunk, captureStart, close + 1);
          captureStart = -1;
        }
        i = close;
        continue;
      }
      const c = chunk[i];
      if (c === NL) this.line++;
      switch (this.state) {
        case S.Capture:
          // A primitive (number, literal): structured values went through captureRun above.
          if (WS[c] || c === COMMA || c === RB || c === RS) {
            this.finishCapture(chunk, captureStart, i);
            captureStart = -1;
            i--; // the terminator belongs to the next state
            if (c === NL) this.line--;
          }
          continue;
        case S.Start:
          if (WS[c]) continue;
          if (c === LB) { this.state = S.KeyOrEnd; continue; }
          if (c === LS) this.fail('expected a GeoJSON object ({"type": "FeatureCollection", …}), found an array', i);
          this.fail(`not JSON: expected "{", found ${this.describe(c)}`, i);
          break;
        case S.KeyOrEnd:
          if (WS[c]) continue;
          if (c === Q) { this.state = S.Key; this.keyParts.length = 0; keyStart = i + 1; this.escape = false; continue; }
          if (c === RB) { this.state = S.Done; continue; }
          this.fail(`expected a member name in double quotes, found ${this.describe(c)}`, i);
          break;
        case S.Key:
          if (this.escape) { this.escape = false; continue; }
          if (c === BS) { this.escape = true; continue; }
          if (c === Q) {
            this.keyParts.push(copy(chunk, keyStart, i));
            keyStart = -1;
            try {
              this.key = JSON.parse(`"${this.decode(Buffer.concat(this.keyParts))}"`) as string;
            } catch {
              this.fail('invalid member name', i);
            }
            this.state = S.Colon;
          }
          continue;
        case S.Colon:
          if (WS[c]) continue;
          if (c === COLON) { this.state = S.Value; continue; }
          this.fail(`expected ":" after "${this.key}", found ${this.describe(c)}`, i);
          break;
        case S.Value:
          if (WS[c]) continue;
          if (this.key === 'features' && !this.inFeatures) {
            if (c !== LS) this.fail(`"features" must be an array, found ${this.describe(c)}`, i);
            this.inFeatures = true;
            this.state = S.ElemOrEnd;
            continue;
          }
          if (c === COMMA || c === RB || c === RS || c === COLON) this.fail(`expected a value for "${this.key}", found ${this.describe(c)}`, i);
          this.startCapture(chunk, i, S.AfterMember);
          captureStart = i;
          if (c === Q) this.inString = true;
          else if (!this.primitive) this.depth = 1;
          continue;
        case S.AfterMember:
          if (WS[c]) continue;
          if (c === COMMA) { this.state = S.KeyOrEnd; continue; }
          if (c === RB) { this.state = S.Done; continue; }
          this.fail(`expected "," or "}" after the value of "${this.key}", found ${this.describe(c)}`, i);
          break;
        case S.ElemOrEnd:
        case S.Elem:
          if (WS[c]) continue;
          if (c === RS && this.state === S.ElemOrEnd) { this.state = S.AfterMember; this.key = 'features'; continue; }
          if (c === COMMA || c === RS || c === RB || c === COLON) this.fail(`expected a feature in "features", found ${this.describe(c)}`, i);
          if (this.parse && c === LB) {
            const last = this.parseFeature(chunk, i, n);
            if (last >= 0) {
              i = last;
              continue;
            }
          }
          this.startCapture(chunk, i, S.AfterElem);
          captureStart = i;
          if (c === Q) this.inString = true;
          else if (!this.primitive) this.depth = 1;
          continue;
        case S.AfterElem:
          if (WS[c]) continue;
          if (c === COMMA) { this.state = S.Elem; continue; }
          if (c === RS) { this.state = S.AfterMember; this.key = 'features'; continue; }
          this.fail(`expected "," or "]" after feature ${this.featureIndex - 1}, found ${this.describe(c)}`, i);
          break;
        case S.Done:
          if (WS[c]) continue;
          this.fail(`unexpected ${this.describe(c)} after the end of the GeoJSON object`, i);
      }
    }
    if (this.state === S.Capture && captureStart >= 0 && !this.tooDeep) this.parts.push(copy(chunk, captureStart, n));
    if (this.state === S.Key && keyStart >= 0) this.keyParts.push(copy(chunk, keyStart, n));
    this.offset += n;
  }

  /** Call after the last chunk. */
  end(): void {
    if (this.state === S.Capture && this.primitive) {
      this.finishCapture(null);
    }
    if (this.state !== S.Done) {
      const what = this.state === S.Start ? 'the file is empty' : 'the file ends before the GeoJSON object is closed (truncated?)';
      throw new JsonSyntaxError(what, this.offset, this.line);
    }
  }
}
