import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Flatbush from 'flatbush';
import { booleanPointInPolygon } from '@turf/turf';
import { counties, focusCounties, listedVillages } from '../../seeds/campaign';
import { divisions2020 } from '../../seeds/divisions';
import { buildDemoModel, DEMO_PRESETS, generateDemo, writeDemoFiles, type Demo } from '../../seeds/demo';
import type { Feature, Position } from '../../gis/types';

const sha = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');

let demo: Demo;
beforeAll(() => { demo = generateDemo(); });

const allMobile = () => [...demo.mobile.CMCC.features, ...demo.mobile.CT.features, ...demo.mobile.CU.features];
function polygonsOf(f: Feature): Position[][][] {
  const g = f.geometry as { type: string; coordinates: unknown };
  return g.type === 'Polygon' ? [g.coordinates as Position[][]] : (g.coordinates as Position[][][]);
}

function signedArea(ring: Position[]): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s / 2;
}

function segmentsCross(a: Position, b: Position, c: Position, d: Position): boolean {
  const o = (p: Position, q: Position, r: Position) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
}

/** Rings must not cross themselves or each other; non-adjacent segments only (adjacent ones share a vertex). */
function ringsCross(rings: Position[][]): boolean {
  const segs: [Position, Position, number, number][] = [];
  rings.forEach((r, ri) => { for (let i = 0; i + 1 < r.length; i++) segs.push([r[i], r[i + 1], ri, i]); });
  for (let i = 0; i < segs.length; i++) {
    for (let j = i + 1; j < segs.length; j++) {
      const [a, b, ra, ia] = segs[i];
      const [c, d, rb, ib] = segs[j];
      if (ra === rb && (ib === ia + 1 || (ia === 0 && ib === rings[ra].length - 2))) continue;
      if (segmentsCross(a, b, c, d)) return true;
    }
  }
  return false;
}

function coverageIndex(features: Feature[]): (x: number, y: number) => boolean {
  const fb = new Flatbush(Math.max(1, features.length));
  for (const f of features) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const p of polygonsOf(f)) for (const [x, y] of p[0]) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
    fb.add(x0, y0, x1, y1);
  }
  if (!features.length) fb.add(0, 0, 0, 0);
  fb.finish();
  return (x, y) => fb.search(x, y, x, y).some((k) => k < features.length && booleanPointInPolygon([x, y], features[k] as never));
}

describe('generateDemo determinism and options', () => {
  it('same seed gives byte-identical output; another seed differs', () => {
    const a = generateDemo({ seed: 7, settlements: 3500 });
    const b = generateDemo({ seed: 7, settlements: 3500 });
    const c = generateDemo({ seed: 8, settlements: 3500 });
    expect(sha(a)).toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
    // Without polygon targets a non-default size gets no filler polygons.
    const cells = a.mobile.CMCC.features.length + a.mobile.CT.features.length + a.mobile.CU.features.length;
    expect(cells).toBeLessThan(DEMO_PRESETS.S.mobilePolygons);
    expect(a.sites.features.length).toBe(cells);
  });

  it('rejects sizes below one settlement per 村委会 village and bad seeds', () => {
    expect(() => generateDemo({ settlements: 100 })).toThrow(/settlements must be an integer >= 3465/);
    expect(() => generateDemo({ seed: 1.5 })).toThrow(RangeError);
    expect(() => generateDemo({ mobilePolygons: -1 })).toThrow(/mobilePolygons/);
  });

  it('exports the size presets', () => {
    expect(DEMO_PRESETS.M).toEqual({ settlements: 50_000, mobilePolygons: 45_000, broadbandPolygons: 19_500 });
    expect(DEMO_PRESETS.L).toEqual({ settlements: 500_000, mobilePolygons: 300_000, broadbandPolygons: 200_000 });
    expect(DEMO_PRESETS.S.settlements).toBe(20_000);
  });

  it('preset M plans exactly its polygon counts (fillers top up, never replace)', () => {
    const { world, plan } = buildDemoModel({ seed: 2020, ...DEMO_PRESETS.M });
    expect(world.x.length).toBe(50_000);
    expect(plan.cells.length).toBe(45_000);
    expect(plan.access.length).toBe(19_500);
    expect(plan.unplaced.mobile / 50_000).toBeLessThan(0.01);
  });
});

