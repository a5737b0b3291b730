// StringDictionary numbers distinct strings in order of first appearance, whatever the runs of repeats.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MISSING, StringDictionary } from '../../gis/dictionary';

describe('StringDictionary', () => {
  it('column() equals numbering by a Map, with runs, undefined values and several columns in one dictionary', () => {
    const value = fc.option(fc.constantFrom('于都县', '宁都县', '', 'a', 'b', '\u0000'), { nil: undefined });
    const runs = fc.array(fc.tuple(value, fc.integer({ min: 1, max: 4 })), { maxLength: 40 })
      .map((rs) => rs.flatMap(([v, n]) => Array.from({ length: n }, () => v)));
    fc.assert(fc.property(fc.array(runs, { minLength: 1, maxLength: 3 }), (columns) => {
      const d = new StringDictionary();
      const seen = new Map<string, number>();
      for (const column of columns) {
        const expected = column.map((v) => {
          if (v === undefined) return MISSING;
          if (!seen.has(v)) seen.set(v, seen.size);
          return seen.get(v)!;
        });
        expect([...d.column(column)]).toEqual(expected);
      }
      expect(d.strings).toEqual([...seen.keys()]);
    }), { numRuns: 300 });
  });
});
