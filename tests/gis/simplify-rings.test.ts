// simplifyRings: display detail for coverage polygons. Checked as properties (kept vertices are a subsequence with
// each ring's ends, every dropped vertex lies within the tolerance of the outline that replaced it) over sector
// wedges like the operators' and seeded random rings.
import { describe, expect, it } from 'vitest';
import { simplifyRings, type PackedRings } from '../../gis/simplify-rings';

function pack(rings: number[][][]): PackedRings {
  const ringVertex = [0];
  const coords: number[] = [];
  for (const ring of rings) {
    for (const [x, y] of ring) coords.push(x, y);
    ringVertex.push(coords.length / 2);
  }
  return { ringVertex: Uint32Array.from(ringVertex), coords: Float64Array.from(coords) };
}

function unpack(p: PackedRings): number[][][] {
  const out: number[][][] = [];
  for (let r = 0; r + 1 < p.ringVertex.length; r++) {
    const ring: number[][] = [];
    for (let v = p.ringVertex[r]; v < p.ringVertex[r + 1]; v++) ring.push([p.coords[2 * v], p.coords[2 * v + 1]]);
    out.push(ring);
  }
  return out;
}

/** A sector as the demo and the operators draw it: the site, then an arc of `steps` + 1 vertices, closed. */
function wedge(lon: number, lat: number, radiusKm: number, from: number, to: number, steps: number): number[][] {
  const ring = [[lon, lat]];
  for (let k = 0; k <= steps; k++) {
    const a = ((from + ((to - from) * k) / steps) * Math.PI) / 180;
    ring.push([lon + (radiusKm / 111.32 / Math.cos((lat * Math.PI) / 180)) * Math.sin(a), lat + (radiusKm / 110.57) * Math.cos(a)]);
  }
  ring.push([lon, lat]);
  return ring;
}

/** Distance from p to segment a–b as a Web Mercator map measures it near latitude lat0 (degrees of longitude). */
function mercatorDistance(p: number[], a: number[], b: number[], lat0: number): number {
  const s = 1 / Math.cos((lat0 * Math.PI) / 180);
  const px = p[0] - a[0], py = (p[1] - a[1]) * s, ex = b[0] - a[0], ey = (b[1] - a[1]) * s;
  const len2 = ex * ex + ey * ey;
  const t = len2 > 0 ? Math.max(0, Math.min(1, (px * ex + py * ey) / len2)) : 0;
  return Math.hypot(px - t * ex, py - t * ey);
}

