// Planning on a synthetic world: what-if equals a fresh analysis, tower plans, fiber extensions, ranking,
// and reach-the-target against the exact cheapest set.
import { describe, expect, it } from 'vitest';
import { analyzeCoverage } from '../../gis';
import {
  applyScenario, buildCoverage, compareScenarios, fiberBuild, fiberExtensions, fiberLinks, generateTowerCandidates, mobileGaps, planTowers,
  pointDistanceM, preparePlan, rankBlindSpots, reachCandidates, reachTarget, readTowerCandidates, scenarioFeatures, towerBuild,
  type PlannedBuild,
} from '../../gis/planning';
import { world } from './fixture';

describe('what-if', () => {
  it('rates after a scenario equal a fresh analyzeCoverage with the builds\' polygons added', () => {
    for (const seed of [1, 2, 3]) {
      const w = world({ seed });
      const ctx = preparePlan(w);
      expect(ctx.report).toEqual(analyzeCoverage(w));
      const towers = generateTowerCandidates(ctx, null).filter((_, k) => k % 3 === 0).map((c) => towerBuild(c, '4G'));
      const fiber = fiberExtensions(ctx, null).filter((_, k) => k % 2 === 0).map((e) => fiberBuild(ctx, e));
      const builds: PlannedBuild[] = [...towers, ...fiber];
      expect(towers.length).toBeGreaterThan(2);
      expect(fiber.length).toBeGreaterThan(2);
      const before = structuredClone(ctx.mobileMask);
      const after = applyScenario(ctx, builds);
      expect(ctx.mobileMask).toEqual(before);
      const extra = scenarioFeatures(builds);
      const fresh = analyzeCoverage({
        ...w,
        mobile: [...w.mobile, { name: 'planned towers', features: extra.mobile }],
        broadband: [...w.broadband, { name: 'planned fiber', features: extra.broadband }],
      });
      expect(after.report).toEqual(fresh);
      expect(after.report.rates.city.mobile.covered).toBeGreaterThan(ctx.report.rates.city.mobile.covered);
      expect(after.report.rates.city.broadband.covered).toBeGreaterThan(ctx.report.rates.city.broadband.covered);
    }
  });
});

describe('scenarios side by side', () => {
  it('the base first, then each scenario with its cost and the rates its builds give', () => {
    const ctx = preparePlan(world({ seed: 2 }));
    const towers = generateTowerCandidates(ctx, null).slice(0, 4).map((c) => towerBuild(c, '4G'));
    const fiber = fiberExtensions(ctx, null).slice(0, 3).map((e) => fiberBuild(ctx, e));
    const rows = compareScenarios(ctx, [{ name: '只建基站', builds: towers }, { name: '基站加光纤', builds: [...towers, ...fiber] }]);
    expect(rows.map((r) => [r.scenario, r.builds])).toEqual([['现状', 0], ['只建基站', 4], ['基站加光纤', 7]]);
    expect(rows[0].city).toEqual(ctx.report.rates.city);
    expect(rows[2].cost).toBeCloseTo([...towers, ...fiber].reduce((s, b) => s + b.cost, 0), 6);
    expect(rows[1].city.mobile).toEqual(rows[2].city.mobile);
    expect(rows[2].city.broadband.covered).toBeGreaterThan(rows[1].city.broadband.covered);
    expect(rows[2].counties).toEqual(applyScenario(ctx, [...towers, ...fiber]).report.rates.counties);
  });
});

