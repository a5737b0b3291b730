// The city's list of key villages (市级挂牌督战重点村): a loader for user-supplied lists and a matcher
// from the listing's own text (county, township, village as written) to official NBS codes.
import type { ListedVillage } from '../api/contract';
import type { InputIssue } from '../gis/types';
import type { Divisions, VillageDivision } from './divisions';
import { parseCsv } from './csv';

/** The two categories the 2020 document names (30 and 32 villages); the third category's 38 names are missing. */
export const CATEGORY_POOR = '贫困发生率1%以上、未脱贫人口较多的贫困村';
export const CATEGORY_FACILITIES = '村容村貌和公共服务设施相对较差的村';

/** One row of a listed-village table, as written by its author. */
export interface ListedVillageRow {
  county: string;
  township: string;
  village: string;
  category: string;
  /** 1-based line of the row in its file (the header is line 1). */
  line: number;
}

const HEADERS: Record<keyof Omit<ListedVillageRow, 'line'>, string[]> = {
  county: ['县', '县(市、区)', '县（市、区）', '县区', '县(区)', '县（区）'],
  township: ['乡镇', '乡(镇)', '乡（镇）', '乡镇(街道)', '乡镇（街道）'],
  village: ['村', '村名', '行政村'],
  category: ['类别', '类型'],
};

/**
 * Reads a listed-village table with Chinese headers 县, 乡镇, 村, 类别 (a few common variants accepted).
 * Never throws on content: every problem is returned as an issue naming the file, row and field.
 */
export function parseListedVillagesCsv(text: string, source = 'listed-villages.csv'): { rows: ListedVillageRow[]; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  let table: string[][];
  try {
    table = parseCsv(text, source);
  } catch (e) {
    return { rows: [], issues: [{ source, feature: -1, field: 'csv', message: (e as Error).message }] };
  }
  const header = (table[0] ?? []).map((h) => h.trim());
  const col = {} as Record<keyof typeof HEADERS, number>;
  for (const key of Object.keys(HEADERS) as (keyof typeof HEADERS)[]) {
    col[key] = header.findIndex((h) => HEADERS[key].includes(h));
    if (col[key] < 0) {
      issues.push({ source, feature: -1, field: HEADERS[key][0],
        message: `missing column 「${HEADERS[key][0]}」: the header row must contain 县, 乡镇, 村, 类别 (found: ${header.join(', ') || 'nothing'})` });
    }
  }
  if (issues.length) return { rows: [], issues };
  const rows: ListedVillageRow[] = [];
  const seen = new Map<string, number>();
  table.slice(1).forEach((r, i) => {
    const line = i + 2;
    const get = (k: keyof typeof HEADERS) => (r[col[k]] ?? '').trim();
    const row: ListedVillageRow = { county: get('county'), township: get('township'), village: get('village'), category: get('category'), line };
    let ok = true;
    for (const k of Object.keys(HEADERS) as (keyof typeof HEADERS)[]) {
      if (!row[k]) {
        issues.push({ source, feature: i, field: HEADERS[k][0], message: `row ${line}: 「${HEADERS[k][0]}」 is empty; expected a name` });
        ok = false;
      }
    }
    if (ok && !/[村镇乡]$/.test(row.village)) {
      issues.push({ source, feature: i, field: '村', message: `row ${line}: 「${row.village}」 expected a village name ending in 村` });
      ok = false;
    }
    const key = `${row.county}|${row.township}|${row.village}`;
    if (ok && seen.has(key)) {
      issues.push({ source, feature: i, field: '村', message: `row ${line}: ${row.county}${row.township}${row.village} repeats row ${seen.get(key)}` });
      ok = false;
    }
    if (ok) {
      seen.set(key, line);
      rows.push(row);
    }
  });
  return { rows, issues };
}

const COUNTY_ALIASES: Record<string, string> = { 龙南县: '龙南市', 赣县: '赣县区', 南康市: '南康区' };
const OFFICIAL_SUFFIXES = ['村民委员会', '村村委会', '村委会'];

/** The names an official record may be written as in a listing: 潮溪村委会 → 潮溪村; 碛脑村村委会 → 碛脑村. */
function listedForms(official: string): string[] {
  return OFFICIAL_SUFFIXES.filter((s) => official.endsWith(s)).map((s) => official.slice(0, -s.length) + '村');
}