describe('settlements', () => {
  it('has 20,000 canonical, synthetic settlements with unique ids', () => {
    const fs = demo.settlements.features;
    expect(fs).toHaveLength(20_000);
    expect(demo.settlements).toMatchObject({ synthetic: true, source: '演示数据' });
    const ids = new Set(fs.map((f) => f.properties!.id));
    expect(ids.size).toBe(fs.length);
    const villages = new Map(divisions2020().villages.map((v) => [v.code, v]));
    const townships = new Map(divisions2020().townships.map((t) => [t.code, t.name]));
    const countyNames = new Map(counties().map((c) => [c.code, c.name]));
    let small = 0;
    const bad: string[] = [];
    for (const f of fs) {
      const p = f.properties as Record<string, unknown>;
      const v = villages.get(p.code as string);
      const h = p.households as number;
      const [lon, lat] = (f.geometry as { coordinates: number[] }).coordinates;
      const ok = /^S\d{6}$/.test(p.id as string) && /^[\u4e00-\u9fff]{2,4}$/.test(p.name as string)
        && Number.isInteger(h) && h >= 1 && h <= 320 && v?.kind === 'village' && p.village === v.name
        && p.township === townships.get(v.townshipCode) && p.county === countyNames.get(v.countyCode)
        && p.synthetic === true && p.source === '演示数据' && typeof p.committee === 'boolean'
        && lon > 113.9 && lon < 116.6 && lat > 24.5 && lat < 27.2;
      if (!ok) bad.push(JSON.stringify(f));
      if (h < 25) small++;
    }
    expect(bad.slice(0, 3)).toEqual([]);
    expect(small / fs.length).toBeGreaterThan(0.3);
    expect(small / fs.length).toBeLessThan(0.6);
    expect(new Set(fs.map((f) => f.properties!.county)).size).toBe(18);
  });

  it('has exactly one committee seat per 村委会 village, every listed village included', () => {
    const seats = new Map<string, number>();
    for (const f of demo.settlements.features) {
      const p = f.properties!;
      if (p.committee) seats.set(p.code as string, (seats.get(p.code as string) ?? 0) + 1);
    }
    const villageCodes = divisions2020().villages.filter((v) => v.kind === 'village').map((v) => v.code);
    expect(seats.size).toBe(villageCodes.length);
    expect([...seats.values()].every((n) => n === 1)).toBe(true);
    for (const v of listedVillages()) expect(seats.get(v.code!), v.listedName).toBe(1);
  });
});

