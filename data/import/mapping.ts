// Header detection (English and Chinese spellings → canonical fields) and the value parsers for those fields.
import type { LayerRole } from '../../api/contract';
import { normalizeOperator } from '../../gis/operators';
import type { Operator } from '../../gis/types';

export type CanonicalField =
  | 'id' | 'name' | 'households' | 'county' | 'township' | 'village' | 'committee' | 'code'
  | 'lon' | 'lat' | 'operator' | 'tech' | 'azimuth' | 'beamwidth' | 'radius' | 'band' | 'rsrp' | 'time';

/** Spellings per canonical field, compared after `normalizeHeader`. Order matters only within a field. */
export const FIELD_ALIASES: Record<CanonicalField, readonly string[]> = {
  lon: ['经度', '东经', 'lng', 'lon', 'long', 'longitude', 'x', 'x坐标', '经度e'],
  lat: ['纬度', '北纬', 'lat', 'latitude', 'y', 'y坐标', '纬度n'],
  households: ['户数', '总户数', '农户数', '居住户数', 'households', 'hh', 'household'],
  name: ['自然村', '聚居点', '聚居区', '名称', '自然村名称', '聚居区名称', '站名', '基站名称', 'name'],
  village: ['行政村', '村', '村委会', '行政村名称', 'village'],
  township: ['乡镇', '乡', '镇', '乡镇街道', '乡镇(街道)', '乡镇名称', 'township', 'town'],
  county: ['县', '区', '县区', '县(市、区)', '县(市,区)', '县市区', '区县', 'county'],
  operator: ['运营商', '运营商名称', 'operator', 'carrier'],
  tech: ['制式', '网络类型', '网络制式', 'tech', 'technology'],
  committee: ['村委会所在地', '是否村委会', '是否村委会所在地', 'committee', 'is_committee'],
  id: ['编号', '序号', 'id', '站号', '基站编号', 'site_id', 'siteid'],
  code: ['区划代码', '行政区划代码', '村代码', 'code', 'adcode'],
  azimuth: ['方位角', 'azimuth', 'az', 'azi'],
  beamwidth: ['波瓣宽度', '水平波宽', '水平波瓣宽度', '水平半功率角', 'beamwidth', 'bw', 'hbw'],
  radius: ['覆盖半径', 'radius', '半径'],
  band: ['频段', 'band', '频率', 'frequency'],
  rsrp: ['rsrp', 'rsrp(dbm)', '参考信号接收功率', '信号强度', '场强', '电平', 'lte_rsrp', 'signal'],
  time: ['时间', '测试时间', '采集时间', 'time', 'timestamp', 'datetime', 'date'],
};

/** Canonical fields each role understands (lon/lat only matter for tables), and which of them are required. */
export const ROLE_FIELDS: Record<LayerRole, { fields: CanonicalField[]; required: CanonicalField[] }> = {
  settlements: {
    fields: ['id', 'name', 'households', 'county', 'township', 'village', 'committee', 'code', 'lon', 'lat'],
    required: ['name', 'households'],
  },
  mobile: { fields: ['id', 'operator', 'tech', 'name', 'county', 'township', 'village', 'code'], required: ['operator'] },
  broadband: { fields: ['id', 'operator', 'tech', 'name', 'county', 'township', 'village', 'code'], required: ['operator'] },
  sites: {
    fields: ['id', 'name', 'operator', 'tech', 'azimuth', 'beamwidth', 'radius', 'band', 'county', 'township', 'village', 'lon', 'lat'],
    required: ['operator'],
  },
  boundaries: { fields: ['id', 'name', 'code', 'county', 'township', 'village'], required: [] },
  listed: { fields: ['id', 'village', 'township', 'county', 'code', 'name', 'committee', 'lon', 'lat'], required: ['village'] },
  measurements: { fields: ['id', 'operator', 'tech', 'rsrp', 'time', 'name', 'lon', 'lat'], required: ['operator', 'rsrp'] },
};

/** Lower-case, no spaces, ASCII parentheses, no trailing unit such as "(户)" or "（度）". */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/[（]/g, '(')
    .replace(/[）]/g, ')');
}