function editDistance(a: string, b: string): number {
  const A = [...a];
  const B = [...b];
  let prev = Array.from({ length: B.length + 1 }, (_, j) => j);
  for (let i = 1; i <= A.length; i++) {
    const cur = [i];
    for (let j = 1; j <= B.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (A[i - 1] === B[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[B.length];
}

const sameChars = (a: string, b: string) => [...a].length === [...b].length && editDistance(a, b) === 1;

interface Match { village: VillageDivision; status: string; note: string }

function matchRow(row: ListedVillageRow, d: Divisions): Match | null {
  const countyName = COUNTY_ALIASES[row.county] ?? row.county;
  const county = d.counties.find((c) => c.name === countyName);
  const villages = d.villages.filter((v) => v.kind === 'village' && (!county || v.countyCode === county.code));
  const townships = d.townships.filter((t) => !county || t.countyCode === county.code);
  const township = townships.find((t) => t.name === row.township);
  const named = (vs: VillageDivision[]) => vs.filter((v) => listedForms(v.name).includes(row.village));
  const countyNote = row.county !== countyName ? `${row.county} is now ${countyName}` : '';
  const join = (...notes: string[]) => notes.filter(Boolean).join('; ');
  if (township) {
    const inTownship = villages.filter((v) => v.townshipCode === township.code);
    const exact = named(inTownship);
    if (exact.length === 1) return { village: exact[0], status: 'exact', note: countyNote };
    const base = row.village.replace(/村$/, '');
    const long = inTownship.filter((v) => listedForms(v.name).some((f) => f.startsWith(base) && f.length > row.village.length));
    if (long.length === 1) {
      return { village: long[0], status: 'exact village; official long form', note: join(`official name is ${long[0].name}`, countyNote) };
    }
    if (/[镇乡]$/.test(row.village)) {
      const fixed = row.village.slice(0, -1) + '村';
      const typo = inTownship.filter((v) => listedForms(v.name).includes(fixed));
      if (typo.length === 1) {
        return { village: typo[0], status: 'typo corrected', note: join(`list says ${row.village} inside ${row.township}; read as ${fixed}`, countyNote) };
      }
    }
    const elsewhere = named(villages);
    if (elsewhere.length === 1) {
      const t = d.townships.find((x) => x.code === elsewhere[0].townshipCode);
      return { village: elsewhere[0], status: 'exact village; different township',
        note: join(`only ${row.village} in ${countyName} is under ${t?.name}, not ${row.township}`, countyNote) };
    }
    const variants = inTownship.filter((v) => listedForms(v.name).some((f) => sameChars(f, row.village)));
    if (variants.length === 1) {
      const f = listedForms(variants[0].name).find((x) => sameChars(x, row.village));
      return { village: variants[0], status: 'probable (1-character variant)',
        note: join(`no ${row.village} in ${row.township}; the only 1-character-different name there is ${f}`, countyNote) };
    }
    return null;
  }
  // The township is not an official name here: find the village in the county, and let the closest
  // township spelling decide between namesakes.
  const candidates = named(villages)
    .map((v) => ({ v, t: d.townships.find((x) => x.code === v.townshipCode)! }))
    .map((c) => ({ ...c, dist: editDistance(c.t.name, row.township) }))
    .sort((a, b) => a.dist - b.dist);
  if (candidates.length === 0 || (candidates.length > 1 && candidates[1].dist === candidates[0].dist)) return null;
  const best = candidates[0];
  if (best.dist <= 2) {
    return { village: best.v, status: 'exact village; township spelled differently',
      note: join(`list township ${row.township} = official ${best.t.name}`, countyNote) };
  }
  if (candidates.length === 1) {
    return { village: best.v, status: 'exact village; different township',
      note: join(`only ${row.village} in ${countyName} is under ${best.t.name}, not ${row.township}`, countyNote) };
  }
  return null;
}

/**
 * Matches listing rows to official 2020 codes. Statuses (in decreasing confidence): exact; exact village;
 * township spelled differently; exact village; official long form; typo corrected; exact village; different
 * township; probable (1-character variant); unmatched. Anything but `exact` should be shown to a person.
 */
export function matchListedVillages(rows: readonly ListedVillageRow[], d: Divisions): ListedVillage[] {
  return rows.map((row) => {
    const m = matchRow(row, d);
    if (!m) {
      return { code: null, county: COUNTY_ALIASES[row.county] ?? row.county, township: row.township, officialName: null,
        listedName: row.village, listedTownship: row.township, category: row.category, matchStatus: 'unmatched',
        matchNote: `no village ${row.village} found under ${row.county}${row.township} in the ${d.edition} division codes` };
    }
    const county = d.counties.find((c) => c.code === m.village.countyCode)!;
    const township = d.townships.find((t) => t.code === m.village.townshipCode)!;
    return { code: m.village.code, county: county.name, township: township.name, officialName: m.village.name,
      listedName: row.village, listedTownship: row.township, category: row.category, matchStatus: m.status, matchNote: m.note };
  });
}
