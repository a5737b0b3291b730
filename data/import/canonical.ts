// One source record → one canonical feature for a layer role, or the issues explaining why not.
import type { LayerRole } from '../../api/contract';
import type { Feature, Operator } from '../../gis/types';
import { validLonLat, type CrsResolution } from './crs';
import { toMultiPolygon, toPoint } from './geometry';
import {
  asText, isBlank, parseBoolean, parseCoordinate, parseHouseholds, parseNumber, parseOperator, type CanonicalField,
} from './mapping';
import type { SourceRecord } from './source';

export const POLYGON_ROLES: ReadonlySet<LayerRole> = new Set(['mobile', 'broadband', 'boundaries']);

export interface CanonicalContext {
  role: LayerRole;
  kind: 'table' | 'features';
  /** Canonical field → source column. */
  mapping: Record<string, string | null>;
  crs: CrsResolution;
  /** Used to generate settlement ids: `<stem>-<row>`. */
  stem: string;
  /** Operator for coverage files without an operator column (from the file name). */
  defaultOperator: Operator | null;
  /** Extra attributes kept, in order, with the names they are stored under. */
  extras: { column: string; stored: string }[];
}

export type Problem = { field: string; message: string };
export type CanonicalResult = { feature: Feature; problems: []; closedRings: number } | { feature: null; problems: Problem[]; closedRings: 0 };

const LABEL: Record<string, string> = {
  households: '户数', name: '名称', village: '行政村', township: '乡镇', county: '县区', operator: '运营商',
  committee: '村委会所在地', lon: '经度', lat: '纬度', azimuth: '方位角', beamwidth: '波瓣宽度', radius: '覆盖半径', id: '编号',
};

const RADIUS_UNITS = { m: 1, 米: 1, km: 1000, 公里: 1000, 千米: 1000 };

// Module-level helpers, not per-record closures: canonicalize runs once per feature of files of millions.
function col(ctx: CanonicalContext, f: CanonicalField): string | null {
  return ctx.mapping[f] ?? null;
}

function raw(rec: SourceRecord, ctx: CanonicalContext, f: CanonicalField): unknown {
  const c = ctx.mapping[f] ?? null;
  return c === null ? undefined : rec.properties[c];
}

/** An extra attribute's stored value. Attribute columns hold scalars: nested GeoJSON values are kept as JSON text. */
function extraValue(v: unknown): unknown {
  if (v === undefined || (typeof v === 'string' && v.trim() === '')) return null;
  return typeof v === 'object' && v !== null && !(v instanceof Date) ? JSON.stringify(v) : v;
}

function shown(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}

function bad(problems: Problem[], ctx: CanonicalContext, f: CanonicalField, v: unknown, expected: string): void {
  problems.push({ field: f, message: `${col(ctx, f) ?? f} = ${shown(v)}: expected ${expected}` });
}

function required(problems: Problem[], rec: SourceRecord, ctx: CanonicalContext, f: CanonicalField): boolean {
  if (isBlank(raw(rec, ctx, f))) {
    problems.push({ field: f, message: `${col(ctx, f) ?? f} is empty: expected ${LABEL[f] ?? f}` });
    return false;
  }
  return true;
}

function text(rec: SourceRecord, ctx: CanonicalContext, f: CanonicalField): string {
  return asText(raw(rec, ctx, f));
}

