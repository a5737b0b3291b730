// NBS statistical division codes of Ganzhou (2020 edition, the year of the listed-village document).
// Backed by the committed seeds/data/divisions-2020.json so that no caller needs fs.
import raw from './data/divisions-2020.json';

export type TownshipKind = 'subdistrict' | 'town' | 'township' | 'other';
export type VillageKind = 'village' | 'community' | 'other';

export interface CountyDivision { code: string; name: string }
export interface TownshipDivision { code: string; name: string; countyCode: string; kind: TownshipKind }
export interface VillageDivision { code: string; name: string; countyCode: string; townshipCode: string; kind: VillageKind }

export interface Divisions {
  edition: string;
  counties: readonly CountyDivision[];
  townships: readonly TownshipDivision[];
  villages: readonly VillageDivision[];
}

/** The compact on-disk form: code/name pairs; kinds and parents follow from the NBS code digits. */
export interface RawDivisions {
  edition: string;
  counties: [string, string][];
  townships: [string, string][];
  villages: [string, string][];
}

/** NBS rule: township digits 7-9 are 001-099 街道, 100-199 镇, 200-399 乡, 400+ other units. */
export function townshipKind(code: string): TownshipKind {
  const n = Number(code.slice(6, 9));
  if (n < 100) return 'subdistrict';
  if (n < 200) return 'town';
  if (n < 400) return 'township';
  return 'other';
}

/** NBS rule: village digits 10-12 are 001-199 居委会 (community), 200-399 村委会 (village). */
export function villageKind(code: string): VillageKind {
  const n = Number(code.slice(9, 12));
  if (n >= 1 && n < 200) return 'community';
  if (n >= 200 && n < 400) return 'village';
  return 'other';
}

export function expandDivisions(r: RawDivisions): Divisions {
  return {
    edition: r.edition,
    counties: r.counties.map(([code, name]) => ({ code, name })),
    townships: r.townships.map(([code, name]) => ({ code, name, countyCode: code.slice(0, 6), kind: townshipKind(code) })),
    villages: r.villages.map(([code, name]) => ({
      code, name, countyCode: code.slice(0, 6), townshipCode: code.slice(0, 9), kind: villageKind(code),
    })),
  };
}

let cached: Divisions | null = null;

/** The 2020 division list (18 counties, 309 townships, 3,984 villages and communities). Shared; do not mutate. */
export function divisions2020(): Divisions {
  cached ??= expandDivisions(raw as RawDivisions);
  return cached;
}
