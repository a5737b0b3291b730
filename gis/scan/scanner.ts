// An incremental GeoJSON FeatureCollection reader over UTF-8 byte chunks (no Node APIs). Each feature is
// handed over once its bytes and some after them have arrived, so a file is never whole in memory; the same
// problems as JSON.parse + the object path are reported, in the same words.
import type { InputIssue } from '../types';
import { JSON_COORDINATES, type CoordinateReader } from '../polygon-set';
import { ByteParser, INCOMPLETE, MAX_DEPTH, ScanSyntaxError } from './parser';
import { decodeUtf8, utf16Length } from './utf8';

/** Receives each feature with the reader for its geometry's coordinates; index counts features from 0. */
export type FeatureSink = (feature: unknown, index: number, reader: CoordinateReader<unknown>) => void;

const enum State { Start, TopKey, TopColon, TopValue, TopNext, FeatureItem, FeatureNext, ArrayItem, ArrayNext, End, Failed }

const NEAR_BYTES = 96;

/**
 * Bytes held back from parsing until more arrive or the input ends. A unit cut by the end of the bytes is parsed
 * again once more are in (INCOMPLETE); in optimized code that path had never run, and V8 threw the code of every
 * function it cut through away and compiled it again. With this margin only units longer than it are ever cut.
 */
export const LOOKAHEAD = 1 << 16;

export class GeoJsonScanner {
  private buf = new Uint8Array(1 << 16);
  /** Bytes buf[0, len) are held; buf[0] is byte `base` of the input. */
  private len = 0;
  private base = 0;
  private pos = 0;
  private state = State.Start;
  private first = true;
  private key = '';
  private ended = false;
  /** Retrying an incomplete unit waits until this many bytes are held, so a huge unit is parsed O(1) times. */
  private retryAt = 0;
  private features = 0;
  private streamed = false;
  private readonly top: Record<string, unknown> = {};
  private topIsObject = false;
  private readonly parser = new ByteParser();
  /** UTF-16 units between the start of the current line and buf[0], when the line started before buf[0]. */
  private column = 0;
  private failure: { at: number; line: number; column: number; kind: ScanSyntaxError['kind']; detail: string } | null = null;
  private problem: InputIssue | null = null;

  /**
   * `keepProperties`: the only property names the sink reads (others are checked as JSON, then dropped);
   * all are kept when omitted. `lookahead`: see LOOKAHEAD (tests set 0 to cut units at every byte).
   */
  constructor(
    private readonly source: string,
    private readonly sink: FeatureSink,
    keepProperties?: ReadonlySet<string>,
    private readonly lookahead = LOOKAHEAD,
  ) {
    this.parser.keep = keepProperties ?? null;
  }

