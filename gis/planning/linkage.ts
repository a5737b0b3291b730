// Single-linkage clusters of points: two points closer than the distance are in one cluster.
import Flatbush from 'flatbush';
import { M_PER_DEG, pointDistanceM } from './geo';

/**
 * Groups `members` (indices into lon/lat) so that each group is connected by links ≤ distanceM.
 * Groups come out sorted by their smallest member; members ascending.
 */
export function singleLinkage(lon: ArrayLike<number>, lat: ArrayLike<number>, members: readonly number[], distanceM: number): number[][] {
  if (!(distanceM >= 0)) throw new RangeError(`distanceM: found ${distanceM}; expected a number ≥ 0`);
  const n = members.length;
  if (n === 0) return [];
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const index = new Flatbush(n);
  for (const m of members) index.add(lon[m], lat[m], lon[m], lat[m]);
  index.finish();
  const dLat = distanceM / M_PER_DEG;
  for (let a = 0; a < n; a++) {
    const m = members[a];
    const dLon = distanceM / (M_PER_DEG * Math.max(1e-6, Math.cos((Math.min(89.9, Math.abs(lat[m]) + dLat) * Math.PI) / 180)));
    index.search(lon[m] - dLon, lat[m] - dLat, lon[m] + dLon, lat[m] + dLat, (b) => {
      if (b > a && pointDistanceM(lon[m], lat[m], lon[members[b]], lat[members[b]]) <= distanceM) {
        const ra = find(a), rb = find(b);
        if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
      }
      return false;
    });
  }
  const groups = new Map<number, number[]>();
  for (let a = 0; a < n; a++) {
    const r = find(a);
    const g = groups.get(r);
    if (g) g.push(members[a]);
    else groups.set(r, [members[a]]);
  }
  return [...groups.values()].map((g) => g.sort((x, y) => x - y)).sort((x, y) => x[0] - y[0]);
}

/** Length in metres of a minimum spanning tree over the points (Prim, O(n²): groups are small). */
export function spanningLength(lon: ArrayLike<number>, lat: ArrayLike<number>, members: readonly number[]): number {
  const n = members.length;
  if (n < 2) return 0;
  const inTree = new Uint8Array(n);
  const best = new Float64Array(n).fill(Infinity);
  best[0] = 0;
  let total = 0;
  for (let step = 0; step < n; step++) {
    let u = -1;
    for (let i = 0; i < n; i++) if (!inTree[i] && (u < 0 || best[i] < best[u])) u = i;
    inTree[u] = 1;
    total += best[u];
    const mu = members[u];
    for (let i = 0; i < n; i++) {
      if (inTree[i]) continue;
      const d = pointDistanceM(lon[mu], lat[mu], lon[members[i]], lat[members[i]]);
      if (d < best[i]) best[i] = d;
    }
  }
  return total;
}
