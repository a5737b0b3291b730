// Property-based tests (fast-check) for the import parsers the other suites test by example: the CSV splitter
// (round trip through a writer), the households and coordinate parsers, the streaming GeoJSON scanner of
// data/import against JSON.parse (gis/scan has its own in tests/perf), and the ZIP reader against fflate.
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { csvRows } from '../../data/import/formats/csv';
import { GeoJsonScanner, JsonSyntaxError, type ScanEvent } from '../../data/import/formats/json-scanner';
import { parseCoordinate, parseHouseholds } from '../../data/import/mapping';
import { FileProblem } from '../../data/import/issues';
import { extract, listZip } from '../../data/import/zip';

const RUNS = { numRuns: 300, seed: 7 };

/** RFC 4180 writer: quote fields holding the delimiter, quotes or line breaks (or leading/trailing quotes). */
function writeCsv(rows: string[][], d: string, eol: string): string {
  const field = (s: string) => (/[",\r\n;\t|]/.test(s) || s.includes(d) ? `"${s.replace(/"/g, '""')}"` : s);
  return rows.map((r) => r.map(field).join(d)).join(eol) + eol;
}

/** Splits bytes into chunks at arbitrary points (sizes cycled from the list). */
function chunks(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0, k = 0; i < bytes.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

function scan(text: string, sizes: number[]): ScanEvent[] {
  const s = new GeoJsonScanner();
  const events: ScanEvent[] = [];
  for (const c of chunks(Buffer.from(text, 'utf8'), sizes)) {
    s.push(c);
    events.push(...s.events.splice(0));
  }
  s.end();
  events.push(...s.events.splice(0));
  return events;
}

describe('CSV splitter (csvRows)', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', '甲', ' ', ',', ';', '\t', '"', '\n', '\r\n', 'x', '1', '|'), maxLength: 8 });
  it('round trip: any table written with RFC 4180 quoting reads back field for field, any delimiter, LF or CRLF', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5 }).chain((w) => fc.array(fc.array(cell, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 12 })),
      fc.constantFrom(',', ';', '\t', '|'), fc.constantFrom('\n', '\r\n'),
      (rows, d, eol) => {
        // A row of one empty field is a blank line in CSV: the writer cannot express it, so keep a character in it.
        const table = rows.map((r) => (r.length === 1 && r[0] === '' ? ['x'] : r));
        const read = [...csvRows(writeCsv(table, d, eol), d)].map((r) => r.fields);
        expect(read).toEqual(table);
      },
    ), RUNS);
  });

  it('any text: rows come back or a FileProblem names the row of an unclosed quote; never another error', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', '"', ',', '\n', '\r', '甲', ' '), maxLength: 60 }), (text) => {
      try {
        for (const r of csvRows(text, ',')) expect(r.line).toBeGreaterThanOrEqual(1);
      } catch (err) {
        expect(err).toBeInstanceOf(FileProblem);
        expect((err as FileProblem).message).toMatch(/^row \d+: a quoted field is not closed/);
      }
    }), RUNS);
  });
});

describe('households parser', () => {
  it('every whole number ≥ 0 is accepted as a number, a string, with 户, thousands separators or full-width digits', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (n) => {
      const wide = String(n).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
      for (const v of [n, String(n), ` ${n} `, `${n}户`, `${n} 户`, n.toLocaleString('en-US'), wide, `${n}.0`]) {
        expect(parseHouseholds(v), JSON.stringify(v)).toEqual({ ok: true, value: n });
      }
    }), RUNS);
  });

  it('negative, fractional, non-finite and non-numeric values are always refused with the expectation', () => {
    const bad = fc.oneof(
      fc.integer({ min: -1_000_000, max: -1 }),
      fc.double({ noNaN: false }).filter((x) => !Number.isInteger(x) || x < 0),
      fc.constantFrom(Number.NaN, Infinity, -Infinity, '约30', '三十', '30-40', '', '  ', 'null', '1e3', '0x1F', '-0.5', '3,5,0.5', null, true, {}, []),
      fc.integer({ min: 1, max: 999 }).map((n) => `${n}.5`),
    );
    fc.assert(fc.property(bad, (v) => {
      const r = parseHouseholds(v);
      expect(r.ok, JSON.stringify(v)).toBe(false);
      if (!r.ok) expect(r.expected).toMatch(/whole number ≥ 0/);
    }), RUNS);
  });
});

describe('plain numbers in cells', () => {
  // Plain digits and decimals skip the parsers' normalizing: the answer must be the one a leading space (which that
  // normalizing removes, and which keeps the text off the short cut) gives.
  it('households and coordinates read the same with and without the short cut', () => {
    const text = fc.string({ unit: fc.constantFrom('0', '1', '7', '9', '.', '+', '-', ' ', '户', ',', '°', 'E', '５', 'e'), maxLength: 12 });
    fc.assert(fc.property(text, (s) => {
      expect(parseHouseholds(s), JSON.stringify(s)).toEqual(parseHouseholds(` ${s}`));
      expect(parseCoordinate(s), JSON.stringify(s)).toEqual(parseCoordinate(` ${s}`));
    }), RUNS);
  });
});

describe('coordinate parser', () => {
  it('decimal degrees round-trip exactly, with or without ° and an E/N suffix', () => {
    fc.assert(fc.property(fc.double({ min: -180, max: 180, noNaN: true, noDefaultInfinity: true }), (x) => {
      const s = String(x);
      if (/e/i.test(s)) return; // exponent notation is not a coordinate spelling
      expect(parseCoordinate(s)).toEqual({ ok: true, value: Number.parseFloat(s) });
      expect(parseCoordinate(x)).toEqual({ ok: true, value: x });
      if (x >= 0) expect(parseCoordinate(`${s}°E`)).toEqual({ ok: true, value: Number.parseFloat(s) });
    }), RUNS);
  });

  it('degrees-minutes-seconds equal d + m/60 + s/3600 within 1e-9; minutes or seconds ≥ 60 are refused', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 179 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 5999 }), (d, m, cs) => {
      const sec = cs / 100;
      const r = parseCoordinate(`${d}°${m}′${sec}″`);
      if (m >= 60 || sec >= 60) expect(r.ok).toBe(false);
      else {
        expect(r.ok).toBe(true);
        if (r.ok) expect(Math.abs(r.value - (d + m / 60 + sec / 3600))).toBeLessThan(1e-9);
      }
    }), RUNS);
  });

  it('never returns a non-finite value, whatever the input', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.double(), fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '∞')), (v) => {
      const r = parseCoordinate(v);
      if (r.ok) expect(Number.isFinite(r.value)).toBe(true);
    }), RUNS);
  });
});

describe('streaming GeoJSON scanner (data/import) against JSON.parse', () => {
  const props = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
  const geometry = fc.oneof(fc.constant(null), fc.record({ type: fc.constant('Point'), coordinates: fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true })) }));
  const feature = fc.record({ type: fc.constant('Feature'), properties: props, geometry });
  const sizes = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 5 });

  it('any FeatureCollection, any whitespace, any chunking: each feature text parses to the feature, members too', () => {
    fc.assert(fc.property(fc.array(feature, { maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(0, 1, 2), sizes, (features, extra, indent, cut) => {
      const doc = { type: 'FeatureCollection', name: extra, features };
      const events = scan(JSON.stringify(doc, null, indent), cut);
      const got = events.filter((e) => e.kind === 'feature').map((e) => JSON.parse(e.text as string));
      expect(got).toEqual(JSON.parse(JSON.stringify(features)));
      const members = Object.fromEntries(events.filter((e) => e.kind === 'member').map((e) => [e.key, JSON.parse(e.text)]));
      expect(members).toEqual(JSON.parse(JSON.stringify({ type: doc.type, name: extra })));
    }), RUNS);
  });

  it('any corruption of a valid document: JSON.parse-equal features or a JsonSyntaxError, never another error', () => {
    fc.assert(fc.property(fc.array(feature, { minLength: 1, maxLength: 4 }), fc.nat(), fc.constantFrom('', '{', '}', '[', ']', '"', ',', ':', '\\', 'x', '\n'), sizes, (features, at, insert, cut) => {
      const text = JSON.stringify({ type: 'FeatureCollection', features });
      const pos = at % (text.length + 1);
      const broken = text.slice(0, pos) + insert + text.slice(pos + (insert === '' ? 1 : 0));
      try {
        for (const e of scan(broken, cut)) {
          if (e.kind === 'feature' && e.text !== null) {
            try {
              JSON.parse(e.text);
            } catch {
              // A feature's own bad JSON is reported per feature by the reader: fine.
            }
          }
        }
      } catch (err) {
        expect(err).toBeInstanceOf(JsonSyntaxError);
      }
    }), RUNS);
  });
});

describe('ZIP reader against fflate', () => {
  it('any set of entries zipped by fflate (stored or deflated) extracts byte for byte', () => {
    fc.assert(fc.property(
      fc.dictionary(fc.stringMatching(/^[a-z0-9_]{1,8}\.(shp|dbf|prj|kml)$/), fc.uint8Array({ maxLength: 3000 }), { minKeys: 1, maxKeys: 4 }),
      fc.constantFrom(0, 6, 9),
      (files, level) => {
        const zip = zipSync(files, { level: level as 0 | 6 | 9, mtime: new Date('2024-01-01T00:00:00Z') });
        const out = extract(zip, listZip(zip));
        expect(Object.fromEntries([...out].map(([k, v]) => [k, Buffer.from(v).toString('hex')])))
          .toEqual(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString('hex')])));
      },
    ), { numRuns: 100, seed: 7 });
  });

  it('any byte of a ZIP flipped: the same bytes, or a FileProblem; never a crash', () => {
    const zip = zipSync({ 'a.shp': new Uint8Array(2000).map((_, i) => (i * 31) & 0xff), 'a.dbf': new TextEncoder().encode('甲乙丙'.repeat(50)) });
    fc.assert(fc.property(fc.nat({ max: zip.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
      const bad = new Uint8Array(zip);
      bad[at] ^= xor;
      try {
        extract(bad, listZip(bad));
      } catch (err) {
        expect(err).toBeInstanceOf(FileProblem);
      }
    }), { numRuns: 500, seed: 7 });
  });
});
