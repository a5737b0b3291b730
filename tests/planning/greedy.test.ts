// Lazy greedy against the exact optimum (brute force over all subsets) on small random instances.
import { describe, expect, it } from 'vitest';
import { coveredWeight, greedyMaxCoverage, type CoverageProblem } from '../../gis/planning';
import { rng } from './fixture';

function randomProblem(seed: number, sets: number, elements: number): CoverageProblem & { costs: Float64Array } {
  const r = rng(seed);
  return {
    weights: Float64Array.from({ length: elements }, () => 1 + Math.floor(r() * 100)),
    sets: Array.from({ length: sets }, () => {
      const size = 1 + Math.floor(r() * elements * 0.4);
      return Int32Array.from(new Set(Array.from({ length: size }, () => Math.floor(r() * elements))));
    }),
    costs: Float64Array.from({ length: sets }, () => 1 + Math.floor(r() * 9)),
  };
}

/** Best weight over every subset satisfying `fits`. */
function bruteForce(p: CoverageProblem, fits: (subset: number[]) => boolean): number {
  let best = 0;
  const n = p.sets.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    const subset: number[] = [];
    for (let j = 0; j < n; j++) if (mask & (1 << j)) subset.push(j);
    if (fits(subset)) best = Math.max(best, coveredWeight(p, subset));
  }
  return best;
}

/** Plain (non-lazy) greedy: recompute every gain each round. */
function plainGreedy(p: CoverageProblem, k: number): number {
  const chosen: number[] = [];
  for (let round = 0; round < k; round++) {
    let best = -1, bestGain = 0;
    const now = coveredWeight(p, chosen);
    p.sets.forEach((_, j) => {
      if (chosen.includes(j)) return;
      const g = coveredWeight(p, [...chosen, j]) - now;
      if (g > bestGain) {
        best = j;
        bestGain = g;
      }
    });
    if (best < 0) break;
    chosen.push(best);
  }
  return coveredWeight(p, chosen);
}

describe('greedyMaxCoverage', () => {
  it('cardinality: ≥ (1 − 1/e) of the brute-force optimum, equal to the plain greedy', () => {
    let worst = 1, sum = 0, runs = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const p = randomProblem(seed, 12, 30);
      for (const k of [1, 2, 3, 5]) {
        const g = greedyMaxCoverage(p, { k });
        expect(g.chosen.length).toBeLessThanOrEqual(k);
        expect(g.total).toBe(coveredWeight(p, g.chosen));
        expect(g.gains.reduce((a, b) => a + b, 0)).toBe(g.total);
        expect(g.total).toBe(plainGreedy(p, k));
        const opt = bruteForce(p, (s) => s.length <= k);
        const ratio = opt === 0 ? 1 : g.total / opt;
        expect(ratio).toBeGreaterThanOrEqual(1 - 1 / Math.E);
        worst = Math.min(worst, ratio);
        sum += ratio;
        runs++;
      }
    }
    console.log(`cardinality greedy / optimum over ${runs} instances: worst ${worst.toFixed(4)}, mean ${(sum / runs).toFixed(4)} (bound ${(1 - 1 / Math.E).toFixed(4)})`);
  });

  it('budget: within budget and ≥ (1 − 1/√e) of the brute-force optimum', () => {
    let worst = 1, sum = 0, runs = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const p = randomProblem(1000 + seed, 12, 30);
      for (const budget of [3, 7, 12, 20]) {
        const g = greedyMaxCoverage(p, { budget });
        expect(g.cost).toBeLessThanOrEqual(budget);
        expect(g.cost).toBe(g.chosen.reduce((a, j) => a + p.costs[j], 0));
        expect(g.total).toBe(coveredWeight(p, g.chosen));
        const opt = bruteForce(p, (s) => s.reduce((a, j) => a + p.costs[j], 0) <= budget);
        const ratio = opt === 0 ? 1 : g.total / opt;
        expect(ratio).toBeGreaterThanOrEqual(1 - 1 / Math.sqrt(Math.E));
        worst = Math.min(worst, ratio);
        sum += ratio;
        runs++;
      }
    }
    console.log(`budgeted greedy / optimum over ${runs} instances: worst ${worst.toFixed(4)}, mean ${(sum / runs).toFixed(4)} (bound ${(1 - 1 / Math.sqrt(Math.E)).toFixed(4)})`);
  });

  it('the best single set wins when the ratio greedy is lured by a cheap small set', () => {
    // Set 0: weight 1 for cost 1 (ratio 1); set 1: weight 10 for cost 10.5 (ratio < 1). Budget 10.5.
    const p = { weights: [1, 10], sets: [[0], [1]], costs: [1, 10.5] };
    const g = greedyMaxCoverage(p, { budget: 10.5 });
    expect(g).toMatchObject({ chosen: [1], total: 10, rule: 'best-single' });
  });

  it('does not mutate its input and rejects bad input with the field named', () => {
    const p = randomProblem(7, 6, 10);
    const copy = structuredClone(p);
    greedyMaxCoverage(p, { k: 3 });
    greedyMaxCoverage(p, { budget: 9 });
    expect(p).toEqual(copy);
    expect(() => greedyMaxCoverage(p, { k: -1 })).toThrow(/k: found -1/);
    expect(() => greedyMaxCoverage({ weights: [1], sets: [[3]] }, { k: 1 })).toThrow(/sets\[0\]: element 3/);
    expect(() => greedyMaxCoverage({ weights: [1], sets: [[0]] }, { budget: 1 })).toThrow(/costs/);
    expect(() => greedyMaxCoverage({ weights: [1], sets: [[0]], costs: [0] }, { budget: 1 })).toThrow(/costs\[0\]: found 0/);
    expect(() => greedyMaxCoverage({ weights: [-1], sets: [[0]] }, { k: 1 })).toThrow(/weights\[0\]/);
  });
});