  /** Feeds the next bytes (the chunk is copied; the caller may reuse it). */
  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error('GeoJsonScanner: push() after end()');
    if (this.state === State.Failed) {
      // Only the excerpt after the error is still needed.
      const take = Math.min(chunk.length, NEAR_BYTES - this.len);
      if (take > 0) this.buf.set(chunk.subarray(0, take), this.len);
      this.len += Math.max(0, take);
      return;
    }
    if (this.len + chunk.length > this.buf.length) this.makeRoom(chunk.length);
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
    if (this.len < this.retryAt) return;
    this.run();
  }

  /**
   * Ends the input. Returns the file-level problem (invalid JSON, not a FeatureCollection…), or null when
   * the file was a FeatureCollection (or a single Feature) whose features have all been handed over.
   */
  end(): InputIssue | null {
    if (!this.ended) {
      this.ended = true;
      if (this.state !== State.Failed) this.run();
      this.problem = this.failure ? this.failureIssue() : this.structureProblem();
    }
    return this.problem;
  }

  get featureCount(): number {
    return this.features;
  }

  private run(): void {
    const p = this.parser;
    for (;;) {
      if (!this.ended && this.len - this.pos < this.lookahead) {
        this.retryAt = this.pos + this.lookahead;
        return;
      }
      p.set(this.buf, this.pos, this.len, this.ended);
      const lines = p.lines, lineStart = p.lineStart;
      try {
        if (!this.step(p)) return;
      } catch (e) {
        if (e === INCOMPLETE) {
          // The unit is parsed again from its start: so are its newlines.
          p.lines = lines;
          p.lineStart = lineStart;
          this.retryAt = this.pos + 2 * (this.len - this.pos);
          if (this.retryAt - this.len < 1 << 16) this.retryAt = this.len + 1;
          return;
        }
        if (!(e instanceof ScanSyntaxError)) throw e;
        this.fail(e);
        return;
      }
      this.pos = p.p;
      this.retryAt = 0;
    }
  }

  /** One token or unit from parser position; false when the input is done. Throws INCOMPLETE. */
  private step(p: ByteParser): boolean {
    switch (this.state) {
      case State.Start: {
        if (this.base === 0 && p.p === 0) {
          const b = this.buf;
          if (this.len < 3 && !this.ended && b.subarray(0, this.len).every((c, k) => c === [0xef, 0xbb, 0xbf][k])) throw INCOMPLETE;
          if (this.len >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) p.p = 3;
        }
        if (this.ended && p.p >= p.end) throw new ScanSyntaxError(p.p, 'syntax');
        const c = p.peek();
        if (c === 0x7b) {
          p.p++;
          this.topIsObject = true;
          this.state = State.TopKey;
        } else if (c === 0x5b) {
          p.p++;
          this.state = State.ArrayItem;
        } else {
          p.value(0);
          this.state = State.End;
        }
        return true;
      }
      case State.TopKey:
        if (this.first && p.peek() === 0x7d) {
          p.p++;
          this.state = State.End;
          return true;
        }
        this.key = p.key();
        this.state = State.TopColon;
        return true;
      case State.TopColon:
        p.expect(0x3a);
        this.state = State.TopValue;
        return true;
      case State.TopValue:
        this.first = false;
        if (this.key === 'features' && p.peek() === 0x5b) {
          p.p++;
          this.streamed = true;
          this.first = true;
          this.state = State.FeatureItem;
          return true;
        }
        setMember(this.top, this.key, p.value(1));
        this.state = State.TopNext;
        return true;
      case State.TopNext: {
        const c = p.peek();
        p.p++;
        if (c === 0x2c) this.state = State.TopKey;
        else if (c === 0x7d) this.state = State.End;
        else throw new ScanSyntaxError(p.p - 1, 'syntax');
        return true;
      }
      case State.FeatureItem: {
        if (this.first && p.peek() === 0x5d) {
          p.p++;
          this.first = false;
          this.state = State.TopNext;
          return true;
        }
        const f = p.feature();
        this.first = false;
        this.state = State.FeatureNext;
        this.sink(f, this.features++, p.coords);
        return true;
      }
      case State.FeatureNext: {
        const c = p.peek();
        p.p++;
        if (c === 0x2c) this.state = State.FeatureItem;
        else if (c === 0x5d) {
          this.first = false;
          this.state = State.TopNext;
        } else throw new ScanSyntaxError(p.p - 1, 'syntax');
        return true;
      }
      case State.ArrayItem:
        if (this.first && p.peek() === 0x5d) {
          p.p++;
          this.state = State.End;
          return true;
        }
        this.first = false;
        p.value(1);
        this.state = State.ArrayNext;
        return true;
      case State.ArrayNext: {
        const c = p.peek();
        p.p++;
        if (c === 0x2c) this.state = State.ArrayItem;
        else if (c === 0x5d) this.state = State.End;
        else throw new ScanSyntaxError(p.p - 1, 'syntax');
        return true;
      }
      case State.End:
        // Only whitespace may follow the value.
        while (p.p < p.end) {
          const c = p.b[p.p];
          if (c === 0x0a) {
            p.lines++;
            p.lineStart = p.p + 1;
          } else if (c !== 0x20 && c !== 0x0d && c !== 0x09) throw new ScanSyntaxError(p.p, 'syntax');
          p.p++;
        }
        this.pos = p.p;
        return false;
      default:
        return false;
    }
  }

  /** The same checks, in the same order, as the JSON.parse path (data/read-geojson.ts). */
  private structureProblem(): InputIssue | null {
    const issue = (field: string, message: string): InputIssue => ({ source: this.source, feature: -1, field, message });
    if (!this.topIsObject) return issue('type', 'expected a GeoJSON FeatureCollection object');
    const type = this.top.type;
    if (type === 'Feature') {
      if (this.streamed) return issue('features', 'a single Feature must not have a "features" array; expected a FeatureCollection');
      this.features = 1;
      this.sink(this.top, 0, JSON_COORDINATES);
      return null;
    }
    if (type !== 'FeatureCollection') return issue('type', `found ${JSON.stringify(type ?? null)}; expected a GeoJSON FeatureCollection`);
    if (!this.streamed) return issue('features', 'expected an array of features');
    if ('features' in this.top) return issue('features', 'found two "features" members; expected one array of features');
    return null;
  }

  private fail(e: ScanSyntaxError): void {
    const { line, column } = this.lineAndColumn(e.at);
    this.failure = { at: this.base + e.at, line, column, kind: e.kind, detail: e.detail };
    this.state = State.Failed;
    // Keep only the bytes after the error, for the "near" excerpt.
    this.buf.copyWithin(0, e.at, this.len);
    this.len -= e.at;
    this.base += e.at;
    this.pos = 0;
  }

  private failureIssue(): InputIssue {
    const f = this.failure!;
    const at = `line ${f.line}, column ${f.column}`;
    let message: string;
    if (f.kind === 'nan') {
      message = `${f.detail} is not valid JSON (${at}, byte ${f.at}); expected a finite number or null`;
    } else if (f.kind === 'depth') {
      message = `nested deeper than ${MAX_DEPTH} levels (${at}, byte ${f.at}); expected a GeoJSON FeatureCollection`;
    } else {
      const near = decodeUtf8(this.buf, 0, Math.min(this.len, NEAR_BYTES)).slice(0, 20).replace(/\s+/g, ' ');
      message = `not valid JSON (${at}, near "${near}"); expected a GeoJSON FeatureCollection (byte ${f.at})`;
    }
    return { source: this.source, feature: -1, field: 'file', message };
  }

  /** 1-based line and column (in UTF-16 units, like JavaScript strings) of buffer index i, where parsing stopped. */
  private lineAndColumn(i: number): { line: number; column: number } {
    const p = this.parser;
    const column = p.lineStart < 0 ? this.column + utf16Length(this.buf, 0, i) : utf16Length(this.buf, p.lineStart, i);
    return { line: p.lines + 1, column: column + 1 };
  }

  /** Drops consumed bytes (keeping line/column counts) and grows the buffer when a unit needs it. */
  private makeRoom(incoming: number): void {
    const keep = this.len - this.pos;
    const drop = this.pos;
    const p = this.parser;
    if (p.lineStart < drop) {
      this.column = (p.lineStart < 0 ? this.column : 0) + utf16Length(this.buf, Math.max(0, p.lineStart), drop);
      p.lineStart = -1;
    } else p.lineStart -= drop;
    const size = keep + incoming;
    if (size > this.buf.length) {
      const next = new Uint8Array(Math.max(size, this.buf.length * 2));
      next.set(this.buf.subarray(drop, this.len));
      this.buf = next;
    } else this.buf.copyWithin(0, drop, this.len);
    this.len = keep;
    this.base += drop;
    this.pos -= drop;
    if (this.retryAt) this.retryAt -= drop;
  }
}

function setMember(o: Record<string, unknown>, key: string, v: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value: v, writable: true, enumerable: true, configurable: true });
  else o[key] = v;
}
