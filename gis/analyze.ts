// The campaign question in one call: which eligible settlements have 4G and broadband, and how far each
// area is from its targets.
import { EMPTY_CAMPAIGN, type CampaignContext } from './campaign';
import { classifyPoints, hilbertOrder } from './classify';
import { IssueList } from './issues';
import { applyMeasurements, buildMeasurementTable, DEFAULT_MEASUREMENT_OPTIONS, type MeasuredStatus, type MeasurementTable } from './measurements';
import { buildPolygonSet, coverageBuildOptions, maskOperators, OPERATOR_BIT, type CoverageSource } from './polygon-set';
import { groupRates } from './rates';
import type { AnalysisOptions, AnalysisReport, CommitteeSeatCheck, FieldDisagreement, SettlementResult } from './report';
import { DEFAULT_OPTIONS } from './report';
import { groupSettlements, type SettlementGroups } from './settlement-groups';
import { buildSettlementTable, type SettlementTable } from './settlement-table';

export interface AnalysisInput {
  settlements: CoverageSource;
  mobile: readonly CoverageSource[];
  broadband: readonly CoverageSource[];
  /** Drive-test or survey points (`operator`, `rsrp` dBm, `time`): they override the 4G polygons nearby. */
  measurements?: readonly CoverageSource[];
  campaign?: CampaignContext;
  options?: Partial<AnalysisOptions>;
}

/** Validates all inputs (every problem reported at once, as an InputError), then analyses. */
export function analyzeCoverage(input: AnalysisInput): AnalysisReport {
  const options = resolveOptions(input.options);
  const issues = new IssueList();
  const table = buildSettlementTable(input.settlements.name, input.settlements.features, issues);
  const mobile = buildPolygonSet(input.mobile, coverageBuildOptions('mobile', options.mobileTechs), issues);
  const broadband = buildPolygonSet(input.broadband, coverageBuildOptions('broadband'), issues);
  const measurements = input.measurements?.length ? buildMeasurementTable(input.measurements, issues) : null;
  issues.throwIfAny();
  const order = hilbertOrder(table.lon, table.lat);
  const predicted = classifyPoints(table.lon, table.lat, mobile, undefined, order);
  const broadbandMask = classifyPoints(table.lon, table.lat, broadband, undefined, order);
  const inputs = { settlements: table.count, mobilePolygons: mobile.polygonCount, broadbandPolygons: broadband.polygonCount };
  return summarizeMeasured(table, predicted, broadbandMask, measurements, input.campaign ?? EMPTY_CAMPAIGN, options, inputs);
}

/**
 * summarize(), after field measurements (when there are any) override the predicted 4G masks nearby; the
 * report then says where measurement and prediction disagree.
 */
export function summarizeMeasured(
  table: SettlementTable,
  predicted: Uint8Array,
  broadbandMask: Uint8Array,
  measurements: MeasurementTable | null,
  campaign: CampaignContext,
  options: AnalysisOptions,
  inputs: AnalysisReport['inputs'],
): AnalysisReport {
  if (!measurements) return summarize(table, predicted, broadbandMask, campaign, options, inputs);
  const field = {
    radiusM: options.measurementRadiusM ?? DEFAULT_MEASUREMENT_OPTIONS.radiusM,
    thresholdDbm: options.measurementThresholdDbm ?? DEFAULT_MEASUREMENT_OPTIONS.thresholdDbm,
  };
  const { mask, measured } = applyMeasurements(table.lon, table.lat, predicted, measurements, field);
  const report = summarize(table, mask, broadbandMask, campaign, options, inputs);
  return withFieldVerification(report, predicted, measured, measurements.count, field);
}

