import { describe, expect, it } from 'vitest';
import { analyzeCoverage, InputError, requiredCount, parseHouseholds, type Feature } from '../../gis';
import { IssueList } from '../../gis/issues';
import { JSON_COORDINATES, lonLatInRange, positionProblemIn } from '../../gis/polygon-set';
import { SettlementTableBuilder } from '../../gis/settlement-table';

const point = (props: Record<string, unknown>, coordinates: unknown = [114.5, 25.5]): Feature =>
  ({ type: 'Feature', geometry: { type: 'Point', coordinates } as never, properties: props });
const base = { id: 'a', households: 30, county: '于都县' };

function issuesOf(settlements: Feature[], mobile: Feature[] = []) {
  try {
    analyzeCoverage({ settlements: { name: 's.geojson', features: settlements }, mobile: [{ name: 'm.geojson', features: mobile }], broadband: [] });
  } catch (e) {
    if (e instanceof InputError) return e.issues;
    throw e;
  }
  return [];
}

describe('requiredCount', () => {
  it('computes the smallest count meeting the target without float drift', () => {
    expect(requiredCount(0.95, 20)).toBe(19);
    expect(requiredCount(0.95, 60)).toBe(57);
    expect(requiredCount(0.95, 21)).toBe(20);
    expect(requiredCount(0.75, 4)).toBe(3);
    expect(requiredCount(0.75, 5)).toBe(4);
    expect(requiredCount(1, 7)).toBe(7);
    expect(requiredCount(0, 7)).toBe(0);
    for (let n = 1; n < 2000; n++) {
      const k = requiredCount(0.95, n);
      expect(k / n).toBeGreaterThanOrEqual(0.95);
      expect((k - 1) / n).toBeLessThan(0.95);
    }
  });
  it('rejects a target outside 0..1', () => {
    expect(() => requiredCount(95, 10)).toThrow(/fraction/);
  });
});

describe('input validation names the source, feature, field and expectation', () => {
  it('households', () => {
    expect(parseHouseholds('二十')).toMatch(/"二十"; expected a whole number ≥ 0/);
    expect(parseHouseholds(-3)).toMatch(/expected a whole number/);
    expect(parseHouseholds(2.5)).toMatch(/expected a whole number/);
    expect(parseHouseholds(' 36 ')).toBe(36);
    const issues = issuesOf([point({ ...base, households: '二十' })]);
    expect(issues).toEqual([{ source: 's.geojson', feature: 0, field: 'households', message: 'found "二十"; expected a whole number ≥ 0' }]);
  });
  it('coordinates out of range, NaN, wrong geometry type', () => {
    const issues = issuesOf([
      point({ ...base, id: 'a' }, [114, 139]),
      point({ ...base, id: 'b' }, [NaN, 25]),
      { type: 'Feature', geometry: { type: 'Polygon', coordinates: [] }, properties: { ...base, id: 'c' } },
    ]);
    expect(issues.map((i) => [i.feature, i.field])).toEqual([[0, 'geometry'], [1, 'geometry'], [2, 'geometry']]);
    expect(issues[0].message).toMatch(/latitude 139 out of range/);
    expect(issues[2].message).toMatch(/found Polygon; expected a Point/);
  });
  it('duplicate ids and a Point where a Polygon belongs, reported together in one pass', () => {
    const issues = issuesOf(
      [point(base), point(base)],
      [{ type: 'Feature', geometry: { type: 'Point', coordinates: [114, 25] }, properties: { operator: '移动' } }],
    );
    expect(issues.map((i) => `${i.source}#${i.feature}.${i.field}`)).toEqual(['s.geojson#1.id', 'm.geojson#0.geometry']);
    expect(issues[0].message).toMatch(/duplicate id "a", first used by feature 0/);
    expect(issues[1].message).toMatch(/found Point; expected a Polygon or MultiPolygon/);
  });
  it('unclosed rings and unknown operators', () => {
    const issues = issuesOf([point(base)], [
      { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[114, 25], [115, 25], [115, 26], [114, 26]]] }, properties: { operator: 'CMCC' } },
      { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[114, 25], [115, 25], [115, 26], [114, 25]]] }, properties: { operator: '广电' } },
    ]);
    expect(issues[0].message).toMatch(/ring 0: not closed/);
    expect(issues[1]).toMatchObject({ feature: 1, field: 'operator' });
    expect(issues[1].message).toMatch(/unknown operator "广电"/);
  });
  it('names an object inherits are unknown operators too (regression: "constructor" and "__proto__" were accepted)', () => {
    const ring = [[[114, 25], [115, 25], [115, 26], [114, 25]]];
    const issues = issuesOf([point(base)], ['constructor', '__proto__', 'hasOwnProperty'].map((operator) => (
      { type: 'Feature', geometry: { type: 'Polygon', coordinates: ring }, properties: { operator } }
    )));
    expect(issues.map((i) => `${i.feature}.${i.field}`)).toEqual(['0.operator', '1.operator', '2.operator']);
    expect(issues[0].message).toMatch(/unknown operator "constructor"/);
  });
  it('caps the list but counts everything', () => {
    const many = Array.from({ length: 500 }, (_, i) => point({ ...base, id: `x${i}`, households: -1 }));
    try {
      analyzeCoverage({ settlements: { name: 's', features: many }, mobile: [], broadband: [] });
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).issues).toHaveLength(200);
      expect((e as Error).message).toMatch(/more problems not shown/);
    }
  });
  it('does not mutate its inputs', () => {
    const settlements = [point(base)];
    const mobile: Feature[] = [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[114, 25], [115, 25], [115, 26], [114, 25]]] }, properties: { operator: '移动' } }];
    const before = JSON.stringify([settlements, mobile]);
    analyzeCoverage({ settlements: { name: 's', features: settlements }, mobile: [{ name: 'm', features: mobile }], broadband: [] });
    expect(JSON.stringify([settlements, mobile])).toBe(before);
  });
});