describe('tower siting', () => {
  it('k sites: in order, each with its new settlements, rates after from summarize', () => {
    const ctx = preparePlan(world({ seed: 4 }));
    const gaps = mobileGaps(ctx, { county: '于都县' });
    expect(gaps.length).toBeGreaterThan(3);
    const plan = planTowers(ctx, { scope: { county: '于都县' }, limit: { k: 3 } });
    expect(plan.chosen.length).toBe(3);
    const gains = plan.chosen.map((c) => c.newHouseholds);
    expect([...gains].sort((a, b) => b - a)).toEqual(gains); // greedy gains never grow
    const coveredIds = plan.chosen.flatMap((c) => c.settlementIds);
    expect(new Set(coveredIds).size).toBe(coveredIds.length);
    const yd = plan.counties['于都县'];
    expect(yd.after.mobile.covered - yd.before.mobile.covered).toBe(coveredIds.length);
    const check = applyScenario(ctx, plan.chosen.map((c) => c.build)).report.rates.counties['于都县'];
    expect(check).toEqual(yd.after);
    expect(plan.listedVillages['于都县/车溪乡/潮溪村委会']).toBeDefined();
    expect(plan.cost).toBe(3 * 400_000);
  });

  it('a budget limits the cost; objective settlements counts settlements', () => {
    const ctx = preparePlan(world({ seed: 4 }));
    const plan = planTowers(ctx, { scope: null, limit: { budget: 1_000_000 }, objective: 'settlements' });
    expect(plan.cost).toBeLessThanOrEqual(1_000_000);
    expect(plan.chosen.length).toBe(2);
  });

  it('imported candidates are validated, naming the feature and field', () => {
    const src = { name: 'candidates.geojson', features: [
      { type: 'Feature' as const, geometry: { type: 'Point' as const, coordinates: [115.4, 25.9] }, properties: { id: 'A', radius_m: 2500, cost: 300000, operator: '电信' } },
      { type: 'Feature' as const, geometry: { type: 'Point' as const, coordinates: [115.5, 25.9] }, properties: { id: 'B', azimuth: 120, beamwidth: 65 } },
    ] };
    expect(readTowerCandidates(src)).toEqual([
      { id: 'A', origin: 'imported', lon: 115.4, lat: 25.9, radiusM: 2500, cost: 300000, operator: 'CT' },
      { id: 'B', origin: 'imported', lon: 115.5, lat: 25.9, radiusM: 3000, cost: 400000, operator: 'CMCC', sector: { azimuthDeg: 120, beamwidthDeg: 65 } },
    ]);
    const bad = { name: 'bad.csv', features: [
      { type: 'Feature' as const, geometry: { type: 'Point' as const, coordinates: [115.4, 25.9] }, properties: { radius_m: -5 } },
      { type: 'Feature' as const, geometry: { type: 'Point' as const, coordinates: [215.4, 25.9] }, properties: {} },
      { type: 'Feature' as const, geometry: { type: 'Point' as const, coordinates: [115.4, 25.9] }, properties: { operator: '广电', azimuth: 10 } },
    ] };
    expect(() => readTowerCandidates(bad)).toThrow(/bad\.csv: feature 0: radius_m: found -5[^\n]*\n.*feature 1: geometry: longitude 215\.4[^\n]*\n.*feature 2: operator: unknown operator "广电"[^\n]*\n.*feature 2: beamwidth/);
  });
});

describe('fiber extensions', () => {
  it('each link measures to the nearest broadband edge; groups share one extension', () => {
    const ctx = preparePlan(world({ seed: 5 }));
    const links = fiberLinks(ctx, null);
    expect(links.length).toBeGreaterThan(5);
    for (const l of links) {
      expect(l.distanceM).toBeGreaterThan(0);
      expect(l.cableM).toBeCloseTo(l.distanceM * 1.3, 9);
      expect(l.cost).toBeCloseTo((l.cableM / 1000) * 30_000 + 5_000, 6);
      expect(l.householdsPerKm).toBeCloseTo(l.households / (l.cableM / 1000), 9);
    }
    const ext = fiberExtensions(ctx, null, { groupDistanceM: 3000 });
    expect(ext.reduce((n, e) => n + e.members.length, 0)).toBe(links.length);
    const multi = ext.find((e) => e.members.length > 1)!;
    expect(multi).toBeDefined();
    expect(multi.trunkM).toBe(Math.min(...multi.members.map((m) => links.find((l) => l.settlement === m)!.distanceM)));
    // Grouped cable is no longer than the members' separate links would be in total.
    const separate = multi.members.reduce((s, m) => s + links.find((l) => l.settlement === m)!.cableM, 0);
    expect(multi.cableM).toBeLessThanOrEqual(separate + 1e-6);
    // The build covers exactly its members (service areas are small).
    const cov = buildCoverage(ctx, [fiberBuild(ctx, multi)])[0];
    expect([...cov]).toEqual(multi.members);
    const a = ctx.table;
    for (let k = 1; k < multi.members.length; k++) {
      const m = multi.members[k];
      const nearest = Math.min(...multi.members.filter((x) => x !== m).map((x) => pointDistanceM(a.lon[m], a.lat[m], a.lon[x], a.lat[x])));
      expect(nearest).toBeLessThanOrEqual(3000);
    }
  });
});

