// Settlement columns: the compact per-settlement rows the map and legend read, and their binary form.
import { describe, expect, it } from 'vitest';
import { decodeColumns, encodeColumns, FLAG, settlementFlags, toColumns } from '../../api/columns';
import { settlement } from './fixtures';

describe('settlement columns', () => {
  const list = [
    settlement({ id: 'a', name: '上屋', lon: 115.123456789, lat: 25.987654321, households: 48, mobile: true, mobileOperators: ['CMCC', 'CU'], listed: true, committee: true }),
    settlement({ id: 'b', name: '下屋', county: '宁都县', households: 7, eligible: false, focusCounty: false, broadband: true, broadbandOperators: ['CT'] }),
    settlement({ id: 'c', name: '上屋', households: 30 }),
  ];

  it('keep every flag, coordinate and count, with names and counties as dictionaries', () => {
    const c = toColumns(list, '7');
    expect(c.count).toBe(3);
    expect(c.lon[0]).toBe(115.123456789);
    expect(c.lat[0]).toBe(25.987654321);
    expect([...c.households]).toEqual([48, 7, 30]);
    expect(c.flags[0]).toBe(FLAG.eligible | FLAG.listed | FLAG.committee | FLAG.focus | FLAG.mobile | FLAG.mobileCMCC | FLAG.mobileCU);
    expect(c.flags[1]).toBe(FLAG.broadband | FLAG.broadbandCT);
    expect(c.names).toEqual(['上屋', '下屋']);
    expect([...c.name]).toEqual([0, 1, 0]);
    expect(c.counties[c.county[1]]).toBe('宁都县');
    expect(settlementFlags(list[2])).toBe(FLAG.eligible | FLAG.focus);
  });

  it('survive the binary round trip exactly', () => {
    const c = toColumns(list, 'v9');
    const bytes = encodeColumns(c);
    const back = decodeColumns(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(back.version).toBe('v9');
    expect(back.count).toBe(3);
    for (const k of ['lon', 'lat', 'households', 'flags', 'county', 'name'] as const) expect([...back[k]]).toEqual([...c[k]]);
    expect(back.names).toEqual(c.names);
    expect(back.counties).toEqual(c.counties);
    const empty = encodeColumns(toColumns([], 'e'));
    expect(decodeColumns(empty.buffer as ArrayBuffer).count).toBe(0);
  });

  it('refuse bytes that are not columns, naming what is wrong', () => {
    expect(() => decodeColumns(new TextEncoder().encode('{"ok":false}').buffer as ArrayBuffer)).toThrow(/not an ATC1 body/);
    const bytes = encodeColumns(toColumns(list, 'v'));
    expect(() => decodeColumns(bytes.buffer.slice(0, bytes.byteLength - 2) as ArrayBuffer)).toThrow(/expected \d+ bytes for 3 settlements/);
  });
});
