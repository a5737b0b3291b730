// The campaign's facts (赣市大数据字〔2020〕6号): counties, quotas, focus counties and their leaders,
// the 62 named listed villages. Plain data from the committed campaign.json: safe in any process.
import type { CampaignSeeds, County, ListedVillage } from '../api/contract';
import type { CampaignData, CountySeat } from './build';
import raw from './data/campaign.json';

const data = raw as CampaignData;

export type { CampaignData, CountySeat };

/** A fresh copy of everything the API's seeds() returns; callers may mutate it. */
export function campaignSeeds(): CampaignSeeds {
  return structuredClone(data.seeds);
}

/** The 18 NBS county-level units of Ganzhou, in code order. */
export function counties(): County[] {
  return structuredClone(data.seeds.counties);
}

/** 于都县, 宁都县, 兴国县, 赣县区: the four counties due to exit poverty in 2020, each with a supervising leader. */
export function focusCounties(): County[] {
  return counties().filter((c) => c.focus);
}

export function countyByName(name: string): County | null {
  const c = data.seeds.counties.find((x) => x.name === name || (name === '龙南县' && x.name === '龙南市'));
  return c ? structuredClone(c) : null;
}

export function countyByCode(code: string): County | null {
  const c = data.seeds.counties.find((x) => x.code === code);
  return c ? structuredClone(c) : null;
}

/** The 62 villages the document names, with official codes and the listing's own spelling. */
export function listedVillages(): ListedVillage[] {
  return structuredClone(data.seeds.listedVillages);
}

/** Named listed villages whose match is not exact: data-quality findings to show users. */
export function listedVillageFindings(): ListedVillage[] {
  return listedVillages().filter((v) => v.matchStatus !== 'exact' || v.matchNote !== '');
}

export function unnamedQuota(): { county: string; count: number }[] {
  return structuredClone(data.seeds.unnamedQuota);
}

/** County-seat points with their source; 兴国县's is approximate. */
export function countySeats(): CountySeat[] {
  return structuredClone(data.seats);
}

/** Explanations to show beside the quotas (missing names; development zones that are not NBS counties). */
export function campaignNotes(): CampaignData['notes'] {
  return structuredClone(data.notes);
}

/** The campaign's targets from the document (rates by count of settlements of 25+ households). */
export const CAMPAIGN_TARGETS = {
  minHouseholds: 25,
  mobile: 0.95,
  broadband: 0.75,
  committeeSeat: 1,
} as const;
