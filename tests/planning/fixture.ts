// A small synthetic world for planning tests: settlements scattered around 于都县 and 宁都县, a few existing
// 4G and broadband circles, fixed by a seed so every run sees the same world.
import { circleRing } from '../../gis/planning';
import type { Feature } from '../../gis';
import type { PlanInput } from '../../gis/planning';
import { TEST_CAMPAIGN } from '../gis/helpers';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorldOptions {
  seed: number;
  settlements: number;
  mobileSites: number;
  broadbandAreas: number;
  /** Half-size of the square, degrees. */
  spread: number;
}

export function world(o: Partial<WorldOptions> = {}): PlanInput & { settlementFeatures: Feature[]; mobileFeatures: Feature[]; broadbandFeatures: Feature[] } {
  const opt: WorldOptions = { seed: 1, settlements: 120, mobileSites: 8, broadbandAreas: 6, spread: 0.12, ...o };
  const r = rng(opt.seed);
  const cx = 115.42, cy = 25.95;
  const at = () => [cx + (r() * 2 - 1) * opt.spread, cy + (r() * 2 - 1) * opt.spread];
  const settlementFeatures: Feature[] = [];
  for (let i = 0; i < opt.settlements; i++) {
    const [lon, lat] = at();
    const county = lon < cx ? '于都县' : '宁都县';
    const village = i % 10 === 0 && county === '于都县' ? '潮溪村委会' : `${county}村${i % 7}`;
    settlementFeatures.push({
      type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] },
      properties: {
        id: `P${i}`, name: `聚居区${i}`, households: 10 + Math.floor(r() * 140), county,
        township: village === '潮溪村委会' ? '车溪乡' : '某乡', village, committee: i % 10 === 0,
        ...(village === '潮溪村委会' ? { code: '360731212211' } : {}),
      },
    });
  }
  const ops = ['CMCC', 'CT', 'CU'];
  const mobileFeatures: Feature[] = [];
  for (let k = 0; k < opt.mobileSites; k++) {
    const [lon, lat] = at();
    mobileFeatures.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [circleRing(lon, lat, 3000 + r() * 4000)] },
      properties: { operator: ops[k % 3], tech: '4G' } });
  }
  const broadbandFeatures: Feature[] = [];
  for (let k = 0; k < opt.broadbandAreas; k++) {
    const [lon, lat] = at();
    broadbandFeatures.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [circleRing(lon, lat, 2000 + r() * 3000)] },
      properties: { operator: ops[(k + 1) % 3], tech: 'FTTH' } });
  }
  return {
    settlementFeatures, mobileFeatures, broadbandFeatures,
    settlements: { name: 'settlements.geojson', features: settlementFeatures },
    mobile: [{ name: 'mobile.geojson', features: mobileFeatures }],
    broadband: [{ name: 'broadband.geojson', features: broadbandFeatures }],
    campaign: TEST_CAMPAIGN,
  };
}