/** Asserts the simplified ring is a subsequence of the original keeping its ends, within `tolerance` everywhere. */
function expectFaithful(original: number[][], simplified: number[][], tolerance: number): void {
  expect(simplified[0]).toEqual(original[0]);
  expect(simplified.at(-1)).toEqual(original.at(-1));
  let at = 0;
  for (let k = 1; k < simplified.length; k++) {
    const next = original.findIndex((v, i) => i > at && v[0] === simplified[k][0] && v[1] === simplified[k][1]);
    expect(next).toBeGreaterThan(at);
    for (let i = at + 1; i < next; i++) {
      expect(mercatorDistance(original[i], original[at], original[next], original[0][1])).toBeLessThanOrEqual(tolerance * (1 + 1e-9));
    }
    at = next;
  }
  expect(at).toBe(original.length - 1);
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('simplifyRings', () => {
  const zoom10 = 360 / (512 * 1024) / 4;

  it('drops the arc vertices a map at zoom 10 cannot show and keeps the wedge', () => {
    const ring = wedge(115.4, 25.9, 2, 30, 150, 24);
    const out = unpack(simplifyRings(pack([ring]), zoom10))[0];
    expect(out.length).toBeLessThan(ring.length / 2);
    expect(out.length).toBeGreaterThanOrEqual(4);
    expectFaithful(ring, out, zoom10);
  });

  it('keeps rings of fewer than five vertices and every vertex that stands out', () => {
    const triangle = [[115, 26], [115.1, 26], [115.05, 26.1], [115, 26]];
    const square = [[115, 26], [115.1, 26], [115.1, 26.1], [115, 26.1], [115, 26]];
    const out = unpack(simplifyRings(pack([triangle, square]), 0.001));
    expect(out).toEqual([triangle, square]);
  });

  it('simplifies each ring of a polygon with holes on its own, offsets and all', () => {
    const outer = wedge(115, 26, 5, 0, 355, 71);
    const hole = wedge(115, 26, 1, 0, 350, 35).slice(1, -1);
    hole.push(hole[0]);
    const small = [[116, 25], [116.001, 25], [116.001, 25.001], [116, 25]];
    const input = pack([outer, hole, small]);
    const result = simplifyRings(input, 0.002);
    const out = unpack(result);
    expect(out).toHaveLength(3);
    expectFaithful(outer, out[0], 0.002);
    expectFaithful(hole, out[1], 0.002);
    expect(out[2]).toEqual(small);
    expect(result.ringVertex[0]).toBe(0);
    expect(result.ringVertex[3] * 2).toBe(result.coords.length);
  });

  it('stays within the tolerance on seeded random rings, at several tolerances', () => {
    const random = seeded(2020);
    for (let trial = 0; trial < 200; trial++) {
      const n = 5 + Math.floor(random() * 60);
      const lat = 24.5 + random() * 3;
      const ring: number[][] = [];
      for (let k = 0; k < n - 1; k++) ring.push([114 + random() * 0.05, lat + random() * 0.05]);
      ring.push(ring[0]);
      const tolerance = [1e-5, 1e-4, 1e-3, 1e-2][trial % 4];
      const out = unpack(simplifyRings(pack([ring]), tolerance))[0];
      expect(out.length).toBeGreaterThanOrEqual(4);
      expectFaithful(ring, out, tolerance);
    }
  });

  it('measures latitude as the map stretches it: wedges the same size on the map keep as many vertices at 10° and 60°', () => {
    const south = wedge(115, 10, 2, 0, 120, 40), north = wedge(115, 60, 2 * Math.cos((60 * Math.PI) / 180) / Math.cos((10 * Math.PI) / 180), 0, 120, 40);
    const tolerance = 1e-4;
    const s = unpack(simplifyRings(pack([south]), tolerance))[0];
    const n = unpack(simplifyRings(pack([north]), tolerance))[0];
    expectFaithful(south, s, tolerance);
    expectFaithful(north, n, tolerance);
    // Same size on the map at both latitudes: about the same number of vertices kept.
    expect(Math.abs(s.length - n.length)).toBeLessThanOrEqual(2);
  });

  it('returns copies at tolerance 0 and never modifies its input', () => {
    const input = pack([wedge(115.4, 25.9, 2, 30, 150, 24)]);
    const before = { ringVertex: input.ringVertex.slice(), coords: input.coords.slice() };
    const same = simplifyRings(input, 0);
    expect(same).toEqual(before);
    expect(same.coords).not.toBe(input.coords);
    simplifyRings(input, 0.01);
    expect(input).toEqual(before);
    expect(simplifyRings({ ringVertex: Uint32Array.of(0), coords: new Float64Array(0) }, 0.1)).toEqual({ ringVertex: Uint32Array.of(0), coords: new Float64Array(0) });
  });

  it('rejects a tolerance that is not a finite number >= 0, and rings indexing missing vertices', () => {
    const input = pack([wedge(115, 26, 1, 0, 90, 10)]);
    for (const bad of [-1, NaN, Infinity]) expect(() => simplifyRings(input, bad)).toThrow(/tolerance .*expected a finite number of degrees >= 0/);
    expect(() => simplifyRings({ ringVertex: Uint32Array.of(0, 10), coords: new Float64Array(8) }, 0.1)).toThrow(/index 10 vertices; coords holds 4/);
  });
});
