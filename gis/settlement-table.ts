// Settlement points validated and laid out column by column.
import { positionProblem } from './polygon-set';
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

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', '是', '√', '✓']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', '否', '']);

/**
 * Validates settlement features (canonical property names) into a table. Problems are added to `issues`;
 * the table is only meaningful when none were found.
 */
export function buildSettlementTable(source: string, features: readonly Feature[], issues: IssueList): SettlementTable {
  const n = features.length;
  const t: SettlementTable = {
    count: n,
    id: new Array(n), name: new Array(n), county: new Array(n), township: new Array(n), village: new Array(n),
    code: new Array(n),
    households: new Float64Array(n), committee: new Uint8Array(n), lon: new Float64Array(n), lat: new Float64Array(n),
  };
  const firstSeen = new Map<string, number>();

  for (let i = 0; i < n; i++) {
    const f = features[i];
    if (!f || typeof f !== 'object' || f.type !== 'Feature') {
      issues.add(source, i, 'type', 'expected a GeoJSON Feature');
      continue;
    }
    const props = (f.properties ?? {}) as Record<string, unknown>;

    const g = f.geometry as { type?: unknown; coordinates?: unknown } | null;
    if (!g || g.type !== 'Point') {
      issues.add(source, i, 'geometry', `found ${g ? String(g.type) : 'no geometry'}; expected a Point`);
    } else {
      const problem = positionProblem(g.coordinates);
      if (problem) issues.add(source, i, 'geometry', problem);
      else {
        const c = g.coordinates as number[];
        t.lon[i] = c[0];
        t.lat[i] = c[1];
      }
    }

    const rawId = props.id ?? f.id;
    if ((typeof rawId !== 'string' || rawId.trim() === '') && typeof rawId !== 'number') {
      issues.add(source, i, 'id', 'missing; expected a unique non-empty string');
    } else {
      const id = String(rawId).trim();
      const seen = firstSeen.get(id);
      if (seen !== undefined) issues.add(source, i, 'id', `duplicate id ${JSON.stringify(id)}, first used by feature ${seen}`);
      else firstSeen.set(id, i);
      t.id[i] = id;
    }

    const hh = parseHouseholds(props.households);
    if (typeof hh === 'string') issues.add(source, i, 'households', hh);
    else t.households[i] = hh;

    const county = props.county;
    if (typeof county !== 'string' || county.trim() === '') {
      issues.add(source, i, 'county', 'missing; expected the county name (e.g. 于都县)');
    } else t.county[i] = county.trim();
    t.township[i] = text(props.township);
    t.village[i] = text(props.village);
    t.name[i] = text(props.name) || t.id[i] || '';
    const code = props.code;
    if (code !== undefined && code !== null && code !== '') {
      const s = String(code).trim();
      if (!/^\d{12}$/.test(s)) issues.add(source, i, 'code', `found ${JSON.stringify(code)}; expected a 12-digit village code`);
      else t.code[i] = s;
    }
    const committee = parseFlag(props.committee);
    if (committee === null) {
      issues.add(source, i, 'committee', `found ${JSON.stringify(props.committee)}; expected true or false (是/否)`);
    } else t.committee[i] = committee ? 1 : 0;
  }
  return t;
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
