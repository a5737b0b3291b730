// shortString writes fromCharCode's arguments out in groups; every length up to SHORT must give apply()'s string.
import { describe, expect, it } from 'vitest';
import { SHORT, shortString } from '../../gis/scan/utf8';

describe('shortString', () => {
  it('regression (short-string-16-units): every length 0..SHORT, bytes and UTF-16 units with surrogate pairs, at any offset', () => {
    const text = '𐀀刘屋S000001𐀀屋ab𐀀cdefghij';
    const units = Uint16Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => 0x20 + i);
    for (const a of [units, bytes]) {
      for (let start = 0; start < 3; start++) {
        for (let n = 0; n <= SHORT; n++) {
          expect(shortString(a, start, start + n)).toBe(String.fromCharCode(...a.subarray(start, start + n)));
        }
      }
    }
  });
});
