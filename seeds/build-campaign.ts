// Regenerates seeds/data/campaign.json and seeds/data/divisions-2020.json from the CSVs beside them.
// Run: npx tsx seeds/build-campaign.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildCampaign, buildDivisions, SOURCE_FILES, type SourceTexts } from './build';

const dir = fileURLToPath(new URL('./data/', import.meta.url));

export function readSources(dataDir = dir): SourceTexts {
  return Object.fromEntries(SOURCE_FILES.map((f) => [f, readFileSync(dataDir + f, 'utf8')])) as SourceTexts;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const texts = readSources();
  writeFileSync(dir + 'campaign.json', JSON.stringify(buildCampaign(texts), null, 1) + '\n');
  writeFileSync(dir + 'divisions-2020.json', JSON.stringify(buildDivisions(texts)) + '\n');
  console.log('wrote seeds/data/campaign.json and seeds/data/divisions-2020.json');
}