describe('coverage polygons', () => {
  it('are valid: closed, outer CCW, holes CW and inside, no crossings, 20-40 vertices per outer ring', () => {
    let holes = 0, multi = 0;
    const bad: string[] = [];
    for (const f of [...allMobile(), ...demo.broadband.features]) {
      const polys = polygonsOf(f);
      if (polys.length > 1) multi++;
      if (polys.some((p) => p.length > 1)) holes++;
      for (const rings of polys) {
        const outer = rings[0];
        const closed = rings.every((r) => r.length >= 4 && r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1]);
        const vertices = outer.length - 1;
        const holesOk = rings.slice(1).every((h) => signedArea(h) < 0
          && h.every((p) => booleanPointInPolygon(p, { type: 'Polygon', coordinates: [outer] }, { ignoreBoundary: true })));
        const ok = closed && signedArea(outer) > 0 && vertices <= 40 && (polys.length > 1 || vertices >= 20) && holesOk && !ringsCross(rings);
        if (!ok) bad.push(String(f.properties!.id));
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
    const n = allMobile().length;
    expect(holes / n).toBeGreaterThan(0.12);
    expect(holes / n).toBeLessThan(0.3);
    expect(multi).toBeGreaterThan(50);
  });

  it('carry operator, tech and the synthetic flag; a few 5G cells sit near county seats', () => {
    for (const op of ['CMCC', 'CT', 'CU'] as const) {
      expect(demo.mobile[op].synthetic).toBe(true);
      const site = new RegExp(`^${op}-\\d{6}$`);
      const bad = demo.mobile[op].features.filter((f) => {
        const p = f.properties!;
        return p.operator !== op || p.synthetic !== true || p.source !== '演示数据' || !['4G', '5G'].includes(p.tech as string) || !site.test(p.site as string);
      });
      expect(bad.slice(0, 3)).toEqual([]);
    }
    const fiveG = allMobile().filter((f) => f.properties!.tech === '5G');
    expect(fiveG.length).toBeGreaterThan(0);
    expect(fiveG.length).toBeLessThan(allMobile().length * 0.05);
    expect(demo.broadband.features.filter((f) => f.properties!.tech !== 'FTTH' || f.properties!.synthetic !== true)).toEqual([]);
    expect(new Set(demo.broadband.features.map((f) => f.properties!.operator))).toEqual(new Set(['CMCC', 'CT', 'CU']));
    expect(allMobile().length).toBe(26_000);
    expect(demo.broadband.features.length).toBe(10_000);
  });

  it('lists one site point per cell with azimuth, beamwidth and radius', () => {
    expect(demo.sites.features).toHaveLength(allMobile().length);
    const cellIds = new Set(allMobile().map((f) => f.properties!.id));
    const bad = demo.sites.features.filter((f) => {
      const p = f.properties!;
      const az = p.azimuth as number | null;
      const r = p.radius_m as number;
      return !cellIds.has(p.id) || p.synthetic !== true || r < 100 || r > 6000
        || (p.beamwidth === 360 ? az !== null : !(az !== null && az >= 0 && az < 360));
    });
    expect(bad.slice(0, 3)).toEqual([]);
  });
});

describe('coverage rates (brute-force point-in-polygon)', () => {
  it('hit the city targets, vary by county, and leave findings at listed committee seats', () => {
    const in4G = coverageIndex(allMobile().filter((f) => f.properties!.tech === '4G'));
    const inBB = coverageIndex(demo.broadband.features);
    const by = new Map<string, { n: number; m: number; b: number }>();
    const listed = new Set(listedVillages().map((v) => v.code));
    const seatNo4G: string[] = [];
    const seatNoBB: string[] = [];
    for (const f of demo.settlements.features) {
      const p = f.properties!;
      const [x, y] = (f.geometry as { coordinates: number[] }).coordinates;
      const m = in4G(x, y), b = inBB(x, y);
      if (p.committee && listed.has(p.code as string)) {
        if (!m) seatNo4G.push(p.code as string);
        if (!b) seatNoBB.push(p.code as string);
      }
      if ((p.households as number) < 25) continue;
      const g = by.get(p.county as string) ?? { n: 0, m: 0, b: 0 };
      g.n++; g.m += +m; g.b += +b;
      by.set(p.county as string, g);
    }
    const city = [...by.values()].reduce((a, g) => ({ n: a.n + g.n, m: a.m + g.m, b: a.b + g.b }), { n: 0, m: 0, b: 0 });
    expect(city.m / city.n).toBeGreaterThan(0.93);
    expect(city.m / city.n).toBeLessThan(0.96);
    expect(city.b / city.n).toBeGreaterThan(0.70);
    expect(city.b / city.n).toBeLessThan(0.80);
    const rate = (name: string) => { const g = by.get(name)!; return { m: g.m / g.n, b: g.b / g.n }; };
    const names = [...by.keys()];
    expect(names.some((c) => rate(c).m >= 0.95) && names.some((c) => rate(c).m < 0.95)).toBe(true);
    expect(names.some((c) => rate(c).b >= 0.75) && names.some((c) => rate(c).b < 0.75)).toBe(true);
    const focus = focusCounties().map((c) => c.name);
    expect(focus.some((c) => rate(c).m < 0.95)).toBe(true);
    expect(focus.some((c) => rate(c).b < 0.75)).toBe(true);
    expect(focus.some((c) => rate(c).m >= 0.95)).toBe(true);
    // The geometry honours the plan exactly: only the chosen listed seats lack coverage.
    expect(seatNo4G.sort()).toEqual(demo.exceptions.mobile);
    expect(seatNoBB.sort()).toEqual(demo.exceptions.broadband);
    expect(seatNo4G.length).toBeGreaterThan(0);
    expect(seatNoBB.length).toBeGreaterThan(0);
  });
});

describe('boundaries', () => {
  it('are labelled schematic and synthetic, one per county and township, without overlaps', () => {
    const fs = demo.boundaries.features;
    const countyFs = fs.filter((f) => f.properties!.level === 'county');
    const townshipFs = fs.filter((f) => f.properties!.level === 'township');
    expect(countyFs).toHaveLength(18);
    expect(townshipFs).toHaveLength(divisions2020().townships.length);
    for (const f of fs) {
      expect(f.properties).toMatchObject({ synthetic: true, schematic: true });
      expect(f.properties!.code).toMatch(/^\d{6}(\d{3})?$/);
      expect(signedArea((f.geometry as { coordinates: Position[][] }).coordinates[0])).toBeGreaterThan(0);
    }
    // Sample points: each lies in at most one county and at most one township.
    let state = 1;
    const rnd = () => ((state = (state * 48271) % 2147483647) / 2147483647);
    for (let k = 0; k < 600; k++) {
      const pt = [113.9 + 2.7 * rnd(), 24.5 + 2.7 * rnd()];
      expect(countyFs.filter((f) => booleanPointInPolygon(pt, f as never)).length).toBeLessThanOrEqual(1);
      expect(townshipFs.filter((f) => booleanPointInPolygon(pt, f as never)).length).toBeLessThanOrEqual(1);
    }
    // Every settlement lies in its own county's schematic cell.
    const cell = new Map(countyFs.map((f) => [f.properties!.name, f]));
    for (const s of demo.settlements.features.filter((_, i) => i % 50 === 0)) {
      expect(booleanPointInPolygon((s.geometry as { coordinates: number[] }).coordinates, cell.get(s.properties!.county)! as never)).toBe(true);
    }
  });
});

describe('writeDemoFiles', () => {
  it('streams the same features generateDemo returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atlas-demo-'));
    try {
      const opts = { seed: 3, settlements: 3500, mobilePolygons: 9000, broadbandPolygons: 4000 };
      const r = await writeDemoFiles(dir, opts);
      const d = generateDemo(opts);
      const read = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
      expect(read(r.files.settlements)).toEqual(d.settlements);
      expect(r.files.mobile.map(read)).toEqual([d.mobile.CMCC, d.mobile.CT, d.mobile.CU]);
      expect(read(r.files.broadband)).toEqual(d.broadband);
      expect(read(r.files.sites)).toEqual(d.sites);
      expect(read(r.files.boundaries)).toEqual(d.boundaries);
      expect(r.counts).toMatchObject({ settlements: 3500, mobilePolygons: 9000, broadband: 4000, boundaries: 18 + divisions2020().townships.length });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
