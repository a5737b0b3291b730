// The campaign's lists (focus counties, listed key villages) matched against settlements.

export interface CampaignCounty {
  name: string;
  focus: boolean;
  leader: string | null;
}

export interface CampaignVillage {
  code: string | null;
  county: string;
  township: string;
  officialName: string | null;
  listedName: string;
  listedTownship: string;
  category: string;
}

/** What the analysis needs to know of the campaign; structurally a subset of api CampaignSeeds. */
export interface CampaignContext {
  counties: readonly CampaignCounty[];
  listedVillages: readonly CampaignVillage[];
}

export const EMPTY_CAMPAIGN: CampaignContext = { counties: [], listedVillages: [] };

/** 潮溪村委会 and 潮溪村 name the same village. */
export function villageKey(name: string): string {
  return name.trim().replace(/(村民委员会|村委会)$/, '村');
}

/** County names as the document writes them (龙南县) and as the codes do (龙南市). */
function countyKey(name: string): string {
  return name.trim().replace(/[县市区]$/, '');
}

export interface CampaignMatcher {
  /** The listed village a settlement belongs to, by code first, else by county + township + name. */
  listedVillage(code: string | undefined, county: string, township: string, village: string): CampaignVillage | null;
  /** listedVillage's first step: the listed village with this code. */
  listedByCode(code: string | undefined): CampaignVillage | null;
  /** listedVillage's second step: by county + township + village name. */
  listedByName(county: string, township: string, village: string): CampaignVillage | null;
  county(name: string): CampaignCounty | null;
}

export function campaignMatcher(ctx: CampaignContext): CampaignMatcher {
  const byCode = new Map<string, CampaignVillage>();
  const byName = new Map<string, CampaignVillage[]>();
  for (const v of ctx.listedVillages) {
    if (v.code) byCode.set(v.code, v);
    const names = new Set([villageKey(v.listedName), ...(v.officialName ? [villageKey(v.officialName)] : [])]);
    for (const name of names) {
      const key = `${countyKey(v.county)}/${name}`;
      const list = byName.get(key) ?? [];
      list.push(v);
      byName.set(key, list);
    }
  }
  const counties = new Map(ctx.counties.map((c) => [countyKey(c.name), c]));
  const listedByCode = (code: string | undefined) => (code ? byCode.get(code) ?? null : null);
  const listedByName = (county: string, township: string, village: string) => {
    if (!village) return null;
    const candidates = byName.get(`${countyKey(county)}/${villageKey(village)}`);
    if (!candidates) return null;
    // Two villages of one name in a county (横溪村 in 赣县区): the township decides.
    if (!township) return candidates.length === 1 ? candidates[0] : null;
    return candidates.find((v) => v.township === township || v.listedTownship === township) ?? null;
  };
  return {
    listedVillage: (code, county, township, village) => listedByCode(code) ?? listedByName(county, township, village),
    listedByCode,
    listedByName,
    county(name) {
      return counties.get(countyKey(name)) ?? null;
    },
  };
}