function stripUnit(h: string): string {
  return h.replace(/\((户|个|度|°|m|米|km|千米|公里|mhz|兆赫|e|n|东经|北纬|wgs84|wgs-84)\)$/, '');
}

/**
 * Detects canonical field → source column for a role. Each column serves at most one field; exact spellings win
 * over spellings with a unit suffix. `columns` keeps the source order.
 */
export function detectMapping(
  columns: string[], role: LayerRole, includeCoordinates: boolean, sample: Record<string, unknown>[] = [],
): Record<string, string | null> {
  const wanted = ROLE_FIELDS[role].fields.filter((f) => includeCoordinates || (f !== 'lon' && f !== 'lat'));
  const used = new Set<string>();
  const result: Record<string, string | null> = {};
  const norm = columns.map((c) => normalizeHeader(c));
  // "村委会" is both a village-name header and a yes/no committee-seat header; the values decide.
  const yesNo = (column: string): boolean => {
    const values = sample.map((r) => r[column]).filter((v) => !isBlank(v));
    return values.length > 0 && values.every((v) => typeof v === 'boolean' || (typeof v === 'string' && /^(是|否|y|n|yes|no|true|false)$/i.test(v.trim())));
  };
  if (wanted.includes('committee')) {
    const idx = norm.findIndex((h, i) => (h === '村委会' || h === '村委') && yesNo(columns[i]));
    if (idx >= 0) {
      result.committee = columns[idx];
      used.add(columns[idx]);
    }
  }
  for (const pass of [0, 1] as const) {
    for (const field of wanted) {
      if (result[field]) continue;
      const aliases = FIELD_ALIASES[field];
      const idx = norm.findIndex((h, i) => !used.has(columns[i]) && aliases.includes(pass === 0 ? h : stripUnit(h)));
      if (idx >= 0) {
        result[field] = columns[idx];
        used.add(columns[idx]);
      }
    }
  }
  for (const field of wanted) result[field] ??= null;
  return result;
}