describe('SettlementTableBuilder.addPoint', () => {
  it('gives what add() gives for a Point feature with the same values, problems included', () => {
    const values: unknown[][] = [
      ['S1', 30, '于都县', '梓山镇', '潭头村', '刘屋', '360731104201', true],
      [7, '45', ' 宁都县 ', null, undefined, '', 360730100200, '是'],
      ['', 30, '于都县', null, null, null, null, null],
      ['S1', 'n/a', '', null, null, null, '123', 'maybe'],
      [undefined, -1, 5, 1, 2, 3, '', 0],
    ];
    const keys = ['id', 'households', 'county', 'township', 'village', 'name', 'code', 'committee'];
    const positions = [[114.5, 25.5], [-180, 90], [180, -90], [-0, 0]];
    const viaAdd = new IssueList(), viaPoint = new IssueList();
    const a = new SettlementTableBuilder('s', viaAdd), b = new SettlementTableBuilder('s', viaPoint);
    for (const [x, y] of positions) {
      for (const v of values) {
        const properties = Object.fromEntries(keys.map((k, i) => [k, v[i]]).filter(([, value]) => value !== undefined));
        a.add({ type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] }, properties }, JSON_COORDINATES);
        b.addPoint(x, y, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
      }
    }
    expect(b.finish()).toEqual(a.finish());
    expect(viaPoint.items).toEqual(viaAdd.items);
    expect(viaAdd.count).toBeGreaterThan(10);
  });

  it('takes only positions positionProblemIn() finds nothing wrong with', () => {
    for (const x of [-181, -180, 0, 114.5, 180, 180.0001, NaN, Infinity, -Infinity]) {
      for (const y of [-90.5, -90, 0, 25.5, 90, 91, NaN, Infinity]) {
        expect(lonLatInRange(x, y)).toBe(positionProblemIn(JSON_COORDINATES, [x, y]) === null);
      }
    }
    expect(() => new SettlementTableBuilder('s', new IssueList()).addPoint(200, 25, 'S1', 30, '于都县', null, null, null, null, null))
      .toThrow(/\[200, 25\] is not a valid position/);
  });
});
