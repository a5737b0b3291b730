// Field verification: measurements near a settlement override the polygons' 4G prediction, per operator.
import { describe, expect, it } from 'vitest';
import { analyzeCoverage, applyMeasurements, buildMeasurementTable, InputError, IssueList, OPERATOR_BIT, type Feature } from '../../gis';

const settlement = (id: string, lon: number, lat: number): Feature => ({
  type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] },
  properties: { id, households: 40, county: '于都县', township: '车溪乡', village: '潮溪村' },
});
const reading = (lon: number, lat: number, operator: string, rsrp: unknown, time = '2020-06-10T10:00'): Feature => ({
  type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { operator, rsrp, time },
});
const square = (op: string): Feature => ({ type: 'Feature', properties: { operator: op, tech: '4G' },
  geometry: { type: 'Polygon', coordinates: [[[115, 25], [115.1, 25], [115.1, 25.1], [115, 25.1], [115, 25]]] } });
// 0.001° of latitude is about 111 m.
const settlements = [settlement('in-weak', 115.05, 25.05), settlement('out-strong', 115.2, 25.05), settlement('far', 115.05, 25.08)];
const readings = [
  reading(115.05, 25.051, '移动', -116), // ~111 m from in-weak: CMCC predicted, measured weak
  reading(115.05, 25.0505, '移动', -112, '2020-06-11T09:00'),
  reading(115.2, 25.0515, '电信', '-95'), // ~167 m from out-strong: CT measured, no polygon
  reading(115.05, 25.084, '联通', -80), // ~445 m from far: beyond the 300 m radius
];

function run(options = {}) {
  return analyzeCoverage({
    settlements: { name: 's', features: settlements },
    mobile: [{ name: 'm', features: [square('CMCC')] }],
    broadband: [],
    measurements: [{ name: '路测.csv', features: readings }],
    options,
  });
}

describe('field verification', () => {
  it('measured operators override the prediction, with provenance', () => {
    const r = run();
    const by = Object.fromEntries(r.settlements.map((s) => [s.id, s]));
    expect(by['in-weak']).toMatchObject({ mobile: false, mobileOperators: [] });
    expect(by['in-weak'].measured).toEqual({ sources: ['路测.csv'],
      operators: [{ operator: 'CMCC', bestRsrp: -112, readings: 2, covered: false, lastTime: '2020-06-11T09:00' }] });
    expect(by['out-strong']).toMatchObject({ mobile: true, mobileOperators: ['CT'] });
    expect(by.far.measured).toBeUndefined();
    expect(by.far.mobileOperators).toEqual(['CMCC']);
    expect(r.fieldVerification).toMatchObject({ thresholdDbm: -105, radiusM: 300, measurements: 4, settlementsMeasured: 2 });
    expect(r.fieldVerification!.disagreements.map((d) => [d.id, d.operator, d.predicted, d.measured])).toEqual([
      ['in-weak', 'CMCC', true, false], ['out-strong', 'CT', false, true]]);
    expect(r.rates.city.mobile.covered).toBe(2);
  });

  it('the threshold and radius are settings', () => {
    const lenient = run({ measurementThresholdDbm: -115 });
    expect(lenient.settlements[0].mobileOperators).toEqual(['CMCC']);
    const wide = run({ measurementRadiusM: 500 });
    expect(wide.settlements[2].mobileOperators).toEqual(['CMCC', 'CU']);
    expect(() => run({ measurementThresholdDbm: 5 })).toThrow(/expected dBm/);
  });

  it('bad readings are reported with feature and field', () => {
    const issues = new IssueList();
    buildMeasurementTable([{ name: 'dt.csv', features: [reading(115, 25, '广电', -90), reading(115, 25, '移动', '很强'), reading(115, 95, '移动', -90)] }], issues);
    expect(issues.items.map((i) => [i.feature, i.field])).toEqual([[0, 'operator'], [1, 'rsrp'], [2, 'geometry']]);
    expect(() => analyzeCoverage({ settlements: { name: 's', features: settlements }, mobile: [], broadband: [],
      measurements: [{ name: 'dt.csv', features: [reading(115, 25, '移动', -300)] }] })).toThrow(InputError);
  });

  it('the grid finds exactly the readings a brute-force distance check finds', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const n = 400, k = 3000;
    const lon = Float64Array.from({ length: n }, () => 114 + rand()), lat = Float64Array.from({ length: n }, () => 25 + rand() * 4);
    const features = Array.from({ length: k }, () => reading(114 + rand(), 25 + rand() * 4, ['移动', '电信', '联通'][Math.floor(rand() * 3)], -130 + rand() * 60));
    const issues = new IssueList();
    const table = buildMeasurementTable([{ name: 'r', features }], issues);
    const predicted = new Uint8Array(n).fill(7);
    const { mask, measured } = applyMeasurements(lon, lat, predicted, table, { radiusM: 3000, thresholdDbm: -105 });
    for (let i = 0; i < n; i++) {
      let expected = 7;
      let count = 0;
      for (const [bit] of [[1], [2], [4]]) {
        let best = -Infinity;
        for (let j = 0; j < k; j++) {
          if (table.bit[j] !== bit) continue;
          const dx = (table.lon[j] - lon[i]) * 111_320 * Math.cos(lat[i] * Math.PI / 180), dy = (table.lat[j] - lat[i]) * 111_320;
          if (dx * dx + dy * dy <= 3000 * 3000) {
            best = Math.max(best, table.rsrp[j]);
            count++;
          }
        }
        if (best > -Infinity) expected = best >= -105 ? expected | bit : expected & ~bit;
      }
      expect(mask[i], `settlement ${i}`).toBe(expected);
      expect(measured[i]?.operators.reduce((a, o) => a + o.readings, 0) ?? 0).toBe(count);
    }
    expect(OPERATOR_BIT.CMCC).toBe(1);
  });
});
