// Field verification: drive-test or survey measurements near a settlement override the polygons' prediction
// of 4G coverage, operator by operator. A measurement is evidence; a polygon is a model.
import { normalizeOperator } from './operators';
import { OPERATOR_BIT } from './polygon-set';
import type { IssueList } from './issues';
import { positionProblem } from './polygon-set';
import type { Feature, Operator } from './types';
import { OPERATORS } from './types';

export interface MeasurementOptions {
  /** A settlement takes the measurements within this distance, in metres. */
  radiusM: number;
  /** Signal at or above this RSRP (dBm) counts as coverage. */
  thresholdDbm: number;
}

export const DEFAULT_MEASUREMENT_OPTIONS: MeasurementOptions = { radiusM: 300, thresholdDbm: -105 };

/** Measurement points in columns. */
export interface MeasurementTable {
  count: number;
  lon: Float64Array;
  lat: Float64Array;
  rsrp: Float64Array;
  bit: Uint8Array;
  time: string[];
  source: string[];
}

/** What the measurements near one settlement say, per operator that was measured there. */
export interface MeasuredStatus {
  /** Operators measured near the settlement, with the best RSRP seen and how many readings. */
  operators: { operator: Operator; bestRsrp: number; readings: number; covered: boolean; lastTime: string }[];
  /** Where the readings came from (layer names). */
  sources: string[];
}

/** Validates measurement points (`operator`, `rsrp` in dBm, optional `time`). */
export function buildMeasurementTable(sources: readonly { name: string; features: readonly Feature[] }[], issues: IssueList): MeasurementTable {
  const n = sources.reduce((k, s) => k + s.features.length, 0);
  const t: MeasurementTable = {
    count: 0, lon: new Float64Array(n), lat: new Float64Array(n), rsrp: new Float64Array(n), bit: new Uint8Array(n),
    time: [], source: [],
  };
  for (const src of sources) {
    src.features.forEach((f, i) => {
      const g = f?.geometry as { type?: string; coordinates?: unknown } | null;
      const props = f?.properties ?? {};
      if (!g || g.type !== 'Point') {
        issues.add(src.name, i, 'geometry', `found ${g ? String(g.type) : 'no geometry'}; expected a Point`);
        return;
      }
      const problem = positionProblem(g.coordinates);
      if (problem) {
        issues.add(src.name, i, 'geometry', problem);
        return;
      }
      const op = normalizeOperator(props.operator);
      if (!op) {
        issues.add(src.name, i, 'operator', `found ${JSON.stringify(props.operator ?? null)}; expected 移动/电信/联通 or CMCC/CT/CU`);
        return;
      }
      const rsrp = typeof props.rsrp === 'string' ? Number(props.rsrp) : props.rsrp;
      if (typeof rsrp !== 'number' || !Number.isFinite(rsrp) || rsrp < -160 || rsrp > -20) {
        issues.add(src.name, i, 'rsrp', `found ${JSON.stringify(props.rsrp ?? null)}; expected RSRP in dBm between -160 and -20 (e.g. -98)`);
        return;
      }
      const k = t.count++;
      const [x, y] = g.coordinates as number[];
      t.lon[k] = x;
      t.lat[k] = y;
      t.rsrp[k] = rsrp;
      t.bit[k] = OPERATOR_BIT[op];
      t.time[k] = props.time === undefined || props.time === null ? '' : String(props.time);
      t.source[k] = src.name;
    });
  }
  return t;
}

const M_PER_DEG_LAT = 111_320;

/**
 * For each settlement, the measured status (null where nothing was measured near it), and the mobile coverage
 * mask with measured operators overriding the prediction. Inputs are not modified.
 */
export function applyMeasurements(
  lon: Float64Array,
  lat: Float64Array,
  predicted: Uint8Array,
  m: MeasurementTable,
  options: MeasurementOptions = DEFAULT_MEASUREMENT_OPTIONS,
): { mask: Uint8Array; measured: (MeasuredStatus | null)[] } {
  const mask = Uint8Array.from(predicted);
  const measured: (MeasuredStatus | null)[] = new Array(lon.length).fill(null);
  if (m.count === 0) return { mask, measured };
  // A grid of cells one radius wide in latitude: a settlement looks at its cell and the eight around it.
  const cellLat = options.radiusM / M_PER_DEG_LAT;
  const grid = new Map<string, number[]>();
  const cellOf = (x: number, y: number, cellLon: number) => `${Math.floor(x / cellLon)}:${Math.floor(y / cellLat)}`;
  // Cells must be at least a radius wide in longitude at the highest latitude involved.
  let maxAbsLat = 0;
  for (let k = 0; k < m.count; k++) maxAbsLat = Math.max(maxAbsLat, Math.abs(m.lat[k]));
  for (let i = 0; i < lat.length; i++) maxAbsLat = Math.max(maxAbsLat, Math.abs(lat[i]));
  const cellLon = cellLat / Math.max(0.01, Math.cos(Math.min(89, maxAbsLat + 1) * Math.PI / 180));
  for (let k = 0; k < m.count; k++) {
    const key = cellOf(m.lon[k], m.lat[k], cellLon);
    const list = grid.get(key);
    if (list) list.push(k);
    else grid.set(key, [k]);
  }
  const r2 = options.radiusM * options.radiusM;
  for (let i = 0; i < lon.length; i++) {
    const cx = Math.floor(lon[i] / cellLon), cy = Math.floor(lat[i] / cellLat);
    const cos = Math.cos(lat[i] * Math.PI / 180);
    const best = new Map<number, { rsrp: number; readings: number; lastTime: string }>();
    const sources = new Set<string>();
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const k of grid.get(`${cx + dx}:${cy + dy}`) ?? []) {
          const ex = (m.lon[k] - lon[i]) * M_PER_DEG_LAT * cos, ey = (m.lat[k] - lat[i]) * M_PER_DEG_LAT;
          if (ex * ex + ey * ey > r2) continue;
          const b = best.get(m.bit[k]);
          if (!b) best.set(m.bit[k], { rsrp: m.rsrp[k], readings: 1, lastTime: m.time[k] });
          else {
            b.rsrp = Math.max(b.rsrp, m.rsrp[k]);
            b.readings++;
            if (m.time[k] > b.lastTime) b.lastTime = m.time[k];
          }
          sources.add(m.source[k]);
        }
      }
    }
    if (best.size === 0) continue;
    const operators: MeasuredStatus['operators'] = [];
    for (const op of OPERATORS) {
      const b = best.get(OPERATOR_BIT[op]);
      if (!b) continue;
      const covered = b.rsrp >= options.thresholdDbm;
      mask[i] = covered ? mask[i] | OPERATOR_BIT[op] : mask[i] & ~OPERATOR_BIT[op];
      operators.push({ operator: op, bestRsrp: b.rsrp, readings: b.readings, covered, lastTime: b.lastTime });
    }
    measured[i] = { operators, sources: [...sources].sort() };
  }
  return { mask, measured };
}
