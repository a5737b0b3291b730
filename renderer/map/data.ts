// Turns API results into the GeoJSON the map draws. Pure and single-pass: a 200,000-settlement
// report must convert in well under a second.
import type { Bbox } from '../../api/contract';
import type { SettlementResult } from '../../gis/report';
import type { Feature, FeatureCollection, Geometry, Operator, PointGeometry } from '../../gis/types';
import type { Filters, SettlementStatus } from './style';

export interface SettlementPointProps {
  id: string;
  name: string;
  households: number;
  county: string;
  township: string;
  village: string;
  listed: boolean;
  committee: boolean;
  eligible: boolean;
  focus: boolean;
  m: boolean;
  b: boolean;
  m_CMCC: boolean; m_CT: boolean; m_CU: boolean;
  b_CMCC: boolean; b_CT: boolean; b_CU: boolean;
}

/** One point per settlement with the flags the style expressions read (see style.ts statusExpression). */
export function settlementFeatures(settlements: readonly SettlementResult[]): FeatureCollection<PointGeometry, SettlementPointProps> {
  const features: Feature<PointGeometry, SettlementPointProps>[] = new Array(settlements.length);
  for (let i = 0; i < settlements.length; i++) {
    const s = settlements[i];
    const mo = s.mobileOperators;
    const bo = s.broadbandOperators;
    features[i] = {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
      properties: {
        id: s.id, name: s.name, households: s.households, county: s.county, township: s.township, village: s.village,
        listed: s.listed, committee: s.committee, eligible: s.eligible, focus: s.focusCounty,
        m: s.mobile, b: s.broadband,
        m_CMCC: mo.includes('CMCC'), m_CT: mo.includes('CT'), m_CU: mo.includes('CU'),
        b_CMCC: bo.includes('CMCC'), b_CT: bo.includes('CT'), b_CU: bo.includes('CU'),
      },
    };
  }
  return { type: 'FeatureCollection', features };
}

/** The same classification the style draws, for the legend counts and the popup. */
export function settlementStatus(s: SettlementResult, operator: Operator | null = null): SettlementStatus {
  const m = operator === null ? s.mobile : s.mobileOperators.includes(operator);
  const b = operator === null ? s.broadband : s.broadbandOperators.includes(operator);
  return m && b ? 'both' : m ? 'mobile' : b ? 'broadband' : 'none';
}

/** Counts of the points the map draws under `filters` (the same tests as style.ts filterExpression). */
export function statusCounts(settlements: readonly SettlementResult[], filters: Filters): Record<SettlementStatus, number> {
  const counts: Record<SettlementStatus, number> = { both: 0, mobile: 0, broadband: 0, none: 0 };
  for (const s of settlements) {
    if (filters.eligibleOnly && !s.eligible) continue;
    if (filters.county !== null && s.county !== filters.county) continue;
    if (filters.focusOnly && !s.focusCounty) continue;
    if (filters.listedOnly && !s.listed) continue;
    counts[settlementStatus(s, filters.operator)]++;
  }
  return counts;
}

function extendBbox(b: Bbox, coords: unknown): void {
  if (!Array.isArray(coords)) return;
  if (typeof coords[0] === 'number' && typeof coords[1] === 'number') {
    const [x, y] = coords as number[];
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
    return;
  }
  for (const c of coords) extendBbox(b, c);
}

function extendGeometry(b: Bbox, g: Geometry | null): void {
  if (!g) return;
  if (g.type === 'GeometryCollection') g.geometries.forEach((x) => extendGeometry(b, x));
  else extendBbox(b, g.coordinates);
}

/** Bounding box of the features that pass `keep`; null when none has coordinates. */
export function featuresBbox<P>(fc: FeatureCollection<Geometry | null, P>, keep: (f: Feature<Geometry | null, P>) => boolean = () => true): Bbox | null {
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of fc.features) if (keep(f)) extendGeometry(b, f.geometry);
  return Number.isFinite(b[0]) ? b : null;
}

/** Where to zoom for a county: its boundary if the workspace has one, else the extent of its settlements. */
export function countyBbox(boundaries: FeatureCollection | null, settlements: readonly SettlementResult[], county: string): Bbox | null {
  if (boundaries) {
    const fromBoundary = featuresBbox(boundaries, (f) =>
      f.properties?.level === 'county' && (f.properties?.name === county || f.properties?.code === county));
    if (fromBoundary) return fromBoundary;
  }
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const s of settlements) if (s.county === county) extendBbox(b, [s.lon, s.lat]);
  return Number.isFinite(b[0]) ? b : null;
}

/** The extent of a workspace's settlements and boundaries (what the first view should show); null when unknown. */
export function workspaceBbox(layers: readonly { role: string; bbox: Bbox | null }[]): Bbox | null {
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const l of layers) {
    if (!l.bbox || (l.role !== 'settlements' && l.role !== 'boundaries')) continue;
    extendBbox(b, [l.bbox[0], l.bbox[1]]);
    extendBbox(b, [l.bbox[2], l.bbox[3]]);
  }
  return Number.isFinite(b[0]) ? b : null;
}
