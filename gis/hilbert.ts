// Hilbert-curve keys and a radix sort by key: what puts boxes and points in an order where neighbours on the
// curve are neighbours on the map (the R-trees here and in the workspace, the classifier's point order).

/**
 * Indices 0..n-1 ordered by key: a stable two-pass radix sort on 16-bit digits. One loop per helper: V8 optimizes a
 * long loop on the spot (on-stack replacement), and a function of several such loops was compiled again at each
 * next loop, for every file of an analysis.
 */
export function sortByKey(keys: Uint32Array): Uint32Array {
  const n = keys.length;
  const counts = new Uint32Array(1 << 16);
  const low = new Uint32Array(n);
  countDigits(keys, 0, counts);
  toStarts(counts);
  scatterIndices(keys, counts, low);
  counts.fill(0);
  countDigits(keys, 16, counts);
  toStarts(counts);
  const out = new Uint32Array(n);
  scatterBy(keys, 16, low, counts, out);
  return out;
}

function countDigits(keys: Uint32Array, shift: number, counts: Uint32Array): void {
  for (let i = 0; i < keys.length; i++) counts[(keys[i] >>> shift) & 0xffff]++;
}

/** Counts → each digit's first place. */
function toStarts(counts: Uint32Array): void {
  for (let d = 0, sum = 0; d < counts.length; d++) {
    const c = counts[d];
    counts[d] = sum;
    sum += c;
  }
}

/** The first pass: indices 0..n-1 by their low digit. */
function scatterIndices(keys: Uint32Array, starts: Uint32Array, out: Uint32Array): void {
  for (let i = 0; i < keys.length; i++) out[starts[keys[i] & 0xffff]++] = i;
}

function scatterBy(keys: Uint32Array, shift: number, src: Uint32Array, starts: Uint32Array, out: Uint32Array): void {
  for (let i = 0; i < src.length; i++) {
    const id = src[i];
    out[starts[(keys[id] >>> shift) & 0xffff]++] = id;
  }
}

/**
 * Hilbert curve index of (x, y) in [0, 2^16): rawrunprotected's "Fast Hilbert curve generation", as in flatbush.
 * Its 32 bits come as a signed integer (store it in a Uint32Array to read the index): an unsigned result past 2^31
 * is no small integer, and V8 discarded the optimized loop calling this the first time one came.
 */
export function hilbert(x: number, y: number): number {
  let a = x ^ y;
  let b = 0xffff ^ a;
  let c = 0xffff ^ (x | y);
  let d = x & (y ^ 0xffff);

  let A = a | (b >> 1);
  let B = (a >> 1) ^ a;
  let C = c ^ ((c >> 1) ^ (b & (d >> 1)));
  let D = d ^ ((a & (c >> 1)) ^ (d >> 1));

  a = (A & (A >> 2)) ^ (B & (B >> 2));
  b = (A & (B >> 2)) ^ (B & ((A ^ B) >> 2));
  c = C ^ ((A & (C >> 2)) ^ (B & (D >> 2)));
  d = D ^ ((B & (C >> 2)) ^ ((A ^ B) & (D >> 2)));

  A = (a & (a >> 4)) ^ (b & (b >> 4));
  B = (a & (b >> 4)) ^ (b & ((a ^ b) >> 4));
  C = c ^ ((a & (c >> 4)) ^ (b & (d >> 4)));
  D = d ^ ((b & (c >> 4)) ^ ((a ^ b) & (d >> 4)));

  c = C ^ ((A & (C >> 8)) ^ (B & (D >> 8)));
  d = D ^ ((B & (C >> 8)) ^ ((A ^ B) & (D >> 8)));

  c ^= c >> 1;
  d ^= d >> 1;
  a = x ^ y;
  b = d | (0xffff ^ (a | c));

  a = (a | (a << 8)) & 0x00ff00ff;
  a = (a | (a << 4)) & 0x0f0f0f0f;
  a = (a | (a << 2)) & 0x33333333;
  a = (a | (a << 1)) & 0x55555555;

  b = (b | (b << 8)) & 0x00ff00ff;
  b = (b | (b << 4)) & 0x0f0f0f0f;
  b = (b | (b << 2)) & 0x33333333;
  b = (b | (b << 1)) & 0x55555555;

  return (b << 1) | a;
}
