// Fiber extensions: how far each settlement without broadband is from the network (a fiber access point or
// the edge of broadband coverage), what the cable would cost, and which settlements one extension can serve.
import { normalizeOperator } from '../operators';
import { maskOperators } from '../polygon-set';
import type { Operator } from '../types';
import type { PlannedBuild } from './builds';
import { singleLinkage, spanningLength } from './linkage';
import { checkScope, inScope, type PlanContext, type PlanScope } from './context';
import { circleRing } from './geo';

export interface FiberSettings {
  /** Cable length over straight-line distance (roads and poles do not run straight). */
  detourFactor: number;
  /** Yuan per km of cable laid (aerial, rural). */
  costPerKm: number;
  /** Yuan per settlement served (splitter, drop cables, ONU). */
  costPerSettlement: number;
  /** Settlements closer than this to each other are served by one extension, metres. */
  groupDistanceM: number;
  /** Radius of the service area drawn around a served settlement, metres. */
  serviceRadiusM: number;
  /** Operator assumed when the nearest source names none. */
  operator: Operator;
}

export const DEFAULT_FIBER_SETTINGS: FiberSettings = {
  detourFactor: 1.3, costPerKm: 30_000, costPerSettlement: 5_000, groupDistanceM: 1500, serviceRadiusM: 30, operator: 'CT',
};

