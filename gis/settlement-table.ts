// Settlement points validated and laid out column by column.
import { JSON_COORDINATES, lonLatInRange, positionProblemIn, type CoordinateReader } from './polygon-set';
import { FirstSeen } from './first-seen';
import type { IssueList } from './issues';
import type { Feature } from './types';

export interface SettlementTable {
  count: number;
  id: string[];
  name: string[];
  county: string[];
  township: string[];
  village: string[];
  code: (string | undefined)[];
  households: Float64Array;
  committee: Uint8Array;
  lon: Float64Array;
  lat: Float64Array;
}

/** The properties buildSettlementTable reads; a scanner may drop the others. */
export const SETTLEMENT_FIELDS: ReadonlySet<string> = new Set(['id', 'name', 'households', 'county', 'township', 'village', 'code', 'committee']);

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', '是', '√', '✓']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', '否', '']);

/**
 * Validates settlement features (canonical property names) into a table. Problems are added to `issues`;
 * the table is only meaningful when none were found.
 */
export function buildSettlementTable(source: string, features: readonly Feature[], issues: IssueList): SettlementTable {
  const builder = new SettlementTableBuilder(source, issues, features.length);
  for (let i = 0; i < features.length; i++) builder.add(features[i], JSON_COORDINATES);
  return builder.finish();
}

/** Validates settlement features one at a time (feature index = call order) into growing columns. */
export class SettlementTableBuilder {
  private n = 0;
  private readonly t: SettlementTable;

  private readonly firstSeen: FirstSeen;

  constructor(private readonly source: string, private readonly issues: IssueList, expected = 1024) {
    const n = Math.max(1, expected);
    this.t = {
      count: 0,
      id: new Array(n), name: new Array(n), county: new Array(n), township: new Array(n), village: new Array(n),
      code: new Array(n),
      households: new Float64Array(n), committee: new Uint8Array(n), lon: new Float64Array(n), lat: new Float64Array(n),
    };
    this.firstSeen = new FirstSeen(this.t.id);
  }

  get count(): number {
    return this.n;
  }

  add<N>(feature: unknown, reader: CoordinateReader<N>): void {
    const { source, issues, t } = this;
    const i = this.next();
    const f = feature as Feature | null;
    if (!f || typeof f !== 'object' || f.type !== 'Feature') {
      issues.add(source, i, 'type', 'expected a GeoJSON Feature');
      return;
    }
    const props = (f.properties ?? {}) as Record<string, unknown>;

    const g = f.geometry as { type?: unknown; coordinates?: unknown } | null;
    if (!g || g.type !== 'Point') {
      issues.add(source, i, 'geometry', `found ${g ? String(g.type) : 'no geometry'}; expected a Point`);
    } else {
      const c = g.coordinates as N;
      const problem = positionProblemIn(reader, c);
      if (problem) issues.add(source, i, 'geometry', problem);
      else {
        t.lon[i] = reader.number(reader.item(c, 0));
        t.lat[i] = reader.number(reader.item(c, 1));
      }
    }

    this.fields(i, props.id ?? f.id, props.households, props.county, props.township, props.village, props.name, props.code, props.committee);
  }

  /**
   * add() of a Feature whose geometry is a Point at [lon, lat], which must be finite and within range (lonLatInRange),
   * and whose id (property, else top-level) and other properties are these, without making the feature.
   */
  addPoint(
    lon: number, lat: number, rawId: unknown, households: unknown, county: unknown, township: unknown, village: unknown,
    name: unknown, code: unknown, committee: unknown,
  ): void {
    if (!lonLatInRange(lon, lat)) throw new RangeError(`addPoint: [${lon}, ${lat}] is not a valid position; add() reports it`);
    const i = this.next();
    this.t.lon[i] = lon;
    this.t.lat[i] = lat;
    this.fields(i, rawId, households, county, township, village, name, code, committee);
  }

  private next(): number {
    const i = this.n++;
    if (i >= this.t.lon.length) this.growColumns(2 * i);
    return i;
  }

  /** Validates and keeps settlement i's properties (the geometry checked before: problems come in this order). */
  private fields(
    i: number, rawId: unknown, households: unknown, county: unknown, township: unknown, village: unknown, name: unknown,
    code: unknown, committee: unknown,
  ): void {
    const { source, issues, t } = this;
    if ((typeof rawId !== 'string' || rawId.trim() === '') && typeof rawId !== 'number') {
      issues.add(source, i, 'id', 'missing; expected a unique non-empty string');
    } else {
      const id = String(rawId).trim();
      t.id[i] = id;
      const seen = this.firstSeen.check(i);
      if (seen >= 0) issues.add(source, i, 'id', `duplicate id ${JSON.stringify(id)}, first used by feature ${seen}`);
    }

    const hh = parseHouseholds(households);
    if (typeof hh === 'string') issues.add(source, i, 'households', hh);
    else t.households[i] = hh;

    if (typeof county !== 'string' || county.trim() === '') {
      issues.add(source, i, 'county', 'missing; expected the county name (e.g. 于都县)');
    } else t.county[i] = county.trim();
    t.township[i] = text(township);
    t.village[i] = text(village);
    t.name[i] = text(name) || t.id[i] || '';
    if (code !== undefined && code !== null && code !== '') {
      const s = String(code).trim();
      if (!/^\d{12}$/.test(s)) issues.add(source, i, 'code', `found ${JSON.stringify(code)}; expected a 12-digit village code`);
      else t.code[i] = s;
    }
    const flag = parseFlag(committee);
    if (flag === null) {
      issues.add(source, i, 'committee', `found ${JSON.stringify(committee)}; expected true or false (是/否)`);
    } else t.committee[i] = flag ? 1 : 0;
  }

  /** The table; the builder must not be used afterwards. */
  finish(): SettlementTable {
    const { t, n } = this;
    t.count = n;
    if (t.lon.length !== n) {
      for (const key of ['id', 'name', 'county', 'township', 'village', 'code'] as const) t[key].length = n;
      t.households = t.households.slice(0, n);
      t.committee = t.committee.slice(0, n);
      t.lon = t.lon.slice(0, n);
      t.lat = t.lat.slice(0, n);
    }
    return t;
  }

  private growColumns(size: number): void {
    const t = this.t;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    t.households = f64(t.households);
    t.lon = f64(t.lon);
    t.lat = f64(t.lat);
    const c = new Uint8Array(size);
    c.set(t.committee);
    t.committee = c;
  }
}

/** A whole number of households ≥ 0, or the sentence saying why the value is not one. */
export function parseHouseholds(value: unknown): number | string {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value;
    return `found ${value}; expected a whole number ≥ 0`;
  }
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return Number(value);
  if (value === undefined || value === null || value === '') return 'missing; expected a whole number ≥ 0';
  return `found ${JSON.stringify(value)}; expected a whole number ≥ 0`;
}

function parseFlag(value: unknown): boolean | null {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  const s = String(value).trim().toLowerCase();
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  return null;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value).trim();
}
