// A geometry's `coordinates` as the scanner packs them: numbers in one Float64Array, arrays as offsets,
// never one JavaScript array per position. Reused feature after feature; read through CoordinateReader.
import type { CoordinateReader } from '../polygon-set';

const ARRAY = 0;
/** An array whose items are all numbers: its items are nums[start, start + length). */
const NUMBERS = 1;
/** Any other JSON value (string, boolean, null, object), kept as parsed for messages. */
const OTHER = 2;
/** An array of [x, y] pairs (the usual ring): pair k is nums[start + 2k], nums[start + 2k + 1]. */
const PAIRS = 3;
/** Ids from here on are the pairs of PAIRS nodes: id - PAIR_BASE is the index of x in nums. */
const PAIR_BASE = 2 ** 30;

/**
 * Node ids: 0 <= n < PAIR_BASE is a node (array or other value); n < 0 is the number nums[-n - 1];
 * n >= PAIR_BASE is an [x, y] pair of a PAIRS node. Items of an ARRAY node are the ids children[start, start + length).
 */
export class PackedCoordinates implements CoordinateReader<number> {
  nums = new Float64Array(4096);
  numCount = 0;
  kind = new Uint8Array(256);
  start = new Int32Array(256);
  len = new Int32Array(256);
  nodeCount = 0;
  children = new Int32Array(256);
  childCount = 0;
  others: unknown[] = [];
  /** Item ids of the arrays being parsed, innermost last. */
  stack = new Int32Array(256);
  stackTop = 0;

  reset(): void {
    this.numCount = 0;
    this.nodeCount = 0;
    this.childCount = 0;
    this.stackTop = 0;
    if (this.others.length) this.others.length = 0;
  }

  pushNumber(v: number): number {
    if (this.numCount === this.nums.length) this.nums = growF64(this.nums, this.numCount * 2);
    this.nums[this.numCount] = v;
    return -(++this.numCount);
  }

  /** A node for a non-number, non-array value (`undefined` stands for a missing member). */
  other(value: unknown): number {
    const id = this.node(OTHER, this.others.length, 0);
    this.others.push(value);
    return id;
  }

  /** A node for an array whose items are the numbers nums[start, numCount). */
  numbers(start: number): number {
    return this.node(NUMBERS, start, this.numCount - start);
  }

  /** A node for an array of `len` numbers from nums[start]. */
  numbersAt(start: number, len: number): number {
    return this.node(NUMBERS, start, len);
  }

  /** A node for an array of the [x, y] pairs nums[start, numCount). */
  pairs(start: number): number {
    return this.node(PAIRS, start, (this.numCount - start) / 2);
  }

  /** A node for an array whose item ids are stack[base, stackTop); pops them. */
  array(base: number): number {
    const n = this.stackTop - base;
    if (this.childCount + n > this.children.length) this.children = growI32(this.children, 2 * (this.childCount + n));
    this.children.set(this.stack.subarray(base, this.stackTop), this.childCount);
    const id = this.node(ARRAY, this.childCount, n);
    this.childCount += n;
    this.stackTop = base;
    return id;
  }

  push(id: number): void {
    if (this.stackTop === this.stack.length) this.stack = growI32(this.stack, this.stackTop * 2);
    this.stack[this.stackTop++] = id;
  }

  private node(kind: number, start: number, len: number): number {
    const id = this.nodeCount++;
    if (id === this.kind.length) {
      const size = id * 2;
      const k = new Uint8Array(size);
      k.set(this.kind);
      this.kind = k;
      this.start = growI32(this.start, size);
      this.len = growI32(this.len, size);
    }
    this.kind[id] = kind;
    this.start[id] = start;
    this.len[id] = len;
    return id;
  }

  isArray(node: number): boolean {
    return node >= PAIR_BASE || (node >= 0 && this.kind[node] !== OTHER);
  }

  length(node: number): number {
    return node >= PAIR_BASE ? 2 : this.len[node];
  }

  item(node: number, i: number): number {
    if (node >= PAIR_BASE) return -(node - PAIR_BASE + i + 1);
    const kind = this.kind[node];
    if (kind === PAIRS) return PAIR_BASE + this.start[node] + 2 * i;
    return kind === NUMBERS ? -(this.start[node] + i + 1) : this.children[this.start[node] + i];
  }

  number(node: number): number {
    return node < 0 ? this.nums[-node - 1] : NaN;
  }

  copyXY(ring: number, out: Float64Array, at: number, box: Float64Array): void {
    const { children, start, nums } = this;
    const pairs = this.kind[ring] === PAIRS;
    let minX = box[0], minY = box[1], maxX = box[2], maxY = box[3];
    for (let k = 0, n = this.len[ring], o = 2 * at; k < n; k++, o += 2) {
      // A validated position holds numbers only: a pair, or a NUMBERS node of two or more.
      const s = pairs ? start[ring] + 2 * k : start[children[start[ring] + k]];
      const x = nums[s], y = nums[s + 1];
      out[o] = x;
      out[o + 1] = y;
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
    box[0] = minX;
    box[1] = minY;
    box[2] = maxX;
    box[3] = maxY;
  }

  lonLatPairs(ring: number): boolean {
    if (ring < 0 || ring >= PAIR_BASE || this.kind[ring] !== PAIRS) return false;
    const nums = this.nums;
    for (let k = this.start[ring], end = k + 2 * this.len[ring]; k < end; k += 2) {
      const x = nums[k], y = nums[k + 1];
      if (!(x >= -180 && x <= 180 && y >= -90 && y <= 90)) return false;
    }
    return true;
  }

  text(node: number): string {
    if (node < 0) return String(this.nums[-node - 1]);
    if (node >= PAIR_BASE) return `${this.nums[node - PAIR_BASE]},${this.nums[node - PAIR_BASE + 1]}`;
    if (this.kind[node] === OTHER) return String(this.others[this.start[node]]);
    // Array.prototype.toString: items joined by commas, null and undefined as empty.
    const parts: string[] = [];
    for (let i = 0; i < this.len[node]; i++) {
      const item = this.item(node, i);
      const isNull = item >= 0 && this.kind[item] === OTHER && this.others[this.start[item]] == null;
      parts.push(isNull ? '' : this.text(item));
    }
    return parts.join(',');
  }
}

function growF64(a: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}

function growI32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}