describe('ranked blind spots', () => {
  it('every uncovered eligible settlement, parts summing to the score, in order', () => {
    const ctx = preparePlan(world({ seed: 6 }));
    const ranked = rankBlindSpots(ctx);
    const expected = ctx.report.settlements.filter((s) => s.eligible && (!s.mobile || !s.broadband)).length;
    expect(ranked.length).toBe(expected);
    for (let k = 0; k < ranked.length; k++) {
      const b = ranked[k];
      expect(b.rank).toBe(k + 1);
      expect(b.score).toBeCloseTo(b.parts.reduce((s, p) => s + p.points, 0), 12);
      if (k > 0) expect(ranked[k - 1].score).toBeGreaterThanOrEqual(b.score);
      if (b.missingMobile) expect(b.toMobileM).toBeGreaterThan(0);
      else expect(b.toMobileM).toBeNull();
    }
    const onlyHouseholds = rankBlindSpots(ctx, { focusCounty: 0, listed: 0, committee: 0, nearCoverage: 0, nearInfrastructure: 0 });
    const hh = onlyHouseholds.map((b) => b.households);
    expect([...hh].sort((a, b) => b - a)).toEqual(hh);
    const focusFirst = rankBlindSpots(ctx, { focusCounty: 1000 });
    expect(focusFirst[0].focusCounty).toBe(true);
    expect(() => rankBlindSpots(ctx, { listed: -1 })).toThrow(/listed: found -1/);
  });
});

describe('reach the target', () => {
  it('greedy plan meets both targets by summarize, at a cost near the exact cheapest set', () => {
    const ratios: number[] = [];
    for (const seed of [11, 15, 17, 20, 21, 29, 30, 35, 38]) {
      const w = world({ seed, settlements: 40, mobileSites: 5, broadbandAreas: 5, spread: 0.08 });
      const ctx = preparePlan(w);
      const scope = { county: '于都县' };
      const before = ctx.report.rates.counties['于都县'];
      if (!before || (before.mobile.met && before.broadband.met)) continue;
      const tower = { gridSpacingM: 6000 };
      const plan = reachTarget(ctx, { scope, tower });
      const candidates = reachCandidates(ctx, { scope, tower }, before);
      expect(candidates.length).toBeLessThanOrEqual(14);
      // Exact: the cheapest subset of the same candidates whose summarize says met on both layers.
      const cov = buildCoverage(ctx, candidates);
      let best = Infinity;
      for (let mask = 1; mask < 1 << candidates.length; mask++) {
        const pick: number[] = [];
        let cost = 0;
        for (let j = 0; j < candidates.length; j++) if (mask & (1 << j)) { pick.push(j); cost += candidates[j].cost; }
        if (cost >= best) continue;
        const r = applyScenario(ctx, pick.map((j) => candidates[j]), pick.map((j) => cov[j])).report.rates.counties['于都县'];
        if (r.mobile.met !== false && r.broadband.met !== false) best = cost;
      }
      if (best === Infinity) {
        expect(plan.reached).toBe(false);
        continue;
      }
      expect(plan.reached).toBe(true);
      expect(plan.after.mobile.met).toBe(true);
      expect(plan.after.broadband.met).toBe(true);
      expect(plan.cost).toBeGreaterThanOrEqual(best - 1e-6);
      expect(plan.after).toEqual(applyScenario(ctx, plan.builds.map((b) => b.build)).report.rates.counties['于都县']);
      ratios.push(plan.cost / best);
    }
    expect(ratios.length).toBeGreaterThanOrEqual(6);
    console.log(`reach-the-target greedy cost / exact cheapest: ${ratios.map((r) => r.toFixed(3)).join(', ')}`);
    expect(Math.max(...ratios)).toBeLessThan(2);
  });

  it('a group already at target needs nothing; an unknown county is named', () => {
    const ctx = preparePlan(world({ seed: 1 }));
    const plan = reachTarget(ctx, { scope: { county: '于都县' }, tower: { radiusM: 50_000 } });
    const again = reachTarget(preparePlan({ ...world({ seed: 1 }), mobile: [...world({ seed: 1 }).mobile,
      { name: 'all', features: plan.builds.filter((b) => b.build.kind === 'tower').flatMap((b) => b.build.features) }],
    broadband: [...world({ seed: 1 }).broadband, { name: 'fiber', features: plan.builds.filter((b) => b.build.kind === 'fiber').flatMap((b) => b.build.features) }] }),
    { scope: { county: '于都县' } });
    expect(again.builds).toEqual([]);
    expect(again.reached).toBe(true);
    expect(() => reachTarget(ctx, { scope: { county: '瑞金县' } })).toThrow(/county: found "瑞金县"; expected one of/);
  });
});
