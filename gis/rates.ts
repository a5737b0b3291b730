// The rates of the city, each county, township and village: totals summed per cell over typed arrays, then
// added up into groups. Counts and households are whole numbers, so the sums are exact in any order.
import type { AnalysisOptions, AnalysisReport, GroupRate, LayerRate, OperatorRate } from './report';
import { OPERATOR_BIT } from './polygon-set';
import type { SettlementGroups } from './settlement-groups';
import { OPERATORS, type Operator } from './types';

/** A row of totals: all settlements, eligible ones, their households, then per layer (mobile, broadband) LAYER values. */
export const ALL = 0, ELIGIBLE = 1, HOUSEHOLDS = 2, MOBILE = 3;
/** Covered, covered households, then the same per operator (OPERATORS order). */
const LAYER = 2 + 2 * OPERATORS.length;
export const BROADBAND = MOBILE + LAYER;
export const ROW = BROADBAND + LAYER;

type GroupRates = AnalysisReport['rates'];

/** The rates of every group, given each settlement's households and coverage masks (operator bits). */
export function groupRates(
  groups: SettlementGroups,
  households: Float64Array,
  mobile: Uint8Array,
  broadband: Uint8Array,
  options: Pick<AnalysisOptions, 'minHouseholds' | 'targetMobile' | 'targetBroadband'>,
): GroupRates {
  const t = groupTotals(groups, households, mobile, broadband, options.minHouseholds);
  const { targetMobile: tm, targetBroadband: tb } = options;
  return {
    city: groupRate(t.city, 0, tm, tb),
    counties: toRecord(groups.countyKeys, t.counties, tm, tb, (k, r) => {
      if (groups.countyFocus[k]) {
        r.focus = true;
        r.leader = groups.countyLeader[k] ?? undefined;
      }
    }),
    townships: toRecord(groups.townshipKeys, t.townships, tm, tb),
    villages: toRecord(groups.villageKeys, t.villages, tm, tb, (k, r) => {
      const category = groups.villageCategory[k];
      if (category !== null) {
        r.listed = true;
        r.listedCategory = category;
      }
    }),
  };
}

export interface Totals { city: Float64Array; counties: Float64Array; townships: Float64Array; villages: Float64Array }

/** Each group's row of totals (see ROW). */
export function groupTotals(groups: SettlementGroups, households: Float64Array, mobile: Uint8Array, broadband: Uint8Array, minHouseholds: number): Totals {
  const n = groups.cell.length;
  if (households.length < n || mobile.length < n || broadband.length < n) {
    throw new RangeError(`groupRates: ${n} settlements, but ${households.length} households and ${mobile.length}/${broadband.length} masks`);
  }
  const cells = cellTotals(groups.cell, groups.cellCounty.length, households, mobile, broadband, minHouseholds);
  return {
    // Every cell adds to the one row of the city.
    city: rollUp(cells, new Int32Array(groups.cellCounty.length), 1),
    counties: rollUp(cells, groups.cellCounty, groups.countyKeys.length),
    townships: rollUp(cells, groups.cellTownship, groups.townshipKeys.length),
    villages: rollUp(cells, groups.cellVillage, groups.villageKeys.length),
  };
}

/** One row per cell. */
function cellTotals(cell: Int32Array, cellCount: number, households: Float64Array, mobile: Uint8Array, broadband: Uint8Array, minHouseholds: number): Float64Array {
  const t = new Float64Array(cellCount * ROW);
  for (let i = 0; i < cell.length; i++) {
    const r = cell[i] * ROW;
    t[r + ALL]++;
    const hh = households[i];
    if (!(hh >= minHouseholds)) continue;
    t[r + ELIGIBLE]++;
    t[r + HOUSEHOLDS] += hh;
    addLayer(t, r + MOBILE, hh, mobile[i]);
    addLayer(t, r + BROADBAND, hh, broadband[i]);
  }
  return t;
}

/** OPERATOR_BIT in the order of OPERATORS, for the per-settlement loop (no lookup by name there). */
const BITS = Uint8Array.from(OPERATORS, (op) => OPERATOR_BIT[op]);

