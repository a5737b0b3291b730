// The .shp reader takes the file a piece at a time: the same records, problems and truncation wherever the pieces are
// cut, and a record is read from its own bytes only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShpReader, type ShpRecord } from '../../data/import/formats/shp';
import { FileProblem } from '../../data/import/issues';
import { shp } from '../fixtures/bad/build';

type Pt = [number, number];

/** Polygons of 1–3 rings (a clockwise outer ring, counter-clockwise holes inside it), one with too few positions. */
function polygons(n: number): Pt[][][] {
  return Array.from({ length: n }, (_, i) => {
    const x = 115 + i / 100, y = 25 + (i % 7) / 100;
    const outer: Pt[] = [[x, y], [x, y + 0.01], [x + 0.01, y + 0.01], [x + 0.01, y], [x, y]];
    const hole: Pt[] = [[x + 0.002, y + 0.002], [x + 0.004, y + 0.002], [x + 0.004, y + 0.004], [x + 0.002, y + 0.002]];
    if (i % 13 === 5) return [[[x, y], [x + 1, y], [x, y]]];
    return i % 3 === 0 ? [outer, hole] : [outer];
  });
}

type Read = { records: ShpRecord[] } | { problem: string; records: ShpRecord[] };

async function readAll(bytes: Uint8Array, cuts: number[]): Promise<Read> {
  const pieces = (async function* () {
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      yield bytes.slice(at, cut);
      at = cut;
    }
  })();
  const records: ShpRecord[] = [];
  try {
    const reader = await ShpReader.open(pieces, 'a.shp');
    for (;;) {
      const rec = reader.next();
      if (rec) records.push(rec);
      else if (reader.done) return { records };
      else await reader.more();
    }
  } catch (e) {
    if (!(e instanceof FileProblem)) throw e;
    return { problem: e.message, records };
  }
}

const cutsOf = (length: number) => fc.uniqueArray(fc.integer({ min: 1, max: length - 1 }), { maxLength: 30 }).map((c) => c.sort((a, b) => a - b));

describe('ShpReader', () => {
  const points = shp({ type: 1, points: Array.from({ length: 40 }, (_, i): Pt => [115 + i / 1000, 25 + i / 1000]) }).shp;
  const rings = shp({ type: 5, parts: polygons(40) }).shp;

  it('reads points and polygons, a ring too short a problem of its record', async () => {
    const p = await readAll(points, []);
    expect(p.records).toHaveLength(40);
    expect(p.records[39]).toEqual({ index: 39, geometry: { type: 'Point', coordinates: [115.039, 25.039] } });
    const r = await readAll(rings, []);
    expect(r.records).toHaveLength(40);
    expect(r.records[0].geometry).toMatchObject({ type: 'Polygon', coordinates: [expect.any(Array), expect.any(Array)] });
    expect(r.records[5]).toEqual({ index: 5, geometry: null, problem: 'Polygon ring 0 has 3 positions; a ring needs at least 4 (3 distinct, closed)' });
  });

  it('gives the same records however the file is cut into pieces', async () => {
    for (const bytes of [points, rings]) {
      const whole = await readAll(bytes, []);
      await fc.assert(fc.asyncProperty(cutsOf(bytes.length), async (cuts) => {
        expect(await readAll(bytes, cuts)).toEqual(whole);
      }), { numRuns: 150 });
      expect(await readAll(bytes, Array.from({ length: bytes.length - 1 }, (_, k) => k + 1))).toEqual(whole);
    }
  });

  it('a cut file: the records before the cut, then the truncation named, wherever the pieces are cut', async () => {
    const cut = rings.slice(0, rings.length - 10);
    const got = await readAll(cut, []);
    expect(got).toMatchObject({ problem: expect.stringMatching(/^a\.shp: record 39 at byte \d+ runs past the end of the file \(truncated \.shp\?\)$/) });
    expect(got.records).toHaveLength(39);
    await fc.assert(fc.asyncProperty(cutsOf(cut.length), async (cuts) => {
      expect(await readAll(cut, cuts)).toEqual(got);
    }), { numRuns: 50 });
    expect(await readAll(rings.slice(0, 60), [])).toEqual({ problem: 'a.shp: shorter than the 100-byte .shp header', records: [] });
  });

  it('reads a record\'s shape from its own bytes: one declared shorter than its shape is its problem, the next record still read', async () => {
    const bytes = Buffer.from(points);
    // The second record's content length (in 16-bit words, big-endian) says 12 bytes; its point needs 20.
    const second = 100 + 28 + 4;
    bytes.writeInt32BE(6, second);
    const tail = Buffer.concat([bytes.subarray(0, 100 + 28 + 8 + 12), bytes.subarray(100 + 28 + 28)]);
    tail.writeInt32BE(tail.length / 2, 24);
    const got = await readAll(tail, []);
    expect(got.records[1]).toEqual({ index: 1, geometry: null, problem: 'Point record is shorter than its declared content (12 bytes)' });
    expect(got.records[2]).toEqual({ index: 2, geometry: { type: 'Point', coordinates: [115.002, 25.002] } });
    expect(got.records).toHaveLength(40);
  });
});
