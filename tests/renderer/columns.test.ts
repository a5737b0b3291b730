// Settlement and coverage columns: the compact rows the map and legend read, and their binary form.
import { describe, expect, it } from 'vitest';
import {
  decodeColumns, decodeCoverageColumns, encodeColumns, encodeCoverageColumns, FLAG, settlementFlags, toColumns, toCoverageColumns,
} from '../../api/columns';
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

describe('coverage columns', () => {
  const ring = (x: number, y: number, d: number): number[][] => [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]];
  const features = [
    { properties: { operator: 'CU', tech: 'nr' }, geometry: { type: 'Polygon', coordinates: [ring(115.1, 25.2, 0.3), ring(115.2, 25.3, 0.05)] } },
    { properties: { operator: '电信', tech: null }, geometry: { type: 'MultiPolygon', coordinates: [[ring(114.123456789, 26, 0.1)], [ring(116, 24, 0.2)]] } },
    { properties: { operator: 'CMCC', tech: '4G' }, geometry: null },
    { properties: { operator: 'CMCC', tech: '4G' }, geometry: { type: 'Point', coordinates: [115, 25] } },
  ];

  it('survive the binary round trip exactly', () => {
    const c = toCoverageColumns(features);
    // An operator not spelled as in OPERATORS is 255 (no layer draws it); the MultiPolygon gives two polygons.
    expect([...c.operator]).toEqual([2, 255, 255]);
    expect(c.techs).toEqual(['NR', '']);
    const bytes = encodeCoverageColumns(c);
    const back = decodeCoverageColumns(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    for (const k of ['operator', 'tech', 'polyRing', 'ringVertex', 'coords'] as const) expect([...back[k]]).toEqual([...c[k]]);
    expect(back.techs).toEqual(c.techs);
    expect(back.coords[20]).toBe(114.123456789);
    const empty = encodeCoverageColumns(toCoverageColumns([]));
    const none = decodeCoverageColumns(empty.buffer as ArrayBuffer);
    expect([none.operator.length, none.coords.length, [...none.polyRing], [...none.ringVertex]]).toEqual([0, 0, [0], [0]]);
  });

  it('refuse bytes that are not coverage columns, naming what is wrong', () => {
    expect(() => decodeCoverageColumns(encodeColumns(toColumns([], 'v')).buffer as ArrayBuffer)).toThrow(/not an ACV1 body/);
    const bytes = encodeCoverageColumns(toCoverageColumns(features));
    expect(() => decodeCoverageColumns(bytes.buffer.slice(0, bytes.byteLength - 1) as ArrayBuffer)).toThrow(/expected \d+ bytes for 3 polygons, 4 rings and 20 vertices/);
  });
});
