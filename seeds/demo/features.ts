// Per-feature generators shared by generateDemo() (collects them) and writeDemoFiles() (streams them).
import type { Feature, Operator, PointGeometry, PolygonGeometry } from '../../gis/types';
import type { CoveragePlan } from './coverage';
import { dedupe, ringToLonLat, toLonLat } from './geom';
import { settlementName } from './names';
import { Rng, STREAM } from './prng';
import { accessGeometry, cellGeometry } from './shapes';
import { OPS, type World } from './world';

export const DEMO_SOURCE = '演示数据';

const pad = (n: number, width = 6) => String(n).padStart(width, '0');

export function* settlementFeatures(w: World): Generator<Feature<PointGeometry>> {
  const width = Math.max(6, String(w.x.length).length);
  for (let i = 0; i < w.x.length; i++) {
    const v = w.villages[w.village[i]];
    yield {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: toLonLat(w.x[i], w.y[i]) },
      properties: {
        id: `S${pad(i + 1, width)}`,
        name: settlementName(new Rng(w.seed, STREAM.name, i)),
        households: w.households[i],
        county: w.counties[v.county].name,
        township: w.townships[v.township].name,
        village: v.name,
        code: v.code,
        committee: i === v.first,
        synthetic: true,
        source: DEMO_SOURCE,
      },
    };
  }
}

const siteId = (p: CoveragePlan, site: number) => `${OPS[p.sites[site].op]}-${pad(p.sites[site].no)}`;

/** Bearing in whole degrees clockwise from north, from a plane angle counter-clockwise from east. */
const bearing = (az: number) => (((Math.round(90 - (az * 180) / Math.PI) % 360) + 360) % 360);

export function* mobileFeatures(w: World, p: CoveragePlan, op: Operator): Generator<Feature> {
  const o = OPS.indexOf(op);
  for (const c of p.cells) {
    if (c.op !== o) continue;
    const site = siteId(p, c.site);
    yield {
      type: 'Feature',
      geometry: cellGeometry(c, w.seed),
      properties: { id: `${site}-${c.no}`, operator: op, tech: c.tech, band: c.band, site, synthetic: true, source: DEMO_SOURCE },
    };
  }
}

export function* siteFeatures(_w: World, p: CoveragePlan): Generator<Feature<PointGeometry>> {
  for (let o = 0; o < OPS.length; o++) {
    for (const c of p.cells) {
      if (c.op !== o) continue;
      const site = siteId(p, c.site);
      yield {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: toLonLat(c.x, c.y) },
        properties: {
          id: `${site}-${c.no}`, site, operator: OPS[o], tech: c.tech, band: c.band,
          azimuth: c.omni ? null : bearing(c.az), beamwidth: Math.round((c.beam * 180) / Math.PI), radius_m: Math.round(c.r * 1000),
          synthetic: true, source: DEMO_SOURCE,
        },
      };
    }
  }
}

export function* broadbandFeatures(w: World, p: CoveragePlan): Generator<Feature<PolygonGeometry>> {
  for (const a of p.access) {
    yield {
      type: 'Feature',
      geometry: accessGeometry(a, w.seed),
      properties: {
        id: `FTTH-${OPS[a.op]}-${pad(a.no)}`, operator: OPS[a.op], tech: 'FTTH', access: `FTTH-${OPS[a.op]}-${pad(a.parent)}`,
        synthetic: true, source: DEMO_SOURCE,
      },
    };
  }
}

/** Schematic county and township cells: Voronoi cells of the seats / township centres, not real boundaries. */
export function* boundaryFeatures(w: World): Generator<Feature<PolygonGeometry>> {
  for (const c of w.counties) {
    yield {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [ringToLonLat(dedupe(c.cell))] },
      properties: { level: 'county', name: c.name, code: c.code, synthetic: true, schematic: true, source: DEMO_SOURCE },
    };
  }
  for (const t of w.townships) {
    yield {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [ringToLonLat(dedupe(t.cell))] },
      properties: {
        level: 'township', name: t.name, code: t.code, county: w.counties[t.county].name, synthetic: true, schematic: true, source: DEMO_SOURCE,
      },
    };
  }
}
