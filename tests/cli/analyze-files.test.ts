// The file-based `analyze` contract: formats, options, exit codes and messages.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitFixture } from '../gis/helpers';
import { formatTable } from '../../cli/format';
import { loadCampaign } from '../../cli/campaign';
import { runCli } from './run-cli';

let dir: string;
const file = (name: string) => join(dir, name);
const fc = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });
const settlement = (id: string, props: Record<string, unknown>, coordinates: unknown = [114.1, 25.1]) =>
  ({ type: 'Feature', geometry: { type: 'Point', coordinates }, properties: { id, households: 30, county: '于都县', ...props } });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-cli-'));
  const layers = splitFixture(JSON.parse(readFileSync(join(import.meta.dirname, '..', 'gis', 'fixtures', 'in', 'households-threshold.geojson'), 'utf8')));
  writeFileSync(file('settlements.geojson'), fc(layers.settlements));
  writeFileSync(file('mobile.geojson'), fc(layers.mobile));
  writeFileSync(file('broadband.geojson'), fc(layers.broadband));
  writeFileSync(file('empty.geojson'), fc([]));
});

const base = () => ['analyze', '--settlements', file('settlements.geojson'), '--mobile', file('mobile.geojson'), '--broadband', file('broadband.geojson')];

describe('cli analyze (files)', () => {
  it('json: the contract fields', () => {
    const r = runCli([...base(), '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const h24 = out.settlements.find((s: { id: string }) => s.id === 'h24');
    expect(h24).toMatchObject({ id: 'h24', eligible: false, mobile: true, mobileOperators: ['CMCC'], broadband: true, broadbandOperators: ['CT'] });
    expect(out.rates.city).toMatchObject({ settlements: 5, households: 416 });
    expect(out.rates.city.mobile).toMatchObject({ covered: 3, coveredHouseholds: 91, rate: 0.6, target: 0.95, met: false, shortfall: 2 });
    expect(out.rates.city.mobile.byOperator.CMCC).toEqual({ covered: 3, coveredHouseholds: 91, rate: 0.6, householdRate: 91 / 416 });
    expect(out.rates.counties['于都县']).toMatchObject({ focus: true, leader: '周光仁', settlements: 4 });
    expect(Object.keys(out.rates.townships)).toContain('于都县/车溪乡');
    expect(out.rates.villages['于都县/车溪乡/潮溪村']).toMatchObject({ listed: true });
    expect(out.committeeSeats).toMatchObject({ total: 1, mobileCovered: 1, broadbandCovered: 1, met: true });
  });

  it('options change eligibility and targets', () => {
    const r = runCli([...base(), '--format', 'json', '--min-households', '24', '--target-mobile', '0.5', '--target-broadband', '0.2']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.rates.city.settlements).toBe(6);
    expect(out.rates.city.mobile).toMatchObject({ covered: 4, target: 0.5, met: true, shortfall: 0 });
  });

  it('table: Chinese, focus counties first with their leader, met or not, shortfall', () => {
    const r = runCli(base());
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toContain('25户以上聚居区');
    const rows = lines.filter((l) => /^★|^全市|^[^\s─]+县/.test(l));
    expect(rows[0]).toMatch(/^★于都县\s+周光仁/);
    expect(rows[1]).toMatch(/^★宁都县\s+李鉴庆/);
    expect(r.stdout).toMatch(/未达标/);
    expect(r.stdout).toContain('挂牌村村委会所在地（目标 100%）：共 1 处');
  });

  it('table: the same text as from the whole report (it is printed without building the settlement list)', () => {
    const report = JSON.parse(runCli([...base(), '--format', 'json']).stdout);
    expect(report.settlements.length).toBeGreaterThan(0);
    expect(runCli(base()).stdout).toBe(formatTable(report, loadCampaign().focusOrder));
  });

  it('csv: a row per settlement, UTF-8 with BOM, written to --out', () => {
    const out = file('out.csv');
    const r = runCli([...base(), '--format', 'csv', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 7);
    expect(lines[0].split(',').slice(0, 3)).toEqual(['编号', '名称', '县(市、区)']);
    expect(lines.find((l) => l.startsWith('h24,'))).toContain(',否,是,移动,是,电信,');
  });

  it('empty coverage layers give zero rates, not an error', () => {
    const r = runCli(['analyze', '--settlements', file('settlements.geojson'), '--mobile', file('empty.geojson'), '--broadband', file('empty.geojson'), '--format', 'json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).rates.city.mobile).toMatchObject({ covered: 0, rate: 0, met: false, shortfall: 5 });
  });
});

describe('cli analyze: bad input exits 2 with a clear sentence per problem', () => {
  const bad = (name: string, content: string) => {
    writeFileSync(file(name), content);
    return file(name);
  };

  it('a missing file', () => {
    const r = runCli(['analyze', '--settlements', file('nope.geojson'), '--mobile', file('mobile.geojson'), '--broadband', file('broadband.geojson')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file('nope.geojson')}: file not found`);
  });

  it('a file that is not GeoJSON', () => {
    const r = runCli(['analyze', '--settlements', bad('x.csv', '名称,户数\n刘屋,30\n'), '--mobile', file('mobile.geojson'), '--broadband', file('broadband.geojson')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('x.csv: not valid JSON (line 1, column 1, near "名称,户数 刘屋,30 "); expected a GeoJSON FeatureCollection');
  });

  it('a Point where a Polygon belongs', () => {
    const r = runCli(['analyze', '--settlements', file('settlements.geojson'), '--mobile', file('settlements.geojson'), '--broadband', file('broadband.geojson')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/settlements\.geojson: feature 0: geometry: found Point; expected a Polygon or MultiPolygon/);
  });

  it('households "二十" and latitude 139, all reported in one pass', () => {
    const s = bad('s-bad.geojson', fc([settlement('a', { households: '二十' }), settlement('b', {}, [114.2, 139])]));
    const m = bad('m-bad.geojson', fc([{ type: 'Feature', geometry: { type: 'Point', coordinates: [114, 25] }, properties: { operator: '移动' } }]));
    const r = runCli(['analyze', '--settlements', s, '--mobile', m, '--broadband', file('broadband.geojson')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${s}: feature 0: households: found "二十"; expected a whole number ≥ 0`);
    expect(r.stderr).toContain(`${s}: feature 1: geometry: latitude 139 out of range; expected -90 to 90`);
    expect(r.stderr).toContain(`${m}: feature 0: geometry: found Point; expected a Polygon or MultiPolygon`);
  });

  it('usage errors', () => {
    expect(runCli(['analyze', '--settlements', file('settlements.geojson')]).status).toBe(2);
    const r = runCli([...base(), '--format', 'xml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--format: found "xml"; expected table, json or csv');
    expect(runCli([...base(), '--target-mobile', '95']).stderr).toContain('--target-mobile: found "95"; expected a fraction between 0 and 1');
    expect(runCli([...base(), '--threads', '0']).stderr).toContain('--threads: found "0"; expected a whole number from 1 to 64');
    expect(runCli(['frobnicate']).status).toBe(2);
  });

  it('--threads is accepted (inputs this small stay on one thread; tests/perf/parallel.test.ts runs workers)', () => {
    const one = runCli([...base(), '--format', 'json', '--threads', '1']);
    const two = runCli([...base(), '--format', 'json', '--threads', '2']);
    expect(one.status).toBe(0);
    expect(two.stdout).toBe(one.stdout);
  });
});
