import { describe, expect, it } from 'vitest';
import { encodeSettlementList } from '../../data/settlement-json';
import { settlementResults, type SettlementColumns } from '../../gis';

interface Row {
  id: string;
  name: string;
  county?: string;
  code?: string;
  households?: number;
  lon?: number;
  lat?: number;
  mobile?: number;
  broadband?: number;
  committee?: number;
  listed?: number;
  focus?: number;
}

function columns(rows: readonly Row[]): SettlementColumns {
  const n = rows.length;
  return {
    count: n,
    id: rows.map((r) => r.id),
    name: rows.map((r) => r.name),
    county: rows.map((r) => r.county ?? '于都县'),
    township: rows.map(() => '梓山镇'),
    village: rows.map(() => '潭头村'),
    code: rows.map((r) => r.code),
    households: Float64Array.from(rows, (r) => r.households ?? 30),
    committee: Uint8Array.from(rows, (r) => r.committee ?? 0),
    lon: Float64Array.from(rows, (r) => r.lon ?? 115.4),
    lat: Float64Array.from(rows, (r) => r.lat ?? 25.9),
    mobile: Uint8Array.from(rows, (r) => r.mobile ?? 7),
    broadband: Uint8Array.from(rows, (r) => r.broadband ?? 0),
    listed: Uint8Array.from(rows, (r) => r.listed ?? 0),
    focus: Uint8Array.from(rows, (r) => r.focus ?? 0),
  };
}

/** The encoder's bytes as text; each chunk is copied, since the encoder reuses its buffer. */
function encoded(c: SettlementColumns, minHouseholds: number, from?: number, to?: number, bufferBytes?: number): { text: string; chunks: number } {
  const chunks: Buffer[] = [];
  encodeSettlementList(c, minHouseholds, (bytes) => chunks.push(Buffer.from(bytes)), from, to, bufferBytes);
  return { text: Buffer.concat(chunks).toString('utf8'), chunks: chunks.length };
}

const expected = (c: SettlementColumns, minHouseholds: number, from = 0, to = c.count) =>
  JSON.stringify(settlementResults(c, minHouseholds, from, to)).slice(1, -1);

describe('encodeSettlementList', () => {
  it('writes what JSON.stringify writes for awkward strings, numbers and flags', () => {
    const names = [
      '', 'Tantou', '刘屋', 'Café', '𠀀家', '😀', '"引号"', 'back\\slash', 'line\nbreak', '\u0001\u001f', '\u007f',
      'lone \ud800 high', 'lone \udc00 low', 'ends high \ud83d', '\udc00\ud800 reversed', '刘"屋', 'tab\t', '\u0800\u07ff',
    ];
    const rows: Row[] = names.map((name, i) => ({ id: `S${i}`, name, code: i % 3 === 0 ? undefined : i % 3 === 1 ? '' : '360731212211' }));
    const numbers = [0, -0, 24.5, 25, 1e21, 1e-7, 114.12345678901234, NaN, Infinity, -Infinity, 2 ** 53 + 2];
    numbers.forEach((v, i) => rows.push({ id: `N${i}`, name: 'x', households: v, lon: v, lat: -v }));
    for (let m = 0; m < 256; m += 5) rows.push({ id: `M${m}`, name: 'm', mobile: m, broadband: 255 - m, committee: m % 2, listed: (m >> 1) % 2, focus: (m >> 2) % 2 });
    const c = columns(rows);
    expect(encoded(c, 25).text).toBe(expected(c, 25));
    expect(encoded(c, 0).text).toBe(expected(c, 0));
  });

  it('writes ranges as items joined by commas, the empty range as nothing', () => {
    const c = columns(Array.from({ length: 7 }, (_, i) => ({ id: `S${i}`, name: `村${i}`, households: i * 10 })));
    for (const [from, to] of [[0, 7], [0, 1], [3, 5], [6, 7], [2, 2], [7, 7]]) expect(encoded(c, 25, from, to).text).toBe(expected(c, 25, from, to));
    expect(encoded(c, 25, 4, 4).chunks).toBe(0);
    expect(() => encodeSettlementList(c, 25, () => undefined, 5, 4)).toThrow(RangeError);
    expect(() => encodeSettlementList(c, 25, () => undefined, 0, 8)).toThrow(/0\.\.8 outside 0\.\.7/);
  });

  it('flushes a full buffer and grows it for a row that does not fit, reusing it between writes', () => {
    const long = '长'.repeat(100_000) + '"';
    const c = columns([{ id: 'A', name: '甲' }, { id: 'B', name: long }, { id: 'C', name: '丙' }, { id: 'D', name: 'd'.repeat(3000) }]);
    const small = encoded(c, 25, 0, c.count, 64);
    expect(small.text).toBe(expected(c, 25));
    // A alone (B needs a bigger buffer), then B, C and D in the grown one.
    expect(small.chunks).toBe(2);
    // The default buffer starts at 8 KB (an early first flush, for the optimizing compiler): A alone, then B, C
    // and D in the 1 MB one; rows that fit in 8 KB go in one write.
    expect(encoded(c, 25).chunks).toBe(2);
    expect(encoded(columns([{ id: 'A', name: '甲' }, { id: 'C', name: '丙' }]), 25).chunks).toBe(1);
  });

  it('matches JSON.stringify on seeded random rows', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const units = [0x41, 0x7a, 0x20, 0x22, 0x5c, 0x0a, 0x1f, 0x7f, 0xe9, 0x7ff, 0x800, 0x5218, 0xffff, 0xd83d, 0xde00, 0xdbff, 0xdc00];
    const text = () => String.fromCharCode(...Array.from({ length: Math.floor(rand() * 12) }, () => units[Math.floor(rand() * units.length)]));
    const rows = Array.from({ length: 3000 }, (_, i): Row => ({
      id: text() || `S${i}`, name: text(), county: text(), code: rand() < 0.3 ? undefined : text(),
      households: Math.floor(rand() * 200) / (rand() < 0.1 ? 3 : 1), lon: 110 + rand() * 10, lat: 20 + rand() * 10,
      mobile: Math.floor(rand() * 256), broadband: Math.floor(rand() * 8), committee: rand() < 0.1 ? 1 : 0, listed: rand() < 0.5 ? 1 : 0, focus: rand() < 0.5 ? 1 : 0,
    }));
    const c = columns(rows);
    for (const bufferBytes of [1 << 20, 700]) expect(encoded(c, 25, 0, c.count, bufferBytes).text).toBe(expected(c, 25));
  });
});

describe('encodeSettlementList numbers', () => {
  it('writes every number as String() does: six decimals or fewer, and any other double', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const values = [
      0, -0, 1e-6, 1.5e-6, 9.99999e-7, 0.000001, 0.1, 0.3, 0.1 + 0.2, 1, 9, 10, 99.999999, 100, 145, 999999999, 999999999.999999,
      1e9, 1e9 + 0.5, 123456789.123456, 114.949875, 25.86355, -114.949875, -0.000001, 2 ** 53, 1e21, 1.7976931348623157e308, 5e-324,
    ];
    for (let i = 0; i < 20_000; i++) {
      const places = Math.floor(rand() * 9);
      const scale = 10 ** Math.floor(rand() * 20 - 8);
      const v = Math.round(rand() * scale * 10 ** places) / 10 ** places;
      values.push(v, -v, rand() * scale, 110 + Math.round(rand() * 1e6) / 1e6);
    }
    const rows = values.map((v, i): Row => ({ id: `V${i}`, name: '', households: v, lon: v, lat: v }));
    const c = columns(rows);
    expect(encoded(c, 25).text).toBe(expected(c, 25));
  });
});
