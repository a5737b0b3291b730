// Distinct strings numbered in order of first appearance: a column of repeated names (counties, villages,
// settlement names) becomes indices into one short list, for the wire and for atlas_cache alike.

/** The index written for a missing (undefined) value. */
export const MISSING = 0xffffffff;

export class StringDictionary {
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();

  /** The index of `value`, numbered when first seen. */
  add(value: string): number {
    let k = this.index.get(value);
    if (k === undefined) {
      k = this.strings.length;
      this.strings.push(value);
      this.index.set(value, k);
    }
    return k;
  }

  /** The indices of values[0, count), MISSING where a value is undefined. */
  column(values: readonly (string | undefined)[], count = values.length): Uint32Array {
    const out = new Uint32Array(count);
    // Rows come grouped (a village's settlements together): a value equal to the previous row's skips the map.
    let last: string | undefined;
    let lastIndex = MISSING;
    for (let i = 0; i < count; i++) {
      const v = values[i];
      if (v !== last) {
        last = v;
        lastIndex = v === undefined ? MISSING : this.add(v);
      }
      out[i] = lastIndex;
    }
    return out;
  }
}