export function canonicalize(rec: SourceRecord, ctx: CanonicalContext): CanonicalResult {
  const problems: Problem[] = [];

  // Geometry
  const wantsPolygon = POLYGON_ROLES.has(ctx.role);
  let geometry: Feature['geometry'] = null;
  let closedRings = 0;
  if (ctx.kind === 'table') {
    if (wantsPolygon) problems.push({ field: 'geometry', message: 'a table has no polygons: coverage and boundary layers need GeoJSON, Shapefile or KML' });
    else if (col(ctx, 'lon') && col(ctx, 'lat')) {
      const xv = raw(rec, ctx, 'lon');
      const yv = raw(rec, ctx, 'lat');
      if (ctx.role === 'listed' && isBlank(xv) && isBlank(yv)) geometry = null;
      else {
        const x = parseCoordinate(xv);
        const y = parseCoordinate(yv);
        if (!x.ok) problems.push({ field: 'lon', message: `${col(ctx, 'lon')} = ${shown(xv)}: expected ${x.expected}` });
        if (!y.ok) problems.push({ field: 'lat', message: `${col(ctx, 'lat')} = ${shown(yv)}: expected ${y.expected}` });
        if (x.ok && y.ok) {
          const g = toPoint({ type: 'Point', coordinates: [x.value, y.value] }, ctx.crs.toWgs84);
          if (g.ok) geometry = g.geometry;
          else problems.push({ field: 'geometry', message: g.message });
        }
      }
    }
  } else if (ctx.role === 'listed' && (rec.geometry === null || rec.geometry === undefined)) {
    geometry = null;
  } else {
    const g = wantsPolygon ? toMultiPolygon(rec.geometry, ctx.crs.toWgs84) : toPoint(rec.geometry, ctx.crs.toWgs84);
    if (g.ok) {
      geometry = g.geometry;
      closedRings = g.closedRings;
    } else problems.push({ field: 'geometry', message: g.message });
  }

  const p: Record<string, unknown> = {};
  const idValue = col(ctx, 'id') ? raw(rec, ctx, 'id') : rec.id;
  if (!isBlank(idValue)) p.id = asText(idValue);

  switch (ctx.role) {
    case 'settlements': {
      p.id ??= `${ctx.stem}-${rec.row}`;
      if (required(problems, rec, ctx, 'name')) p.name = text(rec, ctx, 'name');
      if (required(problems, rec, ctx, 'households')) {
        const h = parseHouseholds(raw(rec, ctx, 'households'));
        if (h.ok) p.households = h.value;
        else bad(problems, ctx, 'households', raw(rec, ctx, 'households'), h.expected);
      }
      p.county = text(rec, ctx, 'county');
      p.township = text(rec, ctx, 'township');
      p.village = text(rec, ctx, 'village');
      const c = parseBoolean(raw(rec, ctx, 'committee'));
      if (c.ok) p.committee = c.value;
      else bad(problems, ctx, 'committee', raw(rec, ctx, 'committee'), c.expected);
      if (!isBlank(raw(rec, ctx, 'code'))) p.code = text(rec, ctx, 'code');
      break;
    }
    case 'mobile':
    case 'broadband':
    case 'sites': {
      const v = col(ctx, 'operator') ? raw(rec, ctx, 'operator') : undefined;
      if (col(ctx, 'operator') && !isBlank(v)) {
        const op = parseOperator(v);
        if (op.ok) p.operator = op.value;
        else bad(problems, ctx, 'operator', v, op.expected);
      } else if (ctx.defaultOperator && !col(ctx, 'operator')) p.operator = ctx.defaultOperator;
      else problems.push({ field: 'operator', message: `${col(ctx, 'operator') ?? 'operator'} is empty: expected an operator: 移动/电信/联通 (CMCC/CT/CU)` });
      p.tech = text(rec, ctx, 'tech') || (ctx.role === 'broadband' ? 'FTTH' : '4G');
      for (const f of ['name', 'county', 'township', 'village', 'code'] as const) if (col(ctx, f) && !isBlank(raw(rec, ctx, f))) p[f] = text(rec, ctx, f);
      if (ctx.role === 'sites') {
        const num = (f: CanonicalField, min: number, max: number, units?: Record<string, number>): void => {
          const v2 = raw(rec, ctx, f);
          if (isBlank(v2)) return;
          const n = parseNumber(v2, units);
          if (!n.ok) bad(problems, ctx, f, v2, n.expected);
          else if (n.value < min || n.value > max) bad(problems, ctx, f, v2, `a value between ${min} and ${max}`);
          else p[f] = n.value;
        };
        num('azimuth', 0, 360);
        num('beamwidth', 1, 360);
        num('radius', 1, 100000, RADIUS_UNITS);
        if (!isBlank(raw(rec, ctx, 'band'))) p.band = text(rec, ctx, 'band');
      }
      break;
    }
    case 'measurements': {
      const v = raw(rec, ctx, 'operator');
      const op = parseOperator(v);
      if (op.ok) p.operator = op.value;
      else bad(problems, ctx, 'operator', v, op.expected);
      if (required(problems, rec, ctx, 'rsrp')) {
        const r = parseNumber(raw(rec, ctx, 'rsrp'), { dbm: 1 });
        if (!r.ok) bad(problems, ctx, 'rsrp', raw(rec, ctx, 'rsrp'), r.expected);
        else if (r.value < -160 || r.value > -20) bad(problems, ctx, 'rsrp', raw(rec, ctx, 'rsrp'), 'RSRP in dBm between -160 and -20 (e.g. -98)');
        else p.rsrp = r.value;
      }
      p.tech = text(rec, ctx, 'tech') || '4G';
      if (col(ctx, 'time') && !isBlank(raw(rec, ctx, 'time'))) p.time = text(rec, ctx, 'time');
      if (col(ctx, 'name') && !isBlank(raw(rec, ctx, 'name'))) p.name = text(rec, ctx, 'name');
      break;
    }
    case 'boundaries':
      for (const f of ['name', 'code', 'county', 'township', 'village'] as const) if (col(ctx, f) && !isBlank(raw(rec, ctx, f))) p[f] = text(rec, ctx, f);
      break;
    case 'listed': {
      if (required(problems, rec, ctx, 'village')) p.village = text(rec, ctx, 'village');
      p.township = text(rec, ctx, 'township');
      p.county = text(rec, ctx, 'county');
      for (const f of ['name', 'code'] as const) if (col(ctx, f) && !isBlank(raw(rec, ctx, f))) p[f] = text(rec, ctx, f);
      const c = parseBoolean(raw(rec, ctx, 'committee'));
      if (c.ok) p.committee = c.value;
      else bad(problems, ctx, 'committee', raw(rec, ctx, 'committee'), c.expected);
      break;
    }
  }

  for (const { column, stored } of ctx.extras) p[stored] = extraValue(rec.properties[column]);

  if (problems.length) return { feature: null, problems, closedRings: 0 };
  const feature: Feature = { type: 'Feature', geometry, properties: p };
  if (typeof p.id === 'string') feature.id = p.id;
  return { feature, problems: [], closedRings };
}

