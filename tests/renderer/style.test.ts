// The map's layer specs: valid against the MapLibre style spec, and filters/colours that select and
// classify the right settlements (evaluated with the spec's own expression engine).
import { describe, expect, it } from 'vitest';
import { expression, featureFilter, validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import type { ExpressionSpecification, LayerSpecification } from '@maplibre/maplibre-gl-style-spec';
import {
  BROADBAND_COLOR, buildStyle, circleRadius, coverageLayers, coverageLayersFor, filterExpression, LAYER_IDS, NO_FILTERS, onlineTileUrls,
  OPERATOR_COLORS, radiusExpression, settlementLayers, STATUS_COLORS, statusColorExpression, statusExpression, type Filters,
} from '../../renderer/map/style';
import { toColumns } from '../../api/columns';
import { tileProperties } from '../../renderer/map/settlement-tiles';
import { settlement } from './fixtures';

const point = (props: Record<string, unknown>) => ({ type: 1 as const, properties: props, geometry: [] });
const zoom = { zoom: 10 };

function evaluate(expr: ExpressionSpecification, props: Record<string, unknown>): unknown {
  const parsed = expression.createExpression(expr, 'test');
  if (parsed.result !== 'success') throw new Error(parsed.value.map((e) => e.message).join('; '));
  return parsed.value.evaluate(zoom, point(props));
}

const filterOf = (l: LayerSpecification): unknown => (l as { filter?: unknown }).filter;

function passes(filter: unknown, props: Record<string, unknown>): boolean {
  return featureFilter(filter as never, 'filter').filter(zoom as never, point(props) as never);
}

/** Settlement point properties as the map gets them. */
function props(p: Parameters<typeof settlement>[0]): Record<string, unknown> {
  return tileProperties(toColumns([settlement(p)], 'test'), 0);
}

describe('buildStyle', () => {
  it('is a valid offline style: no glyphs URL, no online source, every layer spec-valid', () => {
    const style = buildStyle({ focusCountyCodes: ['360731'], focusCountyNames: ['于都县'] });
    expect(validateStyleMin(style)).toEqual([]);
    expect(style.glyphs).toBeUndefined();
    expect(Object.keys(style.sources).sort()).toEqual(['boundaries', 'settlements']);
    expect(style.layers[0]).toMatchObject({ id: 'background', type: 'background' });
    expect(style.layers.map((l) => l.id)).toEqual([
      LAYER_IDS.background, LAYER_IDS.countyFill, LAYER_IDS.townshipLine, LAYER_IDS.countyLine,
      LAYER_IDS.settlements, LAYER_IDS.listedRing, LAYER_IDS.seat, LAYER_IDS.settlementLabel, LAYER_IDS.townshipLabel, LAYER_IDS.countyLabel,
    ]);
  });

  it('adds 天地图 tiles only when enabled with a key, and then drops the county tint', () => {
    const off = { enabled: false, provider: 'tianditu' as const, key: 'abc', urlTemplate: '' };
    expect(onlineTileUrls(off)).toEqual([]);
    expect(onlineTileUrls({ ...off, enabled: true, key: ' ' })).toEqual([]);
    const on = buildStyle({ onlineBasemap: { ...off, enabled: true } });
    expect(validateStyleMin(on)).toEqual([]);
    const source = on.sources['online-basemap'];
    expect(source.type).toBe('raster');
    const tiles = (source as { tiles: string[] }).tiles;
    expect(tiles).toHaveLength(8);
    expect(tiles[0]).toBe('https://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=abc');
    expect(on.layers.map((l) => l.id)).toContain(LAYER_IDS.online);
    expect(on.layers.map((l) => l.id)).not.toContain(LAYER_IDS.countyFill);
  });

  it('accepts a custom tile template only with {z}, {x} and {y}', () => {
    const custom = { enabled: true, provider: 'custom' as const, key: '', urlTemplate: 'https://tiles.example.cn/{z}/{x}/{y}.png' };
    expect(onlineTileUrls(custom)).toEqual(['https://tiles.example.cn/{z}/{x}/{y}.png']);
    expect(onlineTileUrls({ ...custom, urlTemplate: 'https://tiles.example.cn/{z}/{x}.png' })).toEqual([]);
  });

  it('tints focus counties by code or name', () => {
    const fill = buildStyle({ focusCountyCodes: ['360731'], focusCountyNames: ['宁都县'] }).layers.find((l) => l.id === LAYER_IDS.countyFill);
    const color = (fill as { paint: { 'fill-color': ExpressionSpecification } }).paint['fill-color'];
    expect(evaluate(color, { level: 'county', code: '360731', name: '于都县' })).toEqual(evaluate(color, { level: 'county', code: 'x', name: '宁都县' }));
    expect(evaluate(color, { level: 'county', code: '360702', name: '章贡区' })).not.toEqual(evaluate(color, { level: 'county', code: '360731', name: '于都县' }));
  });
});

describe('coverageLayers', () => {
  it('draws one operator of one layer as a translucent fill plus outline', () => {
    const [fill, line] = coverageLayers({ layerId: 7, kind: 'mobile', operator: 'CT', opacity: 0.3, visible: true, techs: ['4G'] });
    expect(fill).toMatchObject({ id: 'coverage-7-CT-fill', type: 'fill', source: 'coverage-7', layout: { visibility: 'visible' }, paint: { 'fill-color': OPERATOR_COLORS.CT, 'fill-opacity': 0.3 } });
    expect(line).toMatchObject({ id: 'coverage-7-CT-line', type: 'line', source: 'coverage-7' });
    expect(passes(filterOf(fill), { operator: 'CT', tech: '4g' })).toBe(true);
    expect(passes(filterOf(fill), { operator: 'CT', tech: '5G' })).toBe(false);
    expect(passes(filterOf(fill), { operator: 'CMCC', tech: '4G' })).toBe(false);
  });

  it('gives the three operators distinct colours and broadband its own dashed style', () => {
    expect(new Set(Object.values(OPERATOR_COLORS)).size).toBe(3);
    for (const c of Object.values(OPERATOR_COLORS)) expect(Object.values(STATUS_COLORS)).not.toContain(c);
    const specs = coverageLayersFor(3, 'broadband', { visible: (op) => op !== 'CU', opacity: 0.25 });
    expect(specs.map((l) => l.id)).toEqual(['coverage-3-CMCC-fill', 'coverage-3-CMCC-line', 'coverage-3-CT-fill', 'coverage-3-CT-line', 'coverage-3-CU-fill', 'coverage-3-CU-line']);
    expect(specs[0]).toMatchObject({ paint: { 'fill-color': BROADBAND_COLOR } });
    expect(specs[1]).toMatchObject({ paint: { 'line-dasharray': [2, 2] } });
    expect(specs[4]).toMatchObject({ layout: { visibility: 'none' } });
    // Broadband ignores the mobile technology filter.
    expect(passes(filterOf(specs[0]), { operator: 'CMCC', tech: 'FTTH' })).toBe(true);
  });

  it('rejects an opacity outside 0..1', () => {
    expect(() => coverageLayers({ layerId: 1, kind: 'mobile', operator: 'CU', opacity: 1.5, visible: true })).toThrow(/0\.\.1, got 1\.5/);
    expect(() => coverageLayers({ layerId: 1, kind: 'mobile', operator: 'CU', opacity: NaN, visible: true })).toThrow(RangeError);
  });

  it('produces spec-valid layers', () => {
    const style = buildStyle();
    style.sources['coverage-1'] = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
    style.layers.push(...coverageLayersFor(1, 'mobile', { visible: () => true, opacity: 0.2, techs: ['4G', 'LTE'] }));
    expect(validateStyleMin(style)).toEqual([]);
  });
});

describe('filterExpression', () => {
  const yudu = props({ id: 'a', county: '于都县', focusCounty: true, listed: true, households: 40 });
  const small = props({ id: 'b', county: '章贡区', focusCounty: false, listed: false, households: 10, eligible: false });
  const f = (p: Partial<Filters>) => filterExpression({ ...NO_FILTERS, ...p });

  it('keeps everything without filters', () => {
    expect(f({})).toEqual(['all']);
    expect(passes(f({}), yudu) && passes(f({}), small)).toBe(true);
  });

  it('filters by county, focus, listed and eligibility, combined with AND', () => {
    expect(passes(f({ county: '于都县' }), yudu)).toBe(true);
    expect(passes(f({ county: '于都县' }), small)).toBe(false);
    expect(passes(f({ focusOnly: true }), small)).toBe(false);
    expect(passes(f({ listedOnly: true }), yudu)).toBe(true);
    expect(passes(f({ listedOnly: true }), small)).toBe(false);
    expect(passes(f({ eligibleOnly: true }), small)).toBe(false);
    expect(passes(f({ county: '章贡区', eligibleOnly: true }), small)).toBe(false);
    expect(passes(f({ county: '于都县', focusOnly: true, listedOnly: true, eligibleOnly: true }), yudu)).toBe(true);
  });

  it('does not hide points by operator (the operator changes their colour)', () => {
    expect(f({ operator: 'CU' })).toEqual(['all']);
  });

  it('applies to points, listed rings and committee-seat stars alike', () => {
    const layers = settlementLayers({ ...NO_FILTERS, county: '于都县' });
    const seat = props({ id: 'c', committee: true, listed: true });
    const unlistedSeat = props({ id: 'd', committee: true, listed: false });
    const byId = (id: string) => layers.find((l) => l.id === id) as LayerSpecification & { filter: unknown };
    expect(passes(byId(LAYER_IDS.seat).filter, seat)).toBe(true);
    expect(passes(byId(LAYER_IDS.seat).filter, yudu)).toBe(false);
    expect(passes(byId(LAYER_IDS.seat).filter, unlistedSeat)).toBe(false);
    expect(passes(byId(LAYER_IDS.listedRing).filter, yudu)).toBe(true);
    expect(passes(byId(LAYER_IDS.listedRing).filter, small)).toBe(false);
    expect(passes(byId(LAYER_IDS.settlements).filter, small)).toBe(false);
  });
});

describe('status colours', () => {
  const both = props({ id: 'a', mobile: true, mobileOperators: ['CMCC'], broadband: true, broadbandOperators: ['CT'] });
  const mobileOnly = props({ id: 'b', mobile: true, mobileOperators: ['CU'] });
  const bbOnly = props({ id: 'c', broadband: true, broadbandOperators: ['CMCC'] });
  const none = props({ id: 'd' });

  it('classifies 4G+宽带 / 仅4G / 仅宽带 / 均无 by any operator', () => {
    expect([both, mobileOnly, bbOnly, none].map((p) => evaluate(statusExpression(null), p))).toEqual(['both', 'mobile', 'broadband', 'none']);
    const color = statusColorExpression(null);
    expect(evaluate(color, both)).toBe(STATUS_COLORS.both);
    expect(evaluate(color, bbOnly)).toBe(STATUS_COLORS.broadband);
    expect(evaluate(color, none)).toBe(STATUS_COLORS.none);
  });

  it('classifies by one operator when the operator filter is set', () => {
    expect(evaluate(statusExpression('CMCC'), both)).toBe('mobile');
    expect(evaluate(statusExpression('CT'), both)).toBe('broadband');
    expect(evaluate(statusExpression('CU'), mobileOnly)).toBe('mobile');
    expect(evaluate(statusExpression('CMCC'), mobileOnly)).toBe('none');
  });

  it('sizes circles by households', () => {
    const radius = (settlementLayers(NO_FILTERS)[0] as { paint: { 'circle-radius': ExpressionSpecification } }).paint['circle-radius'];
    const r = (households: number) => evaluate(radius, { h: households }) as number;
    expect(r(25)).toBeLessThan(r(100));
    expect(r(100)).toBeLessThan(r(2000));
    expect(r(25)).toBe(3);
  });

  it('computes the same radius outside maplibre, at any zoom and size, with the ring width', () => {
    for (const z of [5, 6, 7.3, 10, 12.5, 14, 16]) {
      for (const h of [0, 10, 25, 60, 100, 399, 2000, 5000]) {
        for (const extra of [0, 3]) {
          const value = expression.createExpression(radiusExpression(extra), 'test');
          if (value.result !== 'success') throw new Error('radius expression does not parse');
          expect(circleRadius(z, h, extra)).toBeCloseTo(value.value.evaluate({ zoom: z }, point({ h }) as never) as number, 9);
        }
      }
    }
  });
});
