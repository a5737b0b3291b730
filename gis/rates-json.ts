// The rates of every group as JSON bytes, byte for byte JSON.stringify(groupRates(...)), written from the totals
// without building the objects: a worker writes them for the report while the main thread writes the settlement
// list (data/analyze-files.ts). Building ~12 objects per village, then stringifying and encoding them, took that
// worker 80-105 ms at M, this 67-75 ms, most of it in the tail of the run (bench/RESULTS.md, tenth session).
import { ascii, jsonFragment, NUMBER_BOUND, put, putNumber, putString, stringBound } from './json-bytes';
import { ALL, BROADBAND, ELIGIBLE, groupTotals, HOUSEHOLDS, MOBILE, NO_RATE_NOTE, requiredCount, ROW } from './rates';
import type { AnalysisOptions } from './report';
import type { SettlementGroups } from './settlement-groups';
import { OPERATORS } from './types';

const CITY = ascii('{"city":');
const COUNTIES = ascii(',"counties":{');
const TOWNSHIPS = ascii('},"townships":{');
const VILLAGES = ascii('},"villages":{');
const END = ascii('}}');
const SETTLEMENTS = ascii('{"settlements":');
const HOUSEHOLDS_ = ascii(',"households":');
const ALL_SETTLEMENTS = ascii(',"allSettlements":');
const MOBILE_ = ascii(',"mobile":');
const BROADBAND_ = ascii(',"broadband":');
const NOTE = jsonFragment(',"note":', NO_RATE_NOTE);
const FOCUS = ascii(',"focus":true');
const FOCUS_LEADER = ascii(',"focus":true,"leader":');
const LISTED = ascii(',"listed":true,"listedCategory":');
const COVERED = ascii('{"covered":');
const COVERED_HOUSEHOLDS = ascii(',"coveredHouseholds":');
const RATE = ascii(',"rate":');
const HOUSEHOLD_RATE = ascii(',"householdRate":');
const TARGET = ascii(',"target":');
const MET = [ascii(',"met":false'), ascii(',"met":true'), ascii(',"met":null')];
const SHORTFALL = ascii(',"shortfall":');
const HOUSEHOLD_SHORTFALL = ascii(',"householdShortfall":');
const BY_OPERATOR = ascii(',"byOperator":{');
const OPERATOR = OPERATORS.map((op, k) => ascii(`${k ? '},' : ''}"${op}":`));
const CLOSE_OPERATORS = ascii('}}}');
const NULL = ascii('null');

/** A group's bytes besides its key and strings: 4 operator rates, 2 layers, members; ≤ 40 numbers. */
const GROUP_FIXED = 1024 + 40 * NUMBER_BOUND;

export function groupRatesJson(
  groups: SettlementGroups,
  households: Float64Array,
  mobile: Uint8Array,
  broadband: Uint8Array,
  options: Pick<AnalysisOptions, 'minHouseholds' | 'targetMobile' | 'targetBroadband'>,
): Uint8Array {
  const t = groupTotals(groups, households, mobile, broadband, options.minHouseholds);
  const w = new RatesWriter(options.targetMobile, options.targetBroadband, (groups.villageKeys.length + groups.townshipKeys.length) * 1200);
  w.raw(CITY);
  w.group(t.city, 0, null);
  w.raw(COUNTIES);
  groups.countyKeys.forEach((key, k) => {
    const leader = groups.countyLeader[k];
    if (!groups.countyFocus[k]) w.group(t.counties, k, key, k > 0);
    else if (leader === null) w.group(t.counties, k, key, k > 0, FOCUS);
    else w.group(t.counties, k, key, k > 0, FOCUS_LEADER, leader);
  });
  w.raw(TOWNSHIPS);
  groups.townshipKeys.forEach((key, k) => w.group(t.townships, k, key, k > 0));
  w.raw(VILLAGES);
  groups.villageKeys.forEach((key, k) => {
    const category = groups.villageCategory[k];
    if (category === null) w.group(t.villages, k, key, k > 0);
    else w.group(t.villages, k, key, k > 0, LISTED, category);
  });
  w.raw(END);
  return w.bytes();
}

class RatesWriter {
  private out: Uint8Array;
  private p = 0;

