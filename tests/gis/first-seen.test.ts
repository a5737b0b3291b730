// FirstSeen answers what a Map from string to first row answers, through its table's growth.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FirstSeen } from '../../gis/first-seen';

function reference(keys: string[]): number[] {
  const first = new Map<string, number>();
  return keys.map((k, i) => {
    const seen = first.get(k);
    if (seen !== undefined) return seen;
    first.set(k, i);
    return -1;
  });
}

describe('FirstSeen', () => {
  it('equals a Map of first rows, for any strings (empty, unicode, colliding) and any repetition', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('', '刘屋', 'S000001', '\u0000')), { maxLength: 3000 }), (keys) => {
      const column: string[] = [];
      const seen = new FirstSeen(column);
      const got = keys.map((k, i) => {
        column[i] = k;
        return seen.check(i);
      });
      expect(got).toEqual(reference(keys));
    }), { numRuns: 200 });
  });

  it('regression (first-seen-empty-string-hash): a repeated empty string is found, its hash kept as an int32', () => {
    const column = ['', ''];
    const seen = new FirstSeen(column);
    expect([seen.check(0), seen.check(1)]).toEqual([-1, 0]);
  });

  it('keeps 100,000 distinct ids and finds every repeat', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `S${i}`);
    const column: string[] = [];
    const seen = new FirstSeen(column);
    keys.forEach((k, i) => {
      column[i] = k;
      expect(seen.check(i)).toBe(-1);
    });
    for (let i = 0; i < 1000; i++) {
      column[100_000 + i] = `S${i * 97}`;
      expect(seen.check(100_000 + i)).toBe(i * 97);
    }
  });
});