/** Applies the user's overrides (canonical → column); an empty string clears a detected mapping. */
export function mergeMapping(detected: Record<string, string | null>, overrides: Record<string, string> | undefined): Record<string, string | null> {
  const merged = { ...detected };
  if (!overrides) return merged;
  for (const [field, column] of Object.entries(overrides)) {
    // A column moved to another field by the user no longer serves the field it was detected for.
    for (const [f, c] of Object.entries(merged)) if (column && c === column && f !== field) merged[f] = null;
    merged[field] = column || null;
  }
  return merged;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

export function isBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/** "36户", " 36 ", 36 → 36. Chinese numerals, "约…", negatives and fractions are refused. */
export function parseHouseholds(v: unknown): Parsed<number> {
  const expected = 'a whole number ≥ 0 (户数应为非负整数)';
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? { ok: true, value: v } : { ok: false, expected };
  if (typeof v !== 'string') return { ok: false, expected };
  // Plain digits, most cells of a large table: nothing to normalize or strip.
  if (plainDecimal(v, false)) return { ok: true, value: Number.parseInt(v, 10) };
  const s = v.normalize('NFKC').trim().replace(/\s*户$/, '').replace(/,/g, '');
  if (!/^\d+(\.0+)?$/.test(s)) return { ok: false, expected };
  return { ok: true, value: Number.parseInt(s, 10) };
}

const TRUE_WORDS = new Set(['是', 'y', 'yes', 'true', '1', '√', '✓', 't']);
const FALSE_WORDS = new Set(['否', 'n', 'no', 'false', '0', '×', 'f', '']);

export function parseBoolean(v: unknown): Parsed<boolean> {
  const expected = 'one of 是/否/Y/N/1/0/true/false';
  if (typeof v === 'boolean') return { ok: true, value: v };
  if (v === null || v === undefined) return { ok: true, value: false };
  if (typeof v === 'number') return v === 1 || v === 0 ? { ok: true, value: v === 1 } : { ok: false, expected };
  if (typeof v !== 'string') return { ok: false, expected };
  const s = v.normalize('NFKC').trim().toLowerCase();
  if (TRUE_WORDS.has(s)) return { ok: true, value: true };
  if (FALSE_WORDS.has(s)) return { ok: true, value: false };
  return { ok: false, expected };
}

export function parseOperator(v: unknown): Parsed<Operator> {
  const op = normalizeOperator(typeof v === 'number' ? String(v) : v);
  return op ? { ok: true, value: op } : { ok: false, expected: 'an operator: 移动/电信/联通 (CMCC/CT/CU)' };
}

/** Plain or unit-suffixed number ("65°", "3km" → 3000 for radius is handled by the caller's unit). */
export function parseNumber(v: unknown, unitFactors: Record<string, number> = {}): Parsed<number> {
  const expected = 'a number';
  if (typeof v === 'number') return Number.isFinite(v) ? { ok: true, value: v } : { ok: false, expected };
  if (typeof v !== 'string') return { ok: false, expected };
  const m = /^([+-]?\d+(?:\.\d+)?)\s*([a-z°度米]*)$/i.exec(v.normalize('NFKC').trim());
  if (!m) return { ok: false, expected };
  const unit = m[2].toLowerCase();
  const factor = unit === '' || unit === '°' || unit === '度' ? 1 : unitFactors[unit];
  if (factor === undefined) return { ok: false, expected: `a number (unit "${m[2]}" not understood)` };
  return { ok: true, value: Number.parseFloat(m[1]) * factor };
}

/** Coordinates from a table cell: numbers, strings with "°", or degrees-minutes-seconds such as 115°24'36.5". */
export function parseCoordinate(v: unknown): Parsed<number> {
  const expected = 'a number (decimal degrees or metres)';
  if (typeof v === 'number') return Number.isFinite(v) ? { ok: true, value: v } : { ok: false, expected };
  if (typeof v !== 'string') return { ok: false, expected };
  if (plainDecimal(v, true)) return { ok: true, value: Number.parseFloat(v) };
  const s = v.normalize('NFKC').trim().replace(/[ENen东北]$/, '').trim();
  if (/^[+-]?\d+(\.\d+)?°?$/.test(s)) return { ok: true, value: Number.parseFloat(s) };
  // NFKC has turned ″ (U+2033) into ′′, so seconds may end in two primes.
  const dms = /^(\d+)[°度]\s*(\d+(?:\.\d+)?)['′分]\s*(?:(\d+(?:\.\d+)?)(?:"|″|''|′′|秒)?)?$/.exec(s);
  if (dms) {
    const [, d, m, sec] = dms;
    const minutes = Number(m);
    const seconds = sec ? Number(sec) : 0;
    if (minutes < 60 && seconds < 60) return { ok: true, value: Number(d) + minutes / 60 + seconds / 3600 };
  }
  return { ok: false, expected };
}

/**
 * Whether `s` is ASCII digits only or, with `signed`, a plain decimal ([+-]digits[.digits]): text that NFKC, trimming
 * and the unit and suffix stripping leave as it is, so that the parsers' patterns take it whole.
 */
function plainDecimal(s: string, signed: boolean): boolean {
  const n = s.length;
  let i = 0;
  if (signed && n > 0 && (s.charCodeAt(0) === 0x2b || s.charCodeAt(0) === 0x2d)) i = 1;
  const start = i;
  while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  if (i === start) return false;
  if (i === n) return true;
  if (!signed || s.charCodeAt(i) !== 0x2e) return false;
  const fraction = ++i;
  while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  return i === n && i > fraction;
}

/** Text value of a cell for a string field. */
export function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}

/** Operator named in a file name such as "移动4G覆盖.shp", for coverage files without an operator column. */
export function operatorFromFileName(name: string): Operator | null {
  const found = new Set<Operator>();
  for (const [word, op] of [['移动', 'CMCC'], ['电信', 'CT'], ['联通', 'CU'], ['cmcc', 'CMCC'], ['telecom', 'CT'], ['unicom', 'CU']] as const) {
    if (name.toLowerCase().includes(word)) found.add(op);
  }
  return found.size === 1 ? [...found][0] : null;
}
