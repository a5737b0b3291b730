// Coverage rates of a group of settlements against a target, with the shortfall to reach it.
import { OPERATOR_BIT } from './polygon-set';
import type { GroupRate, LayerRate, OperatorRate } from './report';
import { OPERATORS, type Operator } from './types';

/** Running totals for one group; add() eligible settlements one by one. */
export class RateAccumulator {
  settlements = 0;
  households = 0;
  allSettlements = 0;
  readonly mobile = new LayerTotals();
  readonly broadband = new LayerTotals();

  add(eligible: boolean, households: number, mobileMask: number, broadbandMask: number): void {
    this.allSettlements++;
    if (!eligible) return;
    this.settlements++;
    this.households += households;
    this.mobile.add(households, mobileMask);
    this.broadband.add(households, broadbandMask);
  }

  toRate(targetMobile: number, targetBroadband: number): GroupRate {
    const rate: GroupRate = {
      settlements: this.settlements,
      households: this.households,
      allSettlements: this.allSettlements,
      mobile: this.mobile.toRate(this.settlements, this.households, targetMobile),
      broadband: this.broadband.toRate(this.settlements, this.households, targetBroadband),
    };
    if (this.settlements === 0) rate.note = '无符合条件的聚居区，不计覆盖率 (no eligible settlement: no rate)';
    return rate;
  }
}

class LayerTotals {
  covered = 0;
  coveredHouseholds = 0;
  readonly byOperator = OPERATORS.map(() => ({ covered: 0, coveredHouseholds: 0 }));

  add(households: number, mask: number): void {
    if (mask === 0) return;
    this.covered++;
    this.coveredHouseholds += households;
    for (let k = 0; k < OPERATORS.length; k++) {
      if (mask & OPERATOR_BIT[OPERATORS[k]]) {
        this.byOperator[k].covered++;
        this.byOperator[k].coveredHouseholds += households;
      }
    }
  }

  toRate(settlements: number, households: number, target: number): LayerRate {
    const byOperator = {} as Record<Operator, OperatorRate>;
    for (let k = 0; k < OPERATORS.length; k++) {
      byOperator[OPERATORS[k]] = operatorRate(this.byOperator[k].covered, this.byOperator[k].coveredHouseholds, settlements, households);
    }
    const need = settlements === 0 ? null : requiredCount(target, settlements);
    const needHouseholds = settlements === 0 ? null : requiredCount(target, households);
    const any = operatorRate(this.covered, this.coveredHouseholds, settlements, households);
    // One literal with operatorRate()'s members first (the report's JSON order): a spread of it costs more.
    return {
      covered: any.covered,
      coveredHouseholds: any.coveredHouseholds,
      rate: any.rate,
      householdRate: any.householdRate,
      target,
      met: need === null ? null : this.covered >= need,
      shortfall: need === null ? null : Math.max(0, need - this.covered),
      householdShortfall: needHouseholds === null ? null : Math.max(0, needHouseholds - this.coveredHouseholds),
      byOperator,
    };
  }
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
