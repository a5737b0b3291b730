// Maximum coverage by greedy choice with lazy evaluation (Minoux): a set's gain only shrinks as others are
// chosen, so a stale gain is an upper bound and only the top of the heap ever needs recomputing.
// Cardinality: ≥ (1 − 1/e) of the optimum. Budget: cost-effectiveness greedy or the best single set,
// whichever covers more: ≥ (1 − 1/√e) of the optimum (Khuller, Moss & Naor 1999).

export interface CoverageProblem {
  /** Element weight (households, or 1 to count settlements); an element's index is its id. */
  weights: ArrayLike<number>;
  /** Elements each candidate set covers. */
  sets: readonly ArrayLike<number>[];
  /** Cost per set (budgeted variant); positive. */
  costs?: ArrayLike<number>;
}

export type CoverageLimit = { k: number } | { budget: number };

export interface CoverageChoice {
  /** Chosen sets in the order chosen. */
  chosen: number[];
  /** Weight newly covered by each chosen set, in order. */
  gains: number[];
  total: number;
  cost: number;
  /** Budget variant only: which rule won. */
  rule: 'greedy' | 'best-single' | 'cardinality';
}

export function greedyMaxCoverage(problem: CoverageProblem, limit: CoverageLimit): CoverageChoice {
  validate(problem, limit);
  if ('k' in limit) {
    const r = lazyGreedy(problem, limit.k, Infinity, false);
    return { ...r, rule: 'cardinality' };
  }
  const greedy = lazyGreedy(problem, Infinity, limit.budget, true);
  let single = -1;
  let singleWeight = 0;
  problem.sets.forEach((s, j) => {
    if (problem.costs![j] > limit.budget) return;
    const w = setWeight(problem.weights, s);
    if (w > singleWeight) {
      single = j;
      singleWeight = w;
    }
  });
  if (single >= 0 && singleWeight > greedy.total) {
    return { chosen: [single], gains: [singleWeight], total: singleWeight, cost: problem.costs![single], rule: 'best-single' };
  }
  return { ...greedy, rule: 'greedy' };
}

/** Total weight covered by a selection of sets (each element once). */
export function coveredWeight(problem: CoverageProblem, chosen: readonly number[]): number {
  const seen = new Uint8Array(problem.weights.length);
  let total = 0;
  for (const j of chosen) {
    const s = problem.sets[j];
    for (let t = 0; t < s.length; t++) {
      const e = s[t];
      if (!seen[e]) {
        seen[e] = 1;
        total += problem.weights[e];
      }
    }
  }
  return total;
}

function validate(problem: CoverageProblem, limit: CoverageLimit): void {
  const m = problem.weights.length;
  for (let e = 0; e < m; e++) {
    if (!(problem.weights[e] >= 0)) throw new RangeError(`weights[${e}]: found ${problem.weights[e]}; expected a number ≥ 0`);
  }
  problem.sets.forEach((s, j) => {
    for (let t = 0; t < s.length; t++) {
      const e = s[t];
      if (!Number.isInteger(e) || e < 0 || e >= m) throw new RangeError(`sets[${j}]: element ${e}; expected an index 0..${m - 1}`);
    }
  });
  if ('k' in limit) {
    if (!Number.isInteger(limit.k) || limit.k < 0) throw new RangeError(`k: found ${limit.k}; expected a whole number ≥ 0`);
    return;
  }
  if (!(limit.budget >= 0)) throw new RangeError(`budget: found ${limit.budget}; expected a number ≥ 0`);
  if (!problem.costs || problem.costs.length !== problem.sets.length) {
    throw new RangeError(`costs: expected one cost per set (${problem.sets.length}) for a budget`);
  }
  for (let j = 0; j < problem.costs.length; j++) {
    const c = problem.costs[j];
    if (!(c > 0 && Number.isFinite(c))) throw new RangeError(`costs[${j}]: found ${c}; expected a positive number`);
  }
}

function setWeight(weights: ArrayLike<number>, s: ArrayLike<number>, covered?: Uint8Array): number {
  let w = 0;
  for (let t = 0; t < s.length; t++) if (!covered || !covered[s[t]]) w += weights[s[t]];
  return w;
}

function lazyGreedy(problem: CoverageProblem, k: number, budget: number, byRatio: boolean): Omit<CoverageChoice, 'rule'> {
  const { sets, weights } = problem;
  const costs = problem.costs;
  const covered = new Uint8Array(weights.length);
  const key = (j: number, gain: number) => (byRatio ? gain / costs![j] : gain);
  const heap = new MaxHeap();
  sets.forEach((s, j) => {
    const g = setWeight(weights, s);
    if (g > 0) heap.push(j, key(j, g));
  });
  const chosen: number[] = [];
  const gains: number[] = [];
  let total = 0;
  let cost = 0;
  while (chosen.length < k && heap.size > 0) {
    const j = heap.pop();
    const gain = setWeight(weights, sets[j], covered);
    if (gain <= 0) continue;
    const fresh = key(j, gain);
    // Still at least as good as every other (stale, hence optimistic) key: it is the true best.
    if (heap.size > 0 && fresh < heap.topKey() - 1e-12 * Math.abs(fresh)) {
      heap.push(j, fresh);
      continue;
    }
    if (costs && cost + costs[j] > budget) continue; // never fits later either: the budget only shrinks
    chosen.push(j);
    gains.push(gain);
    total += gain;
    if (costs) cost += costs[j];
    const s = sets[j];
    for (let t = 0; t < s.length; t++) covered[s[t]] = 1;
  }
  return { chosen, gains, total, cost };
}

/** Binary max-heap of (key, id); equal keys pop the lower id first, so results are deterministic. */
class MaxHeap {
  private ids: number[] = [];
  private keys: number[] = [];
  get size(): number {
    return this.ids.length;
  }
  topKey(): number {
    return this.keys[0];
  }
  private above(a: number, b: number): boolean {
    return this.keys[a] > this.keys[b] || (this.keys[a] === this.keys[b] && this.ids[a] < this.ids[b]);
  }
  private swap(a: number, b: number): void {
    [this.ids[a], this.ids[b]] = [this.ids[b], this.ids[a]];
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
  }
  push(id: number, key: number): void {
    this.ids.push(id);
    this.keys.push(key);
    let i = this.ids.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): number {
    const top = this.ids[0];
    const lastId = this.ids.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.ids.length > 0) {
      this.ids[0] = lastId;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < this.ids.length && this.above(l, m)) m = l;
        if (r < this.ids.length && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}