/** Attaches each settlement's measured status and lists where measurement and prediction disagree. */
function withFieldVerification(
  report: AnalysisReport,
  predicted: Uint8Array,
  measured: readonly (MeasuredStatus | null)[],
  measurementCount: number,
  field: { radiusM: number; thresholdDbm: number },
): AnalysisReport {
  const disagreements: FieldDisagreement[] = [];
  let settlementsMeasured = 0;
  report.settlements.forEach((s, i) => {
    const m = measured[i];
    if (!m) return;
    settlementsMeasured++;
    s.measured = m;
    for (const o of m.operators) {
      const wasPredicted = (predicted[i] & OPERATOR_BIT[o.operator]) !== 0;
      if (wasPredicted !== o.covered) {
        disagreements.push({ id: s.id, name: s.name, county: s.county, township: s.township, village: s.village,
          operator: o.operator, predicted: wasPredicted, measured: o.covered, bestRsrp: o.bestRsrp, readings: o.readings });
      }
    }
  });
  report.fieldVerification = { ...field, measurements: measurementCount, settlementsMeasured, disagreements };
  return report;
}

export function resolveOptions(partial: Partial<AnalysisOptions> = {}): AnalysisOptions {
  const o = { ...DEFAULT_OPTIONS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  if (!Number.isInteger(o.minHouseholds) || o.minHouseholds < 0) {
    throw new RangeError(`minHouseholds: found ${o.minHouseholds}; expected a whole number ≥ 0`);
  }
  if (o.measurementThresholdDbm !== undefined && !(o.measurementThresholdDbm >= -160 && o.measurementThresholdDbm <= -20)) {
    throw new RangeError(`measurementThresholdDbm: found ${o.measurementThresholdDbm}; expected dBm between -160 and -20 (e.g. -105)`);
  }
  if (o.measurementRadiusM !== undefined && !(o.measurementRadiusM > 0 && o.measurementRadiusM <= 10_000)) {
    throw new RangeError(`measurementRadiusM: found ${o.measurementRadiusM}; expected metres between 0 and 10000 (e.g. 300)`);
  }
  for (const key of ['targetMobile', 'targetBroadband'] as const) {
    if (!(o[key] >= 0 && o[key] <= 1)) throw new RangeError(`${key}: found ${o[key]}; expected a fraction between 0 and 1 (e.g. 0.95)`);
  }
  return o;
}

/** Rates and per-settlement results from coverage masks already computed (by this module or a faster path). */
export function summarize(...args: Parameters<typeof summarizeRates>): AnalysisReport {
  return completeReport(summarizeRates(...args));
}

/**
 * A report whose settlement list is not built yet: the rates and seats are, and the list comes from these
 * columns, range by range (settlementResults), so that a writer need never hold it whole. With R = null the
 * rates are being computed elsewhere (summarizeSeats).
 */
export interface PendingReport<R extends AnalysisReport['rates'] | null = AnalysisReport['rates']> {
  /** The report with an empty settlements list, in its place among the other members. */
  report: Omit<AnalysisReport, 'rates'> & { rates: R };
  columns: SettlementColumns;
}

/** What one settlement's result is made of, column by column: the settlement table's, with its masks and flags. */
export interface SettlementColumns {
  count: number;
  id: readonly string[];
  name: readonly string[];
  county: readonly string[];
  township: readonly string[];
  village: readonly string[];
  code: readonly (string | undefined)[];
  households: Float64Array;
  committee: Uint8Array;
  lon: Float64Array;
  lat: Float64Array;
  mobile: Uint8Array;
  broadband: Uint8Array;
  /** 1 where the settlement belongs to a listed village; focus: to a focus county. */
  listed: Uint8Array;
  focus: Uint8Array;
}

export function isPendingReport(report: AnalysisReport | PendingReport): report is PendingReport {
  return 'columns' in report;
}

/** The pending report with its whole settlement list. */
export function completeReport(pending: PendingReport): AnalysisReport {
  const { report, columns } = pending;
  return { ...report, settlements: settlementResults(columns, report.options.minHouseholds, 0, columns.count) };
}

/** Results of settlements [from, to) of the columns, as summarize() lists them. */
export function settlementResults(c: SettlementColumns, minHouseholds: number, from: number, to: number): SettlementResult[] {
  if (!(from >= 0 && from <= to && to <= c.count)) throw new RangeError(`settlementResults: range ${from}..${to} outside 0..${c.count}`);
  const out: SettlementResult[] = new Array(to - from);
  for (let i = from; i < to; i++) {
    const hh = c.households[i];
    const mm = c.mobile[i];
    const bm = c.broadband[i];
    const code = c.code[i];
    // Two literals rather than a spread: `code` only when known, in the same property order either way.
    out[i - from] = code
      ? {
        id: c.id[i], name: c.name[i], households: hh, county: c.county[i], township: c.township[i], village: c.village[i],
        committee: c.committee[i] === 1, code, lon: c.lon[i], lat: c.lat[i], eligible: hh >= minHouseholds,
        mobile: mm !== 0, mobileOperators: maskOperators(mm), broadband: bm !== 0, broadbandOperators: maskOperators(bm),
        listed: c.listed[i] === 1, focusCounty: c.focus[i] === 1,
      }
      : {
        id: c.id[i], name: c.name[i], households: hh, county: c.county[i], township: c.township[i], village: c.village[i],
        committee: c.committee[i] === 1, lon: c.lon[i], lat: c.lat[i], eligible: hh >= minHouseholds,
        mobile: mm !== 0, mobileOperators: maskOperators(mm), broadband: bm !== 0, broadbandOperators: maskOperators(bm),
        listed: c.listed[i] === 1, focusCounty: c.focus[i] === 1,
      };
  }
  return out;
}

/**
 * summarize() without the settlement list: the rates, the committee seats, and the columns the list comes from.
 * `groups` may be computed ahead (groupSettlements), while the coverage is still being classified.
 */
export function summarizeRates(
  table: SettlementTable,
  mobileMask: Uint8Array,
  broadbandMask: Uint8Array,
  campaign: CampaignContext,
  options: AnalysisOptions,
  inputs: AnalysisReport['inputs'],
  groups: SettlementGroups = groupSettlements(table, campaign),
): PendingReport {
  const pending = summarizeSeats(table, mobileMask, broadbandMask, options, inputs, groups);
  return withRates(pending, groupRates(groups, table.households, mobileMask, broadbandMask, options));
}

/** summarizeRates() but for the rates, which another thread computes meanwhile (groupRates over the same groups). */
export function summarizeSeats(
  table: SettlementTable,
  mobileMask: Uint8Array,
  broadbandMask: Uint8Array,
  options: AnalysisOptions,
  inputs: AnalysisReport['inputs'],
  groups: SettlementGroups,
): PendingReport<null> {
  const seats: CommitteeSeatCheck[] = Array.from(groups.seats, (i) => ({
    id: table.id[i], name: table.name[i], county: table.county[i], township: table.township[i], village: table.village[i],
    mobile: mobileMask[i] !== 0, broadband: broadbandMask[i] !== 0,
  }));
  const mobileCovered = seats.filter((s) => s.mobile).length;
  const broadbandCovered = seats.filter((s) => s.broadband).length;
  const report = {
    options,
    settlements: [],
    // In its place among the members, for the report's JSON.
    rates: null,
    committeeSeats: {
      seats,
      total: seats.length,
      mobileCovered,
      broadbandCovered,
      met: seats.length === 0 ? null : mobileCovered === seats.length && broadbandCovered === seats.length,
      listedVillagesWithoutSeat: groups.listedVillagesWithoutSeat,
    },
    inputs,
  };
  return { report, columns: { ...table, mobile: mobileMask, broadband: broadbandMask, listed: groups.listed, focus: groups.focus } };
}

/** The pending report with its rates in their place. */
export function withRates(pending: PendingReport<null>, rates: AnalysisReport['rates']): PendingReport {
  return { report: { ...pending.report, rates }, columns: pending.columns };
}
