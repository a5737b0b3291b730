// Coverage polygons flattened into typed arrays: one allocation per layer, none per point later.
import { normalizeOperator } from './operators';
import { IssueList } from './issues';
import type { Feature, Operator, Position } from './types';
import { OPERATORS } from './types';

/** Bit of each operator in a coverage mask. */
export const OPERATOR_BIT: Record<Operator, number> = { CMCC: 1, CT: 2, CU: 4 };

export function maskOperators(mask: number): Operator[] {
  return OPERATORS.filter((op) => (mask & OPERATOR_BIT[op]) !== 0);
}

/**
 * Polygons of one kind of coverage. Each part of a MultiPolygon is its own polygon.
 * Polygon p owns rings ringOffsets[p]..ringOffsets[p+1]; ring r owns vertices
 * vertexOffsets[r]..vertexOffsets[r+1] (the closing vertex repeats the first), stored as x,y pairs in coords.
 */
export interface PolygonSet {
  polygonCount: number;
  ringOffsets: Uint32Array;
  vertexOffsets: Uint32Array;
  coords: Float64Array;
  /** minX, minY, maxX, maxY per polygon. */
  bboxes: Float64Array;
  /** Operator bit per polygon. */
  mask: Uint8Array;
  /** Index of the source feature in its collection, per polygon. */
  feature: Uint32Array;
  /** Which source collection each polygon came from (position in the list given to buildPolygonSet). */
  source: Uint16Array;
}

export interface CoverageSource {
  /** Name used in messages, usually the file path. */
  name: string;
  features: readonly Feature[];
}

export interface BuildPolygonOptions {
  /** Keep only features whose `tech` is in this list (case-insensitive); others are validated, then skipped. */
  techs?: readonly string[];
  /** Tech assumed when a feature has none. */
  defaultTech: string;
}

/**
 * Validates coverage features and packs their polygons. Every problem is collected (capped) into `issues`;
 * the returned set is only meaningful when `issues.count === 0`.
 */
export function buildPolygonSet(
  sources: readonly CoverageSource[],
  options: BuildPolygonOptions,
  issues: IssueList,
): PolygonSet {
  const techs = options.techs?.map((t) => t.toUpperCase());
  const kept: { rings: Position[][]; bit: number; feature: number; source: number }[] = [];
  let ringCount = 0;
  let vertexCount = 0;

  sources.forEach((src, s) => {
    src.features.forEach((f, i) => {
      const props = (f && typeof f === 'object' && f.properties) || {};
      const op = normalizeOperator(props.operator);
      if (!f || typeof f !== 'object' || f.type !== 'Feature') {
        issues.add(src.name, i, 'type', 'expected a GeoJSON Feature');
        return;
      }
      if (op === null) {
        issues.add(src.name, i, 'operator',
          props.operator === undefined || props.operator === null || props.operator === ''
            ? 'missing; expected an operator (移动/电信/联通 or CMCC/CT/CU)'
            : `unknown operator ${JSON.stringify(props.operator)}; expected 移动/电信/联通 or CMCC/CT/CU`);
      }
      const tech = props.tech === undefined || props.tech === null || props.tech === '' ? options.defaultTech : props.tech;
      if (typeof tech !== 'string') issues.add(src.name, i, 'tech', `expected a string such as "4G", found ${JSON.stringify(tech)}`);
      const parts = polygonParts(f.geometry, src.name, i, issues);
      if (!parts || op === null || typeof tech !== 'string') return;
      if (techs && !techs.includes(tech.toUpperCase())) return;
      for (const rings of parts) {
        kept.push({ rings, bit: OPERATOR_BIT[op], feature: i, source: s });
        ringCount += rings.length;
        for (const ring of rings) vertexCount += ring.length;
      }
    });
  });

  const n = kept.length;
  const set: PolygonSet = {
    polygonCount: n,
    ringOffsets: new Uint32Array(n + 1),
    vertexOffsets: new Uint32Array(ringCount + 1),
    coords: new Float64Array(vertexCount * 2),
    bboxes: new Float64Array(n * 4),
    mask: new Uint8Array(n),
    feature: new Uint32Array(n),
    source: new Uint16Array(n),
  };
  let r = 0;
  let v = 0;
  for (let p = 0; p < n; p++) {
    const k = kept[p];
    set.ringOffsets[p] = r;
    set.mask[p] = k.bit;
    set.feature[p] = k.feature;
    set.source[p] = k.source;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const ring of k.rings) {
      set.vertexOffsets[r++] = v;
      for (const pos of ring) {
        const x = pos[0], y = pos[1];
        set.coords[2 * v] = x;
        set.coords[2 * v + 1] = y;
        v++;
        if (x < minX) minX = x;
        if (y < minY) minY = y;
        if (x > maxX) maxX = x;
        if (y > maxY) maxY = y;
      }
    }
    set.bboxes.set([minX, minY, maxX, maxY], p * 4);
  }
  set.ringOffsets[n] = r;
  set.vertexOffsets[ringCount] = v;
  return set;
}

/** The rings of each polygon part, validated; null (with issues recorded) when the geometry is unusable. */
function polygonParts(geometry: unknown, source: string, index: number, issues: IssueList): Position[][][] | null {
  const g = geometry as { type?: unknown; coordinates?: unknown } | null;
  if (!g || typeof g !== 'object') {
    issues.add(source, index, 'geometry', 'missing; expected a Polygon or MultiPolygon');
    return null;
  }
  let parts: unknown[];
  if (g.type === 'Polygon') parts = [g.coordinates];
  else if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates)) {
      issues.add(source, index, 'geometry', 'MultiPolygon coordinates must be an array of polygons');
      return null;
    }
    parts = g.coordinates;
  } else {
    issues.add(source, index, 'geometry', `found ${String(g.type)}; expected a Polygon or MultiPolygon`);
    return null;
  }
  const out: Position[][][] = [];
  for (let p = 0; p < parts.length; p++) {
    const rings = parts[p];
    const where = g.type === 'MultiPolygon' ? `polygon ${p}, ` : '';
    if (!Array.isArray(rings) || rings.length === 0) {
      issues.add(source, index, 'geometry', `${where}expected an array of linear rings`);
      return null;
    }
    for (let r = 0; r < rings.length; r++) {
      const problem = ringProblem(rings[r]);
      if (problem) {
        issues.add(source, index, 'geometry', `${where}ring ${r}: ${problem}`);
        return null;
      }
    }
    out.push(rings as Position[][]);
  }
  return out;
}

function ringProblem(ring: unknown): string | null {
  if (!Array.isArray(ring)) return 'expected an array of positions';
  if (ring.length < 4) return `has ${ring.length} positions; a closed ring needs at least 4`;
  for (let i = 0; i < ring.length; i++) {
    const problem = positionProblem(ring[i]);
    if (problem) return `position ${i}: ${problem}`;
  }
  const a = ring[0], b = ring[ring.length - 1];
  if (a[0] !== b[0] || a[1] !== b[1]) return 'not closed: the first and last positions differ';
  return null;
}

/** Why a position is not a usable WGS-84 longitude/latitude, or null when it is. */
export function positionProblem(pos: unknown): string | null {
  if (!Array.isArray(pos) || pos.length < 2) return 'expected [longitude, latitude]';
  const [x, y] = pos;
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
    return `expected finite numbers, found [${String(x)}, ${String(y)}]`;
  }
  if (x < -180 || x > 180) return `longitude ${x} out of range; expected -180 to 180`;
  if (y < -90 || y > 90) return `latitude ${y} out of range; expected -90 to 90`;
  return null;
}