export function fiberSettings(partial: Partial<FiberSettings> = {}): FiberSettings {
  const s = { ...DEFAULT_FIBER_SETTINGS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  if (!(s.detourFactor >= 1 && Number.isFinite(s.detourFactor))) throw new RangeError(`detourFactor: found ${s.detourFactor}; expected a number ≥ 1 (e.g. 1.3)`);
  for (const key of ['costPerKm', 'costPerSettlement', 'groupDistanceM'] as const) {
    if (!(s[key] >= 0 && Number.isFinite(s[key]))) throw new RangeError(`${key}: found ${s[key]}; expected a number ≥ 0`);
  }
  if (!(s.serviceRadiusM > 0)) throw new RangeError(`serviceRadiusM: found ${s.serviceRadiusM}; expected a number > 0`);
  if (!normalizeOperator(s.operator)) throw new RangeError(`operator: found ${JSON.stringify(s.operator)}; expected CMCC, CT or CU`);
  return s;
}

/** One settlement's link to the nearest point of the fiber network. */
export interface FiberLink {
  settlement: number;
  id: string;
  households: number;
  /** Straight-line distance to the nearest source, metres (0 never occurs: the settlement lacks broadband). */
  distanceM: number;
  source: 'access-point' | 'broadband-coverage';
  sourceId: string;
  operator: Operator;
  cableM: number;
  cost: number;
  householdsPerKm: number;
}

/** One extension serving a group: a trunk to the group's nearest member, then a tree through the others. */
export interface FiberExtension {
  id: string;
  members: number[];
  memberIds: string[];
  households: number;
  trunkM: number;
  spanM: number;
  cableM: number;
  cost: number;
  householdsPerKm: number;
  operator: Operator;
  /** The member the trunk reaches first. */
  head: number;
}

/** Settlements a fiber plan serves: eligible, in scope, without broadband. */
export function broadbandGaps(ctx: PlanContext, scope: PlanScope): number[] {
  const out: number[] = [];
  for (let i = 0; i < ctx.table.count; i++) {
    if (ctx.eligible[i] && ctx.broadbandMask[i] === 0 && inScope(ctx, scope, i)) out.push(i);
  }
  return out;
}

export function fiberLinks(ctx: PlanContext, scope: PlanScope, partial: Partial<FiberSettings> = {}): FiberLink[] {
  checkScope(ctx, scope);
  const s = fiberSettings(partial);
  const { table } = ctx;
  const out: FiberLink[] = [];
  for (const i of broadbandGaps(ctx, scope)) {
    const lon = table.lon[i], lat = table.lat[i];
    const a = ctx.nearestAccess.nearest(lon, lat);
    const b = ctx.nearestBroadband.nearest(lon, lat);
    if (!a && !b) continue;
    const useAccess = a !== null && (b === null || a.distanceM <= b.distanceM);
    const hit = useAccess ? a! : b!;
    const bit = useAccess ? ctx.access.mask[hit.item] : ctx.broadband.mask[hit.item];
    const cableM = hit.distanceM * s.detourFactor;
    out.push({
      settlement: i, id: table.id[i], households: table.households[i],
      distanceM: hit.distanceM,
      source: useAccess ? 'access-point' : 'broadband-coverage',
      sourceId: useAccess ? ctx.access.id[hit.item] : `broadband polygon ${ctx.broadband.feature[hit.item]}`,
      operator: maskOperators(bit)[0] ?? s.operator,
      cableM,
      cost: (cableM / 1000) * s.costPerKm + s.costPerSettlement,
      householdsPerKm: cableM > 0 ? table.households[i] / (cableM / 1000) : Infinity,
    });
  }
  return out;
}

/** Single-linkage groups of the linked settlements; each group one extension from its nearest member. */
export function fiberExtensions(ctx: PlanContext, scope: PlanScope, partial: Partial<FiberSettings> = {}): FiberExtension[] {
  const s = fiberSettings(partial);
  const links = fiberLinks(ctx, scope, s);
  const bySettlement = new Map(links.map((l) => [l.settlement, l]));
  const { table } = ctx;
  return singleLinkage(table.lon, table.lat, links.map((l) => l.settlement), s.groupDistanceM).map((members) => {
    let head = bySettlement.get(members[0])!;
    for (const m of members) {
      const l = bySettlement.get(m)!;
      if (l.distanceM < head.distanceM) head = l;
    }
    const spanM = spanningLength(table.lon, table.lat, members);
    const cableM = (head.distanceM + spanM) * s.detourFactor;
    const households = members.reduce((sum, m) => sum + table.households[m], 0);
    return {
      id: `F-${table.id[members[0]]}${members.length > 1 ? `+${members.length - 1}` : ''}`,
      members, memberIds: members.map((m) => table.id[m]), households,
      trunkM: head.distanceM, spanM, cableM,
      cost: (cableM / 1000) * s.costPerKm + members.length * s.costPerSettlement,
      householdsPerKm: cableM > 0 ? households / (cableM / 1000) : Infinity,
      operator: head.operator, head: head.settlement,
    };
  });
}

/** An extension as a planned build: a small service area around each settlement it serves. */
export function fiberBuild(ctx: PlanContext, e: FiberExtension, partial: Partial<FiberSettings> = {}): PlannedBuild {
  const s = fiberSettings(partial);
  const { table } = ctx;
  return {
    id: e.id, kind: 'fiber', operator: e.operator, cost: e.cost, lon: table.lon[e.head], lat: table.lat[e.head],
    label: `光纤延伸 ${e.id}（${(e.cableM / 1000).toFixed(2)} km，${e.members.length} 个聚居区）`,
    features: e.members.map((m) => ({
      type: 'Feature' as const,
      geometry: { type: 'Polygon' as const, coordinates: [circleRing(table.lon[m], table.lat[m], s.serviceRadiusM, 16)] },
      properties: { id: `${e.id}/${table.id[m]}`, operator: e.operator, tech: 'FTTH', planned: true, extension: e.id, cable_m: Math.round(e.cableM) },
    })),
  };
}

/** A single settlement's link as an extension of its own (so plans can serve one member of a group). */
export function singleExtension(l: FiberLink): FiberExtension {
  return {
    id: `F1-${l.id}`, members: [l.settlement], memberIds: [l.id], households: l.households,
    trunkM: l.distanceM, spanM: 0, cableM: l.cableM, cost: l.cost, householdsPerKm: l.householdsPerKm,
    operator: l.operator, head: l.settlement,
  };
}
