// The campaign question in one call: which eligible settlements have 4G and broadband, and how far each
// area is from its targets.
import { campaignMatcher, EMPTY_CAMPAIGN, type CampaignContext, type CampaignVillage } from './campaign';
import { classifyPoints, hilbertOrder } from './classify';
import { IssueList } from './issues';
import { applyMeasurements, buildMeasurementTable, DEFAULT_MEASUREMENT_OPTIONS, type MeasuredStatus, type MeasurementTable } from './measurements';
import { buildPolygonSet, coverageBuildOptions, maskOperators, OPERATOR_BIT, type CoverageSource } from './polygon-set';
import { RateAccumulator } from './rates';
import type { AnalysisOptions, AnalysisReport, CommitteeSeatCheck, FieldDisagreement, GroupRate, SettlementResult } from './report';
import { DEFAULT_OPTIONS } from './report';
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
 * columns, range by range (settlementResults), so that a writer need never hold it whole.
 */
export interface PendingReport {
  /** The report with an empty settlements list, in its place among the other members. */
  report: AnalysisReport;
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

/** summarize() without the settlement list: the rates, the committee seats, and the columns the list comes from. */
export function summarizeRates(
  table: SettlementTable,
  mobileMask: Uint8Array,
  broadbandMask: Uint8Array,
  campaign: CampaignContext,
  options: AnalysisOptions,
  inputs: AnalysisReport['inputs'],
): PendingReport {
  const match = campaignMatcher(campaign);
  const city = new RateAccumulator();
  const counties = new Map<string, RateAccumulator>();
  const townships = new Map<string, RateAccumulator>();
  const villages = new Map<string, RateAccumulator>();
  const listedGroups = new Map<string, string>();
  const listedFlags = new Uint8Array(table.count);
  const focusFlags = new Uint8Array(table.count);
  const seats: CommitteeSeatCheck[] = [];
  const seatedVillages = new Set<string>();
  // Settlements of one village share their groups and name matching: looked up once per village, not per settlement.
  const cells = new Map<string, Map<string, Map<string, VillageCell>>>();
  const cellOf = (county: string, township: string, village: string): VillageCell => {
    let byTownship = cells.get(county);
    if (!byTownship) cells.set(county, (byTownship = new Map()));
    let byVillage = byTownship.get(township);
    if (!byVillage) byTownship.set(township, (byVillage = new Map()));
    let cell = byVillage.get(village);
    if (!cell) {
      const key = `${county}/${township}/${village}`;
      cell = {
        county: group(counties, county),
        township: group(townships, `${county}/${township}`),
        village: group(villages, key),
        key,
        listedByName: match.listedByName(county, township, village),
        focus: match.county(county)?.focus === true,
      };
      byVillage.set(village, cell);
    }
    return cell;
  };

  for (let i = 0; i < table.count; i++) {
    const county = table.county[i];
    const township = table.township[i];
    const village = table.village[i];
    const hh = table.households[i];
    const eligible = hh >= options.minHouseholds;
    const mm = mobileMask[i];
    const bm = broadbandMask[i];
    const cell = cellOf(county, township, village);
    const listed = match.listedByCode(table.code[i]) ?? cell.listedByName;

    city.add(eligible, hh, mm, bm);
    cell.county.add(eligible, hh, mm, bm);
    cell.township.add(eligible, hh, mm, bm);
    cell.village.add(eligible, hh, mm, bm);
    if (cell.focus) focusFlags[i] = 1;
    if (listed) {
      listedFlags[i] = 1;
      listedGroups.set(cell.key, listed.category);
      if (table.committee[i] === 1) {
        seats.push({ id: table.id[i], name: table.name[i], county, township, village, mobile: mm !== 0, broadband: bm !== 0 });
        seatedVillages.add(listed.code ?? `${listed.county}/${listed.listedTownship}/${listed.listedName}`);
      }
    }
  }

  const { targetMobile: tm, targetBroadband: tb } = options;
  const countyRates = toRecord(counties, tm, tb, (name, r) => {
    const c = match.county(name);
    if (c?.focus) {
      r.focus = true;
      r.leader = c.leader ?? undefined;
    }
  });
  const villageRates = toRecord(villages, tm, tb, (key, r) => {
    const category = listedGroups.get(key);
    if (category !== undefined) {
      r.listed = true;
      r.listedCategory = category;
    }
  });
  const mobileCovered = seats.filter((s) => s.mobile).length;
  const broadbandCovered = seats.filter((s) => s.broadband).length;
  const report: AnalysisReport = {
    options,
    settlements: [],
    rates: {
      city: city.toRate(tm, tb),
      counties: countyRates,
      townships: toRecord(townships, tm, tb),
      villages: villageRates,
    },
    committeeSeats: {
      seats,
      total: seats.length,
      mobileCovered,
      broadbandCovered,
      met: seats.length === 0 ? null : mobileCovered === seats.length && broadbandCovered === seats.length,
      listedVillagesWithoutSeat: campaign.listedVillages
        .filter((v) => !seatedVillages.has(v.code ?? `${v.county}/${v.listedTownship}/${v.listedName}`))
        .map((v) => `${v.county}${v.listedTownship}${v.listedName}`),
    },
    inputs,
  };
  return { report, columns: { ...table, mobile: mobileMask, broadband: broadbandMask, listed: listedFlags, focus: focusFlags } };
}

interface VillageCell {
  county: RateAccumulator;
  township: RateAccumulator;
  village: RateAccumulator;
  /** county/township/village, the key of the village's rate. */
  key: string;
  listedByName: CampaignVillage | null;
  focus: boolean;
}

function group(map: Map<string, RateAccumulator>, key: string): RateAccumulator {
  let acc = map.get(key);
  if (!acc) map.set(key, (acc = new RateAccumulator()));
  return acc;
}

/** One collator for every sort: localeCompare builds one per comparison. */
const ZH_ORDER = new Intl.Collator('zh-CN');

function toRecord(
  map: Map<string, RateAccumulator>,
  tm: number,
  tb: number,
  decorate?: (key: string, rate: GroupRate) => void,
): Record<string, GroupRate> {
  const out: Record<string, GroupRate> = {};
  for (const key of [...map.keys()].sort(ZH_ORDER.compare)) {
    const rate = map.get(key)!.toRate(tm, tb);
    decorate?.(key, rate);
    out[key] = rate;
  }
  return out;
}