/**
 * A batch of settlement records canonicalized a column at a time: the values canonicalize gives each record, without
 * a feature per record (objects of the same few shapes, built and taken apart again, were half of a large import's
 * reading thread). `keys` are the features' property keys in the order a batch of those features first has them,
 * `values[k][i]` record i's value of keys[k] (undefined where its feature lacks the key).
 */
export interface SettlementColumns {
  count: number;
  lon: Float64Array;
  lat: Float64Array;
  ids: string[];
  keys: string[];
  values: unknown[][];
}

/** Names properties keep in assignment order: not an array index (listed first) nor __proto__ (it sets the prototype). */
const ORDERED_KEY = /^(?!__proto__$)(?!(?:0|[1-9]\d*)$)/;

/**
 * canonicalize for a batch of settlement records in which every record is accepted as it stands: each a WGS-84
 * position (a Point [lon, lat], or a table's coordinate columns; nothing to convert) with its required fields valid.
 * Null when any record is not: the caller then canonicalizes them one by one, which names each problem.
 */
export function canonicalizeSettlements(records: readonly SourceRecord[], ctx: CanonicalContext): SettlementColumns | null {
  if (ctx.role !== 'settlements' || ctx.crs.toWgs84 !== null) return null;
  const stored = ctx.extras.map((e) => e.stored);
  if (new Set(stored).size !== stored.length || !stored.every((k) => ORDERED_KEY.test(k))) return null;
  const n = records.length;
  const lon = new Float64Array(n), lat = new Float64Array(n);
  const ids: string[] = new Array(n), names: string[] = new Array(n), households: number[] = new Array(n);
  const counties: string[] = new Array(n), townships: string[] = new Array(n), villages: string[] = new Array(n);
  const committees: boolean[] = new Array(n), codes: (string | undefined)[] = new Array(n);
  const m = ctx.mapping;
  // As col() and raw(): an id column only when named, the other fields' columns even when named "".
  const idColumn = m.id || null, nameColumn = m.name ?? null, householdsColumn = m.households ?? null;
  if (nameColumn === null || householdsColumn === null) return null;
  const countyColumn = m.county ?? null, townshipColumn = m.township ?? null, villageColumn = m.village ?? null;
  const committeeColumn = m.committee ?? null, codeColumn = m.code ?? null;
  // A table's positions are its coordinate columns (both named, as col() has them), a feature's its Point.
  const table = ctx.kind === 'table';
  const lonColumn = m.lon || null, latColumn = m.lat || null;
  if (table && (lonColumn === null || latColumn === null)) return null;
  let firstCode = -1;
  for (let i = 0; i < n; i++) {
    const rec = records[i];
    if (rec.problem) return null;
    const props = rec.properties;
    let x: unknown, y: unknown;
    if (table) {
      const px = parseCoordinate(props[lonColumn!]), py = parseCoordinate(props[latColumn!]);
      if (!px.ok || !py.ok) return null;
      x = px.value;
      y = py.value;
    } else {
      const g = rec.geometry as { type?: unknown; coordinates?: unknown } | null | undefined;
      const c = g?.type === 'Point' ? g.coordinates : null;
      if (!Array.isArray(c) || c.length !== 2) return null;
      x = c[0];
      y = c[1];
    }
    if (typeof x !== 'number' || typeof y !== 'number' || !validLonLat(x, y)) return null;
    lon[i] = x;
    lat[i] = y;
    const idValue = idColumn !== null ? props[idColumn] : rec.id;
    ids[i] = isBlank(idValue) ? `${ctx.stem}-${rec.row}` : asText(idValue);
    const name = props[nameColumn];
    if (isBlank(name)) return null;
    names[i] = asText(name);
    const h = props[householdsColumn];
    const hh = isBlank(h) ? null : parseHouseholds(h);
    if (!hh?.ok) return null;
    households[i] = hh.value;
    counties[i] = countyColumn === null ? '' : asText(props[countyColumn]);
    townships[i] = townshipColumn === null ? '' : asText(props[townshipColumn]);
    villages[i] = villageColumn === null ? '' : asText(props[villageColumn]);
    const committee = parseBoolean(committeeColumn === null ? undefined : props[committeeColumn]);
    if (!committee.ok) return null;
    committees[i] = committee.value;
    const code = codeColumn === null ? undefined : props[codeColumn];
    if (!isBlank(code)) {
      codes[i] = asText(code);
      if (firstCode < 0) firstCode = i;
    }
  }
  const keys = ['id', 'name', 'households', 'county', 'township', 'village', 'committee'];
  const values: unknown[][] = [ids, names, households, counties, townships, villages, committees];
  // The record order of keys: code comes before the extras in a feature that has one.
  if (firstCode === 0) {
    keys.push('code');
    values.push(codes);
  }
  for (const { column, stored: key } of ctx.extras) {
    const extra: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) extra[i] = extraValue(records[i].properties[column]);
    keys.push(key);
    values.push(extra);
  }
  if (firstCode > 0) {
    keys.push('code');
    values.push(codes);
  }
  return { count: n, lon, lat, ids, keys, values };
}

/** Canonical property names a role always writes, in a stable order. */
export function canonicalFields(role: LayerRole, mapping: Record<string, string | null>, hasFeatureIds: boolean): string[] {
  const mapped = (f: string): boolean => Boolean(mapping[f]);
  const base: Record<LayerRole, string[]> = {
    settlements: ['id', 'name', 'households', 'county', 'township', 'village', 'committee'],
    mobile: ['operator', 'tech'],
    broadband: ['operator', 'tech'],
    sites: ['operator', 'tech'],
    boundaries: [],
    listed: ['village', 'township', 'county', 'committee'],
    measurements: ['operator', 'rsrp', 'tech'],
  };
  const optional = ['id', 'name', 'code', 'county', 'township', 'village', 'azimuth', 'beamwidth', 'radius', 'band', 'time'];
  const fields = [...base[role]];
  for (const f of optional) {
    if (fields.includes(f)) continue;
    if (mapped(f) || (f === 'id' && hasFeatureIds)) fields.push(f);
  }
  return fields;
}
