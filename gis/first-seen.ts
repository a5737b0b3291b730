// First occurrence of each string among many, for duplicate checks over millions of rows: an open-addressing
// table of row indices into the caller's own column. A Map of half a million fresh strings costs several times more.

const EMPTY = 0;

export class FirstSeen {
  private slots = new Int32Array(1024);
  /** Each slot's hash: compared before the strings (which sit elsewhere in memory), and reused when growing. */
  private hashes = new Int32Array(1024);
  private count = 0;

  /** `keys[i]` is the string of row i; a row's string must be in place before check() is called for it. */
  constructor(private readonly keys: readonly (string | undefined)[]) {}

  /** The earlier row holding `keys[row]`, or -1 when it is new (the row is then recorded). */
  check(row: number): number {
    const key = this.keys[row]!;
    const h = hash(key);
    const mask = this.slots.length - 1;
    let j = h & mask;
    for (let v = this.slots[j]; v !== EMPTY; v = this.slots[j]) {
      if (this.hashes[j] === h && this.keys[v - 1] === key) return v - 1;
      j = (j + 1) & mask;
    }
    this.slots[j] = row + 1;
    this.hashes[j] = h;
    if (++this.count * 2 > this.slots.length) this.grow();
    return -1;
  }

  private grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(2 * slots.length);
    this.hashes = new Int32Array(2 * slots.length);
    const mask = this.slots.length - 1;
    for (let s = 0; s < slots.length; s++) {
      if (slots[s] === EMPTY) continue;
      let k = hashes[s] & mask;
      while (this.slots[k] !== EMPTY) k = (k + 1) & mask;
      this.slots[k] = slots[s];
      this.hashes[k] = hashes[s];
    }
  }
}

/** FNV-1a over UTF-16 code units. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  // As an int32, the way the Int32Array of hashes keeps it (the empty string never goes through imul).
  return h | 0;
}
