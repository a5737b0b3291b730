// The demo's synthetic world: schematic county and township cells around the real county seats, a centre
// for every real 村委会 village (NBS 2020), and settlements in typed arrays with the coverage each operator
// is meant to give them. Coverage polygons (coverage.ts) are then drawn to honour these intentions.
import { countySeats, listedVillages } from '../campaign';
import { divisions2020, type VillageDivision } from '../divisions';
import { area, inConvex, toPlane, voronoiCell, bbox, type XY } from './geom';
import { Grid } from './grid';
import { Rng, STREAM } from './prng';

/** Ganzhou's rough outline (113.9–116.6 E, 24.5–27.2 N) as a convex ring; schematic, not a boundary. */
export const GANZHOU_HULL_LONLAT: readonly [number, number][] = [
  [114.3, 24.5], [115.9, 24.5], [116.45, 25.2], [116.6, 26.0], [116.4, 26.7], [116.0, 27.2],
  [115.5, 27.0], [114.6, 26.3], [113.9, 25.8], [113.9, 25.2],
];

/**
 * Intended coverage of eligible settlements (by count) per county: [4G, broadband]. Chosen so that some
 * counties meet the 95 % / 75 % targets and some do not, including focus counties on both sides.
 */
export const COUNTY_TARGETS: Record<string, [number, number]> = {
  章贡区: [0.985, 0.92], 南康区: [0.97, 0.82], 赣县区: [0.957, 0.78], 信丰县: [0.962, 0.77], 大余县: [0.955, 0.73],
  上犹县: [0.93, 0.70], 崇义县: [0.92, 0.66], 安远县: [0.935, 0.70], 定南县: [0.965, 0.78], 全南县: [0.94, 0.72],
  宁都县: [0.925, 0.72], 于都县: [0.966, 0.71], 兴国县: [0.943, 0.775], 会昌县: [0.953, 0.74], 寻乌县: [0.93, 0.69],
  石城县: [0.958, 0.76], 瑞金市: [0.97, 0.80], 龙南市: [0.965, 0.79],
};

export const MIN_HOUSEHOLDS = 25;
/** Operator bits in the per-settlement masks: CMCC, CT, CU. */
export const OPS = ['CMCC', 'CT', 'CU'] as const;

export interface WorldCounty { code: string; name: string; seat: XY; cell: XY[]; target: [number, number] }
export interface WorldTownship { code: string; name: string; county: number; centre: XY; cell: XY[] }
export interface WorldVillage {
  code: string; name: string; township: number; county: number; x: number; y: number;
  radius: number; mountain: number; urban: number; first: number; count: number; listed: boolean;
}

export interface World {
  seed: number;
  counties: WorldCounty[];
  townships: WorldTownship[];
  villages: WorldVillage[];
  /** Settlement i: position (km plane), households, village index, distance from the village centre / radius. */
  x: Float64Array;
  y: Float64Array;
  households: Uint16Array;
  village: Int32Array;
  rho: Float32Array;
  /** Bit o set when operator OPS[o] is meant to cover the settlement (4G / FTTH). */
  mobileMask: Uint8Array;
  broadbandMask: Uint8Array;
  /** Listed villages whose committee seat is deliberately left without 4G / broadband. */
  exceptions: { mobile: string[]; broadband: string[] };
}

const dist = (ax: number, ay: number, bx: number, by: number) => Math.hypot(ax - bx, ay - by);

function randomInCell(rng: Rng, cell: XY[]): XY {
  const [x0, y0, x1, y1] = bbox(cell);
  for (;;) {
    const x = rng.range(x0, x1);
    const y = rng.range(y0, y1);
    if (inConvex(cell, x, y)) return [x, y];
  }
}

/** Mitchell's best candidate: well spread points without a fixed grid. */
function bestCandidate(rng: Rng, cell: XY[], placed: XY[], tries: number): XY {
  let best: XY = randomInCell(rng, cell);
  let bestD = -1;
  for (let k = 0; k < tries; k++) {
    const p = k === 0 ? best : randomInCell(rng, cell);
    let d = Infinity;
    for (const q of placed) d = Math.min(d, dist(p[0], p[1], q[0], q[1]));
    if (d > bestD) { bestD = d; best = p; }
  }
  return best;
}

