// Shared test helpers for the analysis core: fixture splitting and an index-free reference classifier.
import { booleanPointInPolygon } from '@turf/turf';
import type { CampaignContext, Feature, FeatureCollection, Operator } from '../../gis';
import { normalizeOperator } from '../../gis';

export interface FixtureLayers {
  settlements: Feature[];
  mobile: Feature[];
  broadband: Feature[];
}

/** A fixture is one FeatureCollection: points are settlements, polygons carry `layer: mobile|broadband`. */
export function splitFixture(fc: FeatureCollection): FixtureLayers {
  const out: FixtureLayers = { settlements: [], mobile: [], broadband: [] };
  for (const f of fc.features) {
    if (f.geometry?.type === 'Point') out.settlements.push(f);
    else if (f.properties?.layer === 'broadband') out.broadband.push(f);
    else out.mobile.push(f);
  }
  return out;
}

/** The campaign as the tests know it: two focus counties and two listed villages. */
export const TEST_CAMPAIGN: CampaignContext = {
  counties: [
    { name: '于都县', focus: true, leader: '周光仁' },
    { name: '宁都县', focus: true, leader: '李鉴庆' },
    { name: '章贡区', focus: false, leader: null },
  ],
  listedVillages: [
    { code: '360731212211', county: '于都县', township: '车溪乡', officialName: '潮溪村委会', listedName: '潮溪村', listedTownship: '车溪乡', category: '贫困村' },
    { code: '360702103212', county: '章贡区', township: '湖边镇', officialName: '上禾村委会', listedName: '上禾村', listedTownship: '水西镇', category: '村容村貌较差村' },
  ],
};

/** Brute force: every polygon, no index, Turf's test (boundary counts as inside). */
export function referenceOperators(
  point: [number, number],
  polygons: readonly Feature[],
  techs?: readonly string[],
  defaultTech = '4G',
): Operator[] {
  const found = new Set<Operator>();
  for (const f of polygons) {
    const tech = String(f.properties?.tech ?? defaultTech).toUpperCase();
    if (techs && !techs.includes(tech)) continue;
    const op = normalizeOperator(f.properties?.operator);
    if (op && booleanPointInPolygon(point, f as never)) found.add(op);
  }
  return (['CMCC', 'CT', 'CU'] as Operator[]).filter((o) => found.has(o));
}

/** A seeded PRNG (mulberry32): the same numbers in [0, 1) for the same seed, on every run. */
export function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
