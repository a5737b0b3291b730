// A planned build (a tower or a fiber extension) is coverage polygons with a cost. Which settlements it
// covers is decided by the same exact point-in-polygon test as the analysis, so plans and re-analyses agree.
import Flatbush from 'flatbush';
import { IssueList } from '../issues';
import { locatePoint, OUTSIDE } from '../point-in-polygon';
import { buildPolygonSet } from '../polygon-set';
import type { Feature, Operator, PolygonGeometry } from '../types';
import type { PlanContext } from './context';

export type BuildKind = 'tower' | 'fiber';

export interface PlannedBuild {
  id: string;
  kind: BuildKind;
  /** 新建基站 … / 光纤延伸 … : a short Chinese description for tables. */
  label: string;
  operator: Operator;
  /** Yuan. */
  cost: number;
  lon: number;
  lat: number;
  /** Coverage the build adds: mobile polygons for towers, broadband service areas for fiber. */
  features: Feature<PolygonGeometry>[];
}

/** Per build, the indices of the settlements its polygons contain (ascending). */
export function buildCoverage(ctx: PlanContext, builds: readonly PlannedBuild[]): Int32Array[] {
  const { table } = ctx;
  const owner: number[] = [];
  const features: Feature[] = [];
  builds.forEach((b, j) => {
    for (const f of b.features) {
      features.push(f);
      owner.push(j);
    }
  });
  const issues = new IssueList();
  const set = buildPolygonSet([{ name: 'planned builds', features }], { defaultTech: 'planned' }, issues);
  issues.throwIfAny();
  const found: Set<number>[] = builds.map(() => new Set<number>());
  if (table.count > 0 && set.polygonCount > 0) {
    const index = new Flatbush(table.count);
    for (let i = 0; i < table.count; i++) index.add(table.lon[i], table.lat[i], table.lon[i], table.lat[i]);
    index.finish();
    const b = set.bboxes;
    for (let p = 0; p < set.polygonCount; p++) {
      const j = owner[set.feature[p]];
      index.search(b[4 * p], b[4 * p + 1], b[4 * p + 2], b[4 * p + 3], (i) => {
        if (locatePoint(set, p, table.lon[i], table.lat[i]) !== OUTSIDE) found[j].add(i);
        return false;
      });
    }
  }
  return found.map((s) => Int32Array.from([...s].sort((x, y) => x - y)));
}