function addLayer(t: Float64Array, at: number, hh: number, mask: number): void {
  if (mask === 0) return;
  t[at]++;
  t[at + 1] += hh;
  for (let k = 0; k < BITS.length; k++) {
    if (mask & BITS[k]) {
      t[at + 2 + 2 * k]++;
      t[at + 3 + 2 * k] += hh;
    }
  }
}

/** Rows of `groups` groups: each the sum of the cells c with groupOf[c] = its index. */
function rollUp(cells: Float64Array, groupOf: Int32Array, groups: number): Float64Array {
  const out = new Float64Array(groups * ROW);
  for (let c = 0; c < groupOf.length; c++) {
    const from = c * ROW, to = groupOf[c] * ROW;
    for (let k = 0; k < ROW; k++) out[to + k] += cells[from + k];
  }
  return out;
}

function toRecord(
  keys: readonly string[],
  rows: Float64Array,
  tm: number,
  tb: number,
  decorate?: (group: number, rate: GroupRate) => void,
): Record<string, GroupRate> {
  const out: Record<string, GroupRate> = {};
  for (let k = 0; k < keys.length; k++) {
    const rate = groupRate(rows, k, tm, tb);
    decorate?.(k, rate);
    out[keys[k]] = rate;
  }
  return out;
}

export const NO_RATE_NOTE = '无符合条件的聚居区，不计覆盖率 (no eligible settlement: no rate)';

function groupRate(rows: Float64Array, k: number, tm: number, tb: number): GroupRate {
  const r = k * ROW;
  const settlements = rows[r + ELIGIBLE], households = rows[r + HOUSEHOLDS];
  const rate: GroupRate = {
    settlements,
    households,
    allSettlements: rows[r + ALL],
    mobile: layerRate(rows, r + MOBILE, settlements, households, tm),
    broadband: layerRate(rows, r + BROADBAND, settlements, households, tb),
  };
  if (settlements === 0) rate.note = NO_RATE_NOTE;
  return rate;
}

function layerRate(rows: Float64Array, at: number, settlements: number, households: number, target: number): LayerRate {
  const byOperator = {} as Record<Operator, OperatorRate>;
  for (let k = 0; k < OPERATORS.length; k++) {
    byOperator[OPERATORS[k]] = operatorRate(rows[at + 2 + 2 * k], rows[at + 3 + 2 * k], settlements, households);
  }
  const covered = rows[at], coveredHouseholds = rows[at + 1];
  const need = settlements === 0 ? null : requiredCount(target, settlements);
  const needHouseholds = settlements === 0 ? null : requiredCount(target, households);
  const any = operatorRate(covered, coveredHouseholds, settlements, households);
  // One literal with operatorRate()'s members first (the report's JSON order): a spread of it costs more.
  return {
    covered: any.covered,
    coveredHouseholds: any.coveredHouseholds,
    rate: any.rate,
    householdRate: any.householdRate,
    target,
    met: need === null ? null : covered >= need,
    shortfall: need === null ? null : Math.max(0, need - covered),
    householdShortfall: needHouseholds === null ? null : Math.max(0, needHouseholds - coveredHouseholds),
    byOperator,
  };
}

function operatorRate(covered: number, coveredHouseholds: number, settlements: number, households: number): OperatorRate {
  return {
    covered,
    coveredHouseholds,
    rate: settlements === 0 ? null : covered / settlements,
    householdRate: settlements === 0 ? null : households === 0 ? null : coveredHouseholds / households,
  };
}

/**
 * The smallest whole count k with k / total ≥ target. Computed in integers (target in millionths) so that
 * 0.95 × 20 is 19, not 19.000000000000004 rounded up to 20.
 */
export function requiredCount(target: number, total: number): number {
  if (!(target >= 0 && target <= 1)) throw new RangeError(`target ${target} must be a fraction between 0 and 1`);
  const millionths = Math.round(target * 1e6);
  return Math.ceil((millionths * total) / 1e6);
}