  constructor(private readonly tm: number, private readonly tb: number, size: number) {
    this.out = new Uint8Array(Math.max(4096, size));
  }

  bytes(): Uint8Array {
    return this.out.subarray(0, this.p);
  }

  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.p = put(bytes, this.out, this.p);
  }

  /**
   * `"key":` (unless key is null) and group k's rate, ending with `more` and `text` as JSON when given: a
   * county's focus flag and leader, a village's listed flag and category.
   */
  group(rows: Float64Array, k: number, key: string | null, comma = false, more?: Uint8Array, text?: string): void {
    this.room(GROUP_FIXED + stringBound((key ?? '').length) + stringBound((text ?? '').length));
    const out = this.out;
    let p = this.p;
    if (comma) out[p++] = 0x2c;
    if (key !== null) {
      p = putString(key, out, p);
      out[p++] = 0x3a;
    }
    const r = k * ROW;
    const settlements = rows[r + ELIGIBLE], households = rows[r + HOUSEHOLDS];
    p = put(SETTLEMENTS, out, p);
    p = putNumber(settlements, out, p);
    p = put(HOUSEHOLDS_, out, p);
    p = putNumber(households, out, p);
    p = put(ALL_SETTLEMENTS, out, p);
    p = putNumber(rows[r + ALL], out, p);
    p = put(MOBILE_, out, p);
    p = this.layer(rows, r + MOBILE, settlements, households, this.tm, p);
    p = put(BROADBAND_, out, p);
    p = this.layer(rows, r + BROADBAND, settlements, households, this.tb, p);
    if (settlements === 0) p = put(NOTE, out, p);
    if (more) p = put(more, out, p);
    if (text !== undefined) p = putString(text, out, p);
    out[p++] = 0x7d;
    this.p = p;
  }

  private layer(rows: Float64Array, at: number, settlements: number, households: number, target: number, p: number): number {
    const out = this.out;
    const covered = rows[at], coveredHouseholds = rows[at + 1];
    p = this.operator(covered, coveredHouseholds, settlements, households, p);
    p = put(TARGET, out, p);
    p = putNumber(target, out, p);
    if (settlements === 0) {
      p = put(MET[2], out, p);
      p = put(SHORTFALL, out, p);
      p = put(NULL, out, p);
      p = put(HOUSEHOLD_SHORTFALL, out, p);
      p = put(NULL, out, p);
    } else {
      const need = requiredCount(target, settlements);
      const needHouseholds = requiredCount(target, households);
      p = put(MET[covered >= need ? 1 : 0], out, p);
      p = put(SHORTFALL, out, p);
      p = putNumber(Math.max(0, need - covered), out, p);
      p = put(HOUSEHOLD_SHORTFALL, out, p);
      p = putNumber(Math.max(0, needHouseholds - coveredHouseholds), out, p);
    }
    p = put(BY_OPERATOR, out, p);
    for (let k = 0; k < OPERATORS.length; k++) {
      p = put(OPERATOR[k], out, p);
      p = this.operator(rows[at + 2 + 2 * k], rows[at + 3 + 2 * k], settlements, households, p);
    }
    return put(CLOSE_OPERATORS, out, p);
  }

  /** An operator rate's members after `{`, without the closing brace: the layer's own members follow them. */
  private operator(covered: number, coveredHouseholds: number, settlements: number, households: number, p: number): number {
    const out = this.out;
    p = put(COVERED, out, p);
    p = putNumber(covered, out, p);
    p = put(COVERED_HOUSEHOLDS, out, p);
    p = putNumber(coveredHouseholds, out, p);
    p = put(RATE, out, p);
    p = settlements === 0 ? put(NULL, out, p) : putNumber(covered / settlements, out, p);
    p = put(HOUSEHOLD_RATE, out, p);
    return settlements === 0 || households === 0 ? put(NULL, out, p) : putNumber(coveredHouseholds / households, out, p);
  }

  private room(n: number): void {
    if (this.p + n <= this.out.length) return;
    const next = new Uint8Array(Math.max(this.p + n, 2 * this.out.length));
    next.set(this.out.subarray(0, this.p));
    this.out = next;
  }
}
