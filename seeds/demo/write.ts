// Streams the demo to GeoJSON files feature by feature, so the 500k-settlement preset never holds a
// whole layer (or its JSON text) in memory. Coordinates carry 6 decimals, as in generateDemo().
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Feature, Operator } from '../../gis/types';
import { OPERATORS } from '../../gis/types';
import { boundaryFeatures, broadbandFeatures, DEMO_SOURCE, mobileFeatures, settlementFeatures, siteFeatures } from './features';
import { buildDemoModel, type DemoOptions } from './generate';

export interface DemoFiles {
  files: { settlements: string; mobile: string[]; broadband: string; sites: string; boundaries: string };
  counts: { settlements: number; mobile: Record<Operator, number>; mobilePolygons: number; broadband: number; sites: number; boundaries: number };
}

const CHUNK = 1 << 20;

async function writeCollection(path: string, name: string, features: Iterable<Feature>): Promise<number> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([e]) => { throw e; });
  let buf = `{"type":"FeatureCollection","name":${JSON.stringify(name)},"synthetic":true,"source":"${DEMO_SOURCE}","features":[\n`;
  let n = 0;
  const flush = async () => {
    if (!out.write(buf)) await Promise.race([once(out, 'drain'), failed]);
    buf = '';
  };
  for (const f of features) {
    buf += (n++ ? ',\n' : '') + JSON.stringify(f);
    if (buf.length >= CHUNK) await flush();
  }
  buf += '\n]}\n';
  await flush();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return n;
}

/**
 * Writes settlements.geojson, mobile-CMCC/CT/CU.geojson, broadband.geojson, sites.geojson and
 * boundaries.geojson into dir (created if needed; existing files of those names are replaced).
 */
export async function writeDemoFiles(dir: string, options: Partial<DemoOptions> = {}): Promise<DemoFiles> {
  const { world: w, plan: p } = buildDemoModel(options);
  await mkdir(dir, { recursive: true });
  const files: DemoFiles['files'] = {
    settlements: join(dir, 'settlements.geojson'),
    mobile: OPERATORS.map((op) => join(dir, `mobile-${op}.geojson`)),
    broadband: join(dir, 'broadband.geojson'),
    sites: join(dir, 'sites.geojson'),
    boundaries: join(dir, 'boundaries.geojson'),
  };
  const names: Record<Operator, string> = { CMCC: '演示4G覆盖-移动', CT: '演示4G覆盖-电信', CU: '演示4G覆盖-联通' };
  const mobile = {} as Record<Operator, number>;
  const settlements = await writeCollection(files.settlements, '演示聚居区', settlementFeatures(w));
  for (const [k, op] of OPERATORS.entries()) mobile[op] = await writeCollection(files.mobile[k], names[op], mobileFeatures(w, p, op));
  const broadband = await writeCollection(files.broadband, '演示宽带覆盖', broadbandFeatures(w, p));
  const sites = await writeCollection(files.sites, '演示基站', siteFeatures(w, p));
  const boundaries = await writeCollection(files.boundaries, '示意行政边界', boundaryFeatures(w));
  return {
    files,
    counts: { settlements, mobile, mobilePolygons: mobile.CMCC + mobile.CT + mobile.CU, broadband, sites, boundaries },
  };
}