/** Moves p towards an inside point c until it lies in the convex cell. */
function pullInside(cell: XY[], c: XY, p: XY): XY {
  let [x, y] = p;
  for (let k = 0; k < 12 && !inConvex(cell, x, y); k++) {
    x = c[0] + (x - c[0]) * 0.75;
    y = c[1] + (y - c[1]) * 0.75;
  }
  return inConvex(cell, x, y) ? [x, y] : [c[0], c[1]];
}

/** A smooth field in [0, 1]: four sinusoids with seeded directions, phases and wavelengths (km). */
function smoothField(seed: number, tag: number, minWave: number, maxWave: number): (x: number, y: number) => number {
  const rng = new Rng(seed, STREAM.noise, tag);
  const waves = Array.from({ length: 4 }, () => {
    const a = rng.range(0, Math.PI);
    const k = (2 * Math.PI) / rng.range(minWave, maxWave);
    return { kx: Math.cos(a) * k, ky: Math.sin(a) * k, ph: rng.range(0, 2 * Math.PI) };
  });
  return (x, y) => {
    let s = 0;
    for (const w of waves) s += Math.sin(w.kx * x + w.ky * y + w.ph);
    return 0.5 + s / 8;
  };
}

/**
 * Per-operator reach offsets from smooth fields: the locally strongest operator gets 0 and covers every
 * settlement meant to be covered; the others reach less far. Continuous in space, so coverage is coherent.
 */
function offsets(fields: ((x: number, y: number) => number)[], bias: number[], scale: number, x: number, y: number, mountain: number): number[] {
  const g = fields.map((f, o) => f(x, y) + bias[o]);
  const min = Math.min(...g);
  return g.map((v) => scale * (v - min) * (1 + mountain));
}

/** Thresholds so that exactly round((1 - target) * n) of a county's eligible settlements score above. */
function threshold(scores: number[], target: number): number {
  if (scores.length === 0) return Infinity;
  const sorted = scores.slice().sort((a, b) => a - b);
  const uncovered = Math.round((1 - target) * sorted.length);
  if (uncovered === 0) return Infinity;
  return sorted[sorted.length - uncovered];
}

