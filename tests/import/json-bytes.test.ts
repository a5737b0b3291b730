// The GeoJSON reader's byte parser (data/import/formats/json-bytes.ts) against JSON.parse: whatever it returns
// must be what JSON.parse gives for the same bytes; anything else it leaves to JSON.parse (UNSUPPORTED, or MORE
// when the bytes end first).
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MORE, parseJsonValue, parsedLines, parsedValue, UNSUPPORTED } from '../../data/import/formats/json-bytes';
import { GeoJsonScanner, type ScanEvent } from '../../data/import/formats/json-scanner';

const RUNS = { numRuns: 400, seed: 11 };

/** JSON.parse of the bytes as the reader decodes them, or undefined when it throws. */
function reference(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Parses bytes that hold one value and nothing else; checks the answer against JSON.parse. */
function check(bytes: Uint8Array): 'parsed' | 'left' {
  const to = parseJsonValue(bytes, 0, bytes.length, 64);
  const want = reference(bytes);
  if (to === UNSUPPORTED || to === MORE) return 'left';
  // Parsed: it must have stopped at the end (trailing bytes would make JSON.parse fail) with JSON.parse's value.
  if (to === bytes.length) {
    expect(want).not.toBeUndefined();
    expect(isDeepStrictEqual(parsedValue, want), Buffer.from(bytes).toString()).toBe(true);
  }
  return 'parsed';
}

const value = fc.jsonValue({ maxDepth: 4 });
const spaced = (v: unknown, indent: number): string => JSON.stringify(v, null, indent);

describe('json-bytes: the byte parser equals JSON.parse', () => {
  it('any JSON value, compact or indented, is parsed to JSON.parse’s value or left to it', () => {
    let parsed = 0;
    fc.assert(fc.property(value, fc.constantFrom(0, 1, 2), (v, indent) => {
      const text = spaced(v, indent);
      if (check(Buffer.from(text, 'utf8')) === 'parsed') {
        parsed++;
        // JSON.stringify escapes line feeds inside strings: every one left is whitespace.
        expect(parsedLines).toBe((text.match(/\n/g) ?? []).length);
      }
    }), RUNS);
    expect(parsed).toBeGreaterThan(RUNS.numRuns / 2);
  });

  it('numbers: plain decimals, negative zero, long mantissas and exponents read as JSON.parse reads them', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 17 }), (d, digits) => {
      for (const text of [String(d), d.toFixed(digits), `-${Math.abs(d).toFixed(digits)}`, `${d},${-d}`]) {
        if (/^[-\d.,e+]*$/i.test(text)) expect(check(Buffer.from(`[${text}]`)), text).toBe('parsed');
      }
    }), RUNS);
    // In an array: a number at the very end of the bytes might go on in the next chunk (MORE).
    for (const text of ['-0', '-0.0', '0.1', '114.123456', '12345678901234567890', '1.7976931348623157e308', '1e999', '5e-324', '0.30000000000000004']) {
      expect(check(Buffer.from(`[${text}]`)), text).toBe('parsed');
    }
    // Not JSON: leading zeros, a bare dot or sign, an empty exponent.
    for (const text of ['01', '1.', '.5', '-', '+1', '1e', '1e+', '--1', '[01]', '[1.]']) {
      expect(parseJsonValue(Buffer.from(`[${text}]`), 0, text.length + 2, 64), text).toBeLessThan(0);
    }
  });

  it('bytes changed at random: still JSON.parse’s value when valid, never a value when JSON.parse throws', () => {
    const bytesOf = fc.tuple(value, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }))
      .map(([v, edits]) => {
        const b = Buffer.from(JSON.stringify({ type: 'Feature', properties: v }), 'utf8');
        for (const [at, byte] of edits) b[at % b.length] = byte;
        return b;
      });
    fc.assert(fc.property(bytesOf, (b) => {
      const to = parseJsonValue(b, 0, b.length, 64);
      if (to === b.length) expect(isDeepStrictEqual(parsedValue, reference(b))).toBe(true);
      else if (to >= 0) expect(reference(b)).toBeUndefined(); // trailing bytes after a value: JSON.parse refuses
    }), RUNS);
  });

  it('invalid UTF-8, control characters, escapes, __proto__ and deep nesting', () => {
    const cases: [string | Buffer, 'parsed' | 'left'][] = [
      [Buffer.from([0x22, 0xe4, 0xb8, 0x22]), 'parsed'], // a truncated character: U+FFFD, as the whole-feature decode gives
      [Buffer.from([0x22, 0xff, 0x41, 0xc0, 0xaf, 0x22]), 'parsed'],
      ['"a\tb"', 'left'],
      ['"a\\"b"', 'left'],
      ['{"__proto__": {"x": 1}}', 'left'],
      ['{"a": 1, "a": 2, "b": [true, false, null]}', 'parsed'],
      ['{"2": 1, "1": 2, "b": ""}', 'parsed'],
      [`${'['.repeat(64)}${']'.repeat(64)}`, 'parsed'],
      [`${'['.repeat(65)}${']'.repeat(65)}`, 'left'],
      ['{"a" 1}', 'left'],
      ['[1 2]', 'left'],
      ['tru', 'left'],
    ];
    for (const [text, want] of cases) expect(check(typeof text === 'string' ? Buffer.from(text) : text), String(text)).toBe(want);
    expect(parseJsonValue(Buffer.from('{"a": [1, 2'), 0, 11, 64)).toBe(MORE);
  });

  it('the scanner with parsing on yields the features the text path gives, whatever the chunking', () => {
    const feature = fc.record({
      type: fc.constant('Feature'),
      properties: fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ unit: fc.constantFrom('a', '甲', '"', '\\', ' ', '\n'), maxLength: 6 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null))),
      geometry: fc.record({ type: fc.constant('Point'), coordinates: fc.tuple(fc.double({ min: 100, max: 120, noNaN: true }), fc.double({ min: 20, max: 30, noNaN: true })) }),
    });
    const events = (bytes: Buffer, parse: boolean, size: number): unknown[] => {
      const s = new GeoJsonScanner(64, undefined, parse);
      const out: ScanEvent[] = [];
      for (let o = 0; o < bytes.length; o += size) {
        s.push(bytes.subarray(o, o + size));
        out.push(...s.events.splice(0));
      }
      s.end();
      out.push(...s.events.splice(0));
      return out.map((e) => (e.kind === 'member' ? e : { index: e.index, offset: e.offset, line: e.line, value: e.value ?? JSON.parse(e.text as string) }));
    };
    fc.assert(fc.property(fc.array(feature, { maxLength: 8 }), fc.constantFrom(0, 2), fc.constantFrom(1, 5, 64, 1 << 20), (features, indent, size) => {
      const bytes = Buffer.from(JSON.stringify({ type: 'FeatureCollection', features }, null, indent), 'utf8');
      expect(isDeepStrictEqual(events(bytes, true, size), events(bytes, false, size))).toBe(true);
    }), { numRuns: 200, seed: 5 });
  });
});
