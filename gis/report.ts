// The shape of an analysis result. The CLI's JSON output, the API and the dashboard all use it.
import type { MeasuredStatus } from './measurements';
import type { Operator } from './types';

/** Coverage of one group by one operator (or by any operator). Rates are fractions; null when the group has no eligible settlement. */
export interface OperatorRate {
  covered: number;
  coveredHouseholds: number;
  rate: number | null;
  householdRate: number | null;
}

/** Coverage of one group for one layer kind, against the campaign target. */
export interface LayerRate extends OperatorRate {
  target: number;
  /** Rate by count ≥ target (the campaign counts settlements); null when there is nothing to count. */
  met: boolean | null;
  /** More eligible settlements that must be covered to reach the target. */
  shortfall: number | null;
  /** More households that must be covered to reach the target by the household-weighted rate. */
  householdShortfall: number | null;
  byOperator: Record<Operator, OperatorRate>;
}

export interface GroupRate {
  /** Eligible settlements and their households. */
  settlements: number;
  households: number;
  /** All settlements in the group, eligible or not. */
  allSettlements: number;
  mobile: LayerRate;
  broadband: LayerRate;
  /** Set when the group has no eligible settlement, so no rate exists. */
  note?: string;
  /** Counties: one of the four focus counties, with its supervising leader. */
  focus?: boolean;
  leader?: string;
  /** Villages: on the city's list of key villages. */
  listed?: boolean;
  listedCategory?: string;
}

export interface SettlementResult {
  id: string;
  name: string;
  households: number;
  county: string;
  township: string;
  village: string;
  committee: boolean;
  code?: string;
  lon: number;
  lat: number;
  eligible: boolean;
  mobile: boolean;
  mobileOperators: Operator[];
  broadband: boolean;
  broadbandOperators: Operator[];
  /** In a listed key village. */
  listed: boolean;
  /** In one of the four focus counties. */
  focusCounty: boolean;
  /** Field measurements near the settlement, where there are any: they override the polygons' 4G prediction. */
  measured?: MeasuredStatus;
}

/** A settlement where measurement and polygon prediction disagree for an operator. */
export interface FieldDisagreement {
  id: string;
  name: string;
  county: string;
  township: string;
  village: string;
  operator: Operator;
  /** The polygons said covered; the measurement says not (or the other way round). */
  predicted: boolean;
  measured: boolean;
  bestRsrp: number;
  readings: number;
}

export interface FieldVerification {
  thresholdDbm: number;
  radiusM: number;
  measurements: number;
  settlementsMeasured: number;
  disagreements: FieldDisagreement[];
}

/** A committee seat of a listed village: must have 4G and fiber (100%). */
export interface CommitteeSeatCheck {
  id: string;
  name: string;
  county: string;
  township: string;
  village: string;
  mobile: boolean;
  broadband: boolean;
}

export interface CommitteeSeatReport {
  seats: CommitteeSeatCheck[];
  total: number;
  mobileCovered: number;
  broadbandCovered: number;
  /** Both must be 100%: true only when every seat has both; null when no seat is known. */
  met: boolean | null;
  /** Listed villages for which no committee-seat settlement was found. */
  listedVillagesWithoutSeat: string[];
}

export interface AnalysisOptions {
  minHouseholds: number;
  targetMobile: number;
  targetBroadband: number;
  /** Mobile technologies that count as coverage for the 4G target. */
  mobileTechs: string[];
  /** Field verification: RSRP at or above this (dBm) is coverage; measurements within this many metres apply. */
  measurementThresholdDbm?: number;
  measurementRadiusM?: number;
}

export const DEFAULT_OPTIONS: AnalysisOptions = {
  minHouseholds: 25,
  targetMobile: 0.95,
  targetBroadband: 0.75,
  mobileTechs: ['4G'],
};

export interface AnalysisReport {
  options: AnalysisOptions;
  settlements: SettlementResult[];
  rates: {
    city: GroupRate;
    counties: Record<string, GroupRate>;
    townships: Record<string, GroupRate>;
    villages: Record<string, GroupRate>;
  };
  committeeSeats: CommitteeSeatReport;
  inputs: { settlements: number; mobilePolygons: number; broadbandPolygons: number };
  /** Present when field measurements were part of the analysis. */
  fieldVerification?: FieldVerification;
}