export function buildWorld(seed: number, settlements: number): World {
  const d = divisions2020();
  const villagesAll = d.villages.filter((v) => v.kind === 'village');
  if (!Number.isInteger(settlements) || settlements < villagesAll.length) {
    throw new RangeError(`generateDemo: settlements must be an integer >= ${villagesAll.length} (one committee seat per 村委会 village), got ${settlements}`);
  }
  const hull = GANZHOU_HULL_LONLAT.map(([lon, lat]) => toPlane(lon, lat));
  const seats = countySeats();
  const relief = smoothField(seed, 0, 15, 45);
  const fine = smoothField(seed, 1, 3, 8);
  const mobileFields = [2, 3, 4].map((t) => smoothField(seed, t, 8, 25));
  const broadbandFields = [5, 6, 7].map((t) => smoothField(seed, t, 8, 25));

  const counties: WorldCounty[] = d.counties.map((c) => {
    const s = seats.find((x) => x.countyCode === c.code);
    if (!s) throw new Error(`campaign.json: no seat for county ${c.code}`);
    return { code: c.code, name: c.name, seat: toPlane(s.lon, s.lat), cell: [], target: COUNTY_TARGETS[c.name] };
  });
  const seatXY = counties.map((c) => c.seat);
  counties.forEach((c, i) => { c.cell = voronoiCell(seatXY, i, hull); });

  const townships: WorldTownship[] = [];
  counties.forEach((c, ci) => {
    const rng = new Rng(seed, STREAM.township, ci);
    const list = d.townships.filter((t) => t.countyCode === c.code);
    const seatCode = seats.find((s) => s.countyCode === c.code)?.townshipCode ?? list.find((t) => t.kind === 'subdistrict')?.code;
    const placed: XY[] = [];
    const centres = new Map<string, XY>();
    // Urban units cluster round the seat; towns and townships spread over the county.
    for (const t of list) {
      if (t.code === seatCode) centres.set(t.code, c.seat);
      else if (t.kind === 'subdistrict' || t.kind === 'other') {
        const a = rng.range(0, 2 * Math.PI);
        const r = rng.range(1.5, 5);
        centres.set(t.code, pullInside(c.cell, c.seat, [c.seat[0] + r * Math.cos(a), c.seat[1] + r * Math.sin(a)]));
      }
    }
    placed.push(c.seat);
    for (const t of list) {
      if (centres.has(t.code)) continue;
      const p = bestCandidate(rng, c.cell, placed, 24);
      centres.set(t.code, p);
      placed.push(p);
    }
    const pts = list.map((t) => centres.get(t.code)!);
    list.forEach((t, i) => {
      townships.push({ code: t.code, name: t.name, county: ci, centre: pts[i], cell: voronoiCell(pts, i, c.cell) });
    });
  });
  const townshipIndex = new Map(townships.map((t, i) => [t.code, i]));
  // Relief: far from a township centre and high on the pseudo-relief field. Continuous across cells.
  const mountainAt = (x: number, y: number, centre: XY) =>
    Math.min(1, Math.max(0, 0.55 * Math.min(1.3, dist(x, y, centre[0], centre[1]) / 8) + 0.45 * relief(x, y)));

  const listedCodes = new Set(listedVillages().map((v) => v.code));
  const byTownship = new Map<number, VillageDivision[]>();
  for (const v of villagesAll) {
    const ti = townshipIndex.get(v.townshipCode)!;
    if (!byTownship.has(ti)) byTownship.set(ti, []);
    byTownship.get(ti)!.push(v);
  }
  const villages: WorldVillage[] = [];
  for (const [ti, list] of [...byTownship].sort((a, b) => a[0] - b[0])) {
    const t = townships[ti];
    const rng = new Rng(seed, STREAM.village, ti);
    const radius = Math.min(3.5, Math.max(0.5, 0.6 * Math.sqrt(area(t.cell) / (Math.PI * list.length))));
    const placed: XY[] = [];
    list.forEach((v, k) => {
      let p: XY;
      if (k === 0) {
        const a = rng.range(0, 2 * Math.PI);
        p = pullInside(t.cell, t.centre, [t.centre[0] + rng.range(0.3, 1) * Math.cos(a), t.centre[1] + rng.range(0.3, 1) * Math.sin(a)]);
      } else p = bestCandidate(rng, t.cell, placed, 12);
      placed.push(p);
      const seat = counties[t.county].seat;
      const mountain = mountainAt(p[0], p[1], t.centre);
      villages.push({
        code: v.code, name: v.name, township: ti, county: t.county, x: p[0], y: p[1],
        radius: radius * rng.range(0.8, 1.2), mountain, urban: Math.exp(-dist(p[0], p[1], seat[0], seat[1]) / 6),
        first: 0, count: 1, listed: listedCodes.has(v.code),
      });
    });
  }

  // Settlements per village: one committee seat each, the rest by weight (largest remainder, deterministic).
  const wrng = new Rng(seed, STREAM.settlement, -1);
  const weights = villages.map((v) => (0.6 + 0.8 * wrng.next()) * (1.2 - 0.5 * v.mountain) * (1 + v.radius / 2));
  const wsum = weights.reduce((a, b) => a + b, 0);
  const extra = settlements - villages.length;
  const shares = weights.map((w) => (w / wsum) * extra);
  villages.forEach((v, i) => { v.count = 1 + Math.floor(shares[i]); });
  let left = settlements - villages.reduce((a, v) => a + v.count, 0);
  const order = shares.map((s, i) => [s - Math.floor(s), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k++, left--) villages[order[k % order.length][1]].count++;
  let first = 0;
  for (const v of villages) { v.first = first; first += v.count; }

  const n = settlements;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const households = new Uint16Array(n);
  const village = new Int32Array(n);
  const rho = new Float32Array(n);
  const mScore = new Float64Array(n);
  const bScore = new Float64Array(n);
  const mountain = new Float32Array(n);
  villages.forEach((v, vi) => {
    const cell = townships[v.township].cell;
    for (let k = 0; k < v.count; k++) {
      const i = v.first + k;
      const rng = new Rng(seed, STREAM.settlement, i);
      village[i] = vi;
      let p: XY;
      if (k === 0) {
        p = pullInside(cell, [v.x, v.y], [v.x + rng.range(-0.05, 0.05), v.y + rng.range(-0.05, 0.05)]);
        households[i] = Math.round(Math.min(320, Math.max(25, Math.exp(Math.log(80) + 0.5 * rng.normal()))));
      } else {
        const remote = rng.chance(0.1 + 0.15 * v.mountain);
        const r = (remote ? rng.range(1, 1.8) : Math.sqrt(rng.range(0.02, 1))) * v.radius * (1 + 0.5 * v.mountain);
        const a = rng.range(0, 2 * Math.PI);
        p = pullInside(cell, [v.x, v.y], [v.x + r * Math.cos(a), v.y + r * Math.sin(a)]);
      }
      x[i] = p[0];
      y[i] = p[1];
      rho[i] = dist(p[0], p[1], v.x, v.y) / v.radius;
      if (k > 0) {
        const median = 32 * (1 - 0.3 * Math.min(rho[i], 1.8));
        households[i] = Math.round(Math.min(300, Math.max(3, median * Math.exp(0.8 * rng.normal()))));
      }
    }
  });

  // Scores: high = remote. Remoteness is the smallest (distance / radius) over nearby village centres, so it
  // is continuous in space like every other term; the operator offsets below are continuous too.
  const vGrid = new Grid(villages.map((v) => v.x), villages.map((v) => v.y), 5);
  const near: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = villages[village[i]];
    let r = rho[i];
    for (const k of vGrid.near(x[i], y[i], 10, near)) r = Math.min(r, dist(x[i], y[i], villages[k].x, villages[k].y) / villages[k].radius);
    r = Math.min(r, 2);
    const m = mountainAt(x[i], y[i], townships[v.township].centre);
    const u = Math.exp(-dist(x[i], y[i], counties[v.county].seat[0], counties[v.county].seat[1]) / 6);
    const jit = new Rng(seed, STREAM.settlement, i, 1);
    mScore[i] = r + 0.7 * m + 0.5 * (fine(x[i], y[i]) - 0.5) + 0 * jit.next() - 0.6 * u;
    bScore[i] = r + 1.0 * m + 0.6 * (fine(y[i], x[i]) - 0.5) + 0 * jit.next() - 0.8 * u;
    mountain[i] = m;
  }

  // Committee seats of listed villages are covered, except a few chosen to give the 100 % check findings.
  const erng = new Rng(seed, STREAM.exception);
  const listedIdx = villages.map((v, i) => (v.listed ? i : -1)).filter((i) => i >= 0);
  for (let i = listedIdx.length - 1; i > 0; i--) {
    const j = erng.int(0, i + 1);
    [listedIdx[i], listedIdx[j]] = [listedIdx[j], listedIdx[i]];
  }
  const noMobile = new Set(listedIdx.slice(0, 3));
  const noBroadband = new Set([...listedIdx.slice(2, 6)]);
  const forced = new Int8Array(n);
  for (const vi of listedIdx) {
    const s = villages[vi].first;
    forced[s] = 1;
    if (noMobile.has(vi)) mScore[s] = Infinity;
    if (noBroadband.has(vi)) bScore[s] = Infinity;
  }

  const mT = new Float64Array(counties.length);
  const bT = new Float64Array(counties.length);
  counties.forEach((c, ci) => {
    const ms: number[] = [];
    const bs: number[] = [];
    for (const v of villages) {
      if (v.county !== ci) continue;
      for (let i = v.first; i < v.first + v.count; i++) {
        if (households[i] < MIN_HOUSEHOLDS) continue;
        ms.push(mScore[i]);
        bs.push(bScore[i]);
      }
    }
    mT[ci] = threshold(ms, c.target[0]);
    bT[ci] = threshold(bs, c.target[1]);
  });

  const mobileMask = new Uint8Array(n);
  const broadbandMask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = villages[village[i]].county;
    const mo = offsets(mobileFields, [-0.25, 0, 0], 1.2, x[i], y[i], mountain[i]);
    const bo = offsets(broadbandFields, [-0.05, -0.15, 0.1], 3, x[i], y[i], mountain[i]);
    // Listed committee seats are covered by at least the locally strongest operator, bar the exceptions.
    mobileMask[i] = mask(forced[i] && mScore[i] !== Infinity ? Math.min(mScore[i], mT[c] - 1e-9) : mScore[i], mT[c], mo);
    broadbandMask[i] = mask(forced[i] && bScore[i] !== Infinity ? Math.min(bScore[i], bT[c] - 1e-9) : bScore[i], bT[c], bo);
  }

  return {
    seed, counties, townships, villages, x, y, households, village, rho, mobileMask, broadbandMask,
    exceptions: {
      mobile: [...noMobile].map((vi) => villages[vi].code).sort(),
      broadband: [...noBroadband].map((vi) => villages[vi].code).sort(),
    },
  };
}

function mask(score: number, t: number, delta: number[]): number {
  if (!(score < t)) return 0;
  let m = 0;
  for (let o = 0; o < 3; o++) if (score < t - delta[o] || delta[o] === 0) m |= 1 << o;
  return m;
}
