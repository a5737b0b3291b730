// sortByKey against a stable comparison sort: random 32-bit keys, many repeats, and keys equal in one 16-bit half.
import { describe, expect, it } from 'vitest';
import { sortByKey } from '../../gis/hilbert';
import { mulberry32 } from './helpers';

function reference(keys: Uint32Array): number[] {
  return Array.from(keys.keys()).sort((a, b) => keys[a] - keys[b] || a - b);
}

describe('sortByKey', () => {
  it('orders indices by key, ties in index order', () => {
    const rand = mulberry32(11);
    const cases = [
      Uint32Array.from({ length: 5000 }, () => Math.floor(rand() * 2 ** 32)),
      Uint32Array.from({ length: 5000 }, () => Math.floor(rand() * 40)),
      // Same low half, different high halves; then the reverse: each pass must order by its own digit.
      Uint32Array.from({ length: 3000 }, () => (Math.floor(rand() * 65536) << 16 >>> 0) | 0x1234),
      Uint32Array.from({ length: 3000 }, () => 0xabcd0000 + Math.floor(rand() * 65536)),
      new Uint32Array([0xffffffff, 0, 0x10000, 0xffff, 0x10000, 1]),
    ];
    for (const keys of cases) expect(Array.from(sortByKey(keys))).toEqual(reference(keys));
    expect(Array.from(sortByKey(new Uint32Array(0)))).toEqual([]);
  });
});
