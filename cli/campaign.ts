// The campaign's lists for the CLI. Focus counties are ordered as the key-village list (附件2) orders them:
// by quota, 于都县 17, 宁都县 10, 兴国县 10, 赣县区 8.
import type { CampaignContext } from '../gis';
import { campaignSeeds } from '../seeds/campaign';

export function loadCampaign(): CampaignContext & { focusOrder: string[] } {
  const seeds = campaignSeeds();
  const focus = seeds.counties.filter((c) => c.focus).sort((a, b) => b.quota - a.quota);
  return { ...seeds, focusOrder: focus.map((c) => c.name) };
}
