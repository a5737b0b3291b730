// Operator names as they appear in operators' and counties' files, mapped to canonical codes.
import type { Operator } from './types';

// A Map, not an object: an object's lookup also finds what it inherits ("constructor" was an operator), and V8
// specialized the keyed lookup to the first file's name, discarding the code at the next file's.
const ALIASES = new Map<string, Operator>(Object.entries({
  cmcc: 'CMCC', 'china mobile': 'CMCC', chinamobile: 'CMCC', mobile: 'CMCC', cm: 'CMCC',
  移动: 'CMCC', 中国移动: 'CMCC', 赣州移动: 'CMCC', 移动公司: 'CMCC', 中移动: 'CMCC',
  ct: 'CT', ctc: 'CT', 'china telecom': 'CT', chinatelecom: 'CT', telecom: 'CT',
  电信: 'CT', 中国电信: 'CT', 赣州电信: 'CT', 电信公司: 'CT',
  cu: 'CU', cucc: 'CU', 'china unicom': 'CU', chinaunicom: 'CU', unicom: 'CU',
  联通: 'CU', 中国联通: 'CU', 赣州联通: 'CU', 联通公司: 'CU',
} satisfies Record<string, Operator>));

/** Canonical operator code for a name, or null when the name is not recognised. */
export function normalizeOperator(value: unknown): Operator | null {
  if (typeof value !== 'string') return null;
  const key = value.trim().toLowerCase().replace(/\s+/g, ' ');
  return ALIASES.get(key) ?? ALIASES.get(key.replace(/[（(].*[)）]$/, '').trim()) ?? null;
}

export const OPERATOR_NAMES_ZH: Record<Operator, string> = { CMCC: '移动', CT: '电信', CU: '联通' };
export const OPERATOR_NAMES_EN: Record<Operator, string> = { CMCC: 'China Mobile', CT: 'China Telecom', CU: 'China Unicom' };
