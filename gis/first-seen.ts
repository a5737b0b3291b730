// First occurrence of each string among many, for duplicate checks over millions of rows: an open-addressing
// table of row indices into the caller's own column. A Map of half a million fresh strings costs several times more.

const EMPTY = 0;

export class FirstSeen {
  private slots = new Int32Array(1024);
  private count = 0;

  /** `keys[i]` is the string of row i; a row's string must be in place before check() is called for it. */
  constructor(private readonly keys: readonly (string | undefined)[]) {}

  /** The earlier row holding `keys[row]`, or -1 when it is new (the row is then recorded). */
  check(row: number): number {
    const key = this.keys[row]!;
    let mask = this.slots.length - 1;
    let j = hash(key) & mask;
    for (let v = this.slots[j]; v !== EMPTY; v = this.slots[j]) {
      if (this.keys[v - 1] === key) return v - 1;
      j = (j + 1) & mask;
    }
    this.slots[j] = row + 1;
    if (++this.count * 2 > this.slots.length) {
      const old = this.slots;
      this.slots = new Int32Array(2 * old.length);
      mask = this.slots.length - 1;
      for (const v of old) {
        if (v === EMPTY) continue;
        let k = hash(this.keys[v - 1]!) & mask;
        while (this.slots[k] !== EMPTY) k = (k + 1) & mask;
        this.slots[k] = v;
      }
    }
    return -1;
  }
}

/** FNV-1a over UTF-16 code units. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  return h >>> 0;
}
