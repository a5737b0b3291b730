// Map style as plain data. Every layer the map shows is built here by pure functions, so the
// styling is unit-tested without a browser; AtlasMap only adds what these return.
import type {
  ExpressionSpecification,
  FilterSpecification,
  LayerSpecification,
  SourceSpecification,
  StyleSpecification,
} from 'maplibre-gl';
import { BROADBAND_FLAG, FLAG, MOBILE_FLAG } from '../../api/columns';
import type { Settings } from '../../api/contract';
import { LABEL_MIN_ZOOM, SETTLEMENT_SOURCE_LAYER, TILE_MAX_ZOOM } from './settlement-tiles';
import type { Operator } from '../../gis/types';
import { OPERATORS } from '../../gis/types';

export type SettlementStatus = 'both' | 'mobile' | 'broadband' | 'none';
export const STATUSES: readonly SettlementStatus[] = ['both', 'mobile', 'broadband', 'none'];

/** Status colours: green good, red blind spot; the two partial states sit between and differ in hue. */
export const STATUS_COLORS: Record<SettlementStatus, string> = {
  both: '#1a9850',
  mobile: '#7b5cd6',
  broadband: '#f08c00',
  none: '#d7191c',
};

/** Operator colours: 移动 blue, 电信 teal, 联通 magenta; distinct from the status colours above. */
export const OPERATOR_COLORS: Record<Operator, string> = {
  CMCC: '#2f7fd8',
  CT: '#11a69c',
  CU: '#c2379b',
};
export const BROADBAND_COLOR = '#8a6d3b';
export const BACKGROUND_COLOR = '#f3f1ea';

/** Fonts drawn locally by maplibre (no glyphs URL): works offline and under a strict CSP. */
export const FONT_STACK = ['Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'sans-serif'];
export const LOCAL_FONT_FAMILY = FONT_STACK.join(', ');

export const SOURCE_SETTLEMENTS = 'settlements';
/** Settlement tiles come from this URL scheme (AtlasMap registers it; see settlement-tiles.ts). */
export const SETTLEMENT_PROTOCOL = 'atlas-settlements';
/** The tile version before any settlement columns arrived: its tiles are empty. */
export const EMPTY_VERSION = 'none';
export function settlementTileUrl(version: string): string {
  return `${SETTLEMENT_PROTOCOL}://${encodeURIComponent(version)}/{z}/{x}/{y}`;
}
/** Painted raster tiles of the settlements under a filter state (large workspaces, zoomed out: see settlement-raster.ts). */
export const SETTLEMENT_RASTER_PROTOCOL = 'atlas-settlement-raster';
export const SOURCE_SETTLEMENT_RASTER = 'settlements-raster';
export function settlementRasterUrl(version: string, filtersKey: string): string {
  return `${SETTLEMENT_RASTER_PROTOCOL}://${encodeURIComponent(version)}/${encodeURIComponent(filtersKey)}/{z}/{x}/{y}`;
}
/** Every coverage layer zoomed out, as raster tiles (coverage-raster.ts). */
export const SOURCE_COVERAGE_RASTER = 'coverage-raster';
export const SOURCE_BOUNDARIES = 'boundaries';
export const SOURCE_ONLINE = 'online-basemap';

/** Layer ids other modules refer to (clicks, ordering). */
export const LAYER_IDS = {
  background: 'background',
  online: 'online-basemap',
  countyFill: 'boundary-county-fill',
  townshipLine: 'boundary-township-line',
  countyLine: 'boundary-county-line',
  countyLabel: 'boundary-county-label',
  townshipLabel: 'boundary-township-label',
  settlements: 'settlements-circle',
  settlementRaster: 'settlements-raster',
  coverageRaster: 'coverage-raster',
  listedRing: 'settlements-listed-ring',
  seat: 'settlements-seat',
  settlementLabel: 'settlements-label',
} as const;

/** Coverage is drawn below the boundary lines so the outlines stay readable. */
export const COVERAGE_BEFORE = LAYER_IDS.townshipLine;

export interface Filters {
  /** County name, or null for all counties. */
  county: string | null;
  focusOnly: boolean;
  listedOnly: boolean;
  /** Null: coverage by any operator; otherwise only this operator's coverage counts and is drawn. */
  operator: Operator | null;
  eligibleOnly: boolean;
}

export const NO_FILTERS: Filters = { county: null, focusOnly: false, listedOnly: false, operator: null, eligibleOnly: false };

/**
 * Which settlements are drawn. The operator does not hide points: it changes their status colour
 * (statusExpression), so a blind spot of one operator stays visible.
 */
export function filterExpression(f: Filters): FilterSpecification {
  const all: ExpressionSpecification[] = [];
  if (f.county !== null) all.push(['==', ['get', 'county'], f.county]);
  if (f.focusOnly) all.push(hasFlag(FLAG.focus));
  if (f.listedOnly) all.push(hasFlag(FLAG.listed));
  if (f.eligibleOnly) all.push(hasFlag(FLAG.eligible));
  return ['all', ...all] as FilterSpecification;
}

/**
 * True where the settlement's FLAG bits (property `f`, see settlement-tiles.ts) include `bit`. Expressions have
 * no bitwise operators: bit k is set when f mod 2^(k+1) ≥ 2^k.
 */
export function hasFlag(bit: number): ExpressionSpecification {
  return ['>=', ['%', ['get', 'f'], bit * 2], bit];
}

/** The status of a settlement for one operator (or any operator), as an expression. */
export function statusExpression(operator: Operator | null): ExpressionSpecification {
  const m = hasFlag(operator === null ? FLAG.mobile : MOBILE_FLAG[operator]);
  const b = hasFlag(operator === null ? FLAG.broadband : BROADBAND_FLAG[operator]);
  return ['case', ['all', m, b], 'both', m, 'mobile', b, 'broadband', 'none'];
}

export function statusColorExpression(operator: Operator | null): ExpressionSpecification {
  return ['match', statusExpression(operator),
    'both', STATUS_COLORS.both,
    'mobile', STATUS_COLORS.mobile,
    'broadband', STATUS_COLORS.broadband,
    STATUS_COLORS.none];
}

/** Circle radius (px) by households at zoom 10, scaled by zoom (ZOOM_SCALE): area roughly proportional to households. */
export const HOUSEHOLD_RADIUS: readonly (readonly [number, number])[] = [[0, 1.5], [25, 3], [100, 5], [400, 8], [2000, 13]];
export const ZOOM_SCALE: readonly (readonly [number, number])[] = [[6, 0.6], [10, 1], [14, 1.6]];
/** Zoom → width (px) of the white edge of settlement circles, and of the dark ring of listed villages. */
export const CIRCLE_STROKE: readonly (readonly [number, number])[] = [[6, 0.3], [11, 1]];
export const RING_STROKE: readonly (readonly [number, number])[] = [[6, 0.6], [10, 1.5]];
/** Zoom → size (px) of the committee-seat star, drawn 1.1 em above the point. */
export const SEAT_SIZE: readonly (readonly [number, number])[] = [[7, 10], [13, 16]];
export const RING_EXTRA = 3;
export const RING_COLOR = '#222222';
export const SEAT_COLOR = '#b8860b';

/** Piecewise-linear interpolation through `stops`, clamped at both ends (what ['interpolate', ['linear'], …] does). */
export function interpolate(stops: readonly (readonly [number, number])[], x: number): number {
  if (x <= stops[0][0]) return stops[0][1];
  for (let k = 1; k < stops.length; k++) {
    const [x1, y1] = stops[k];
    if (x <= x1) {
      const [x0, y0] = stops[k - 1];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return stops[stops.length - 1][1];
}

const byZoom = (stops: readonly (readonly [number, number])[]): ExpressionSpecification =>
  ['interpolate', ['linear'], ['zoom'], ...stops.flat()] as ExpressionSpecification;

/** Circle radius grows with households (area roughly proportional) and with zoom. */
export function radiusExpression(extra = 0): ExpressionSpecification {
  // `zoom` must stay the outermost interpolation, so the extra ring width is folded into each stop.
  const byHouseholds = (scale: number): ExpressionSpecification =>
    ['interpolate', ['linear'], ['get', 'h'], ...HOUSEHOLD_RADIUS.flatMap(([h, r]) => [h, r * scale + extra])] as ExpressionSpecification;
  return ['interpolate', ['linear'], ['zoom'], ...ZOOM_SCALE.flatMap(([z, scale]) => [z, byHouseholds(scale)])] as ExpressionSpecification;
}

/** radiusExpression's value at one zoom, for drawing outside maplibre (settlement-raster.ts). */
export function circleRadius(zoom: number, households: number, extra = 0): number {
  // The nested interpolation is linear in the scale, so it factors: radius(households) × scale(zoom) + extra.
  return interpolate(HOUSEHOLD_RADIUS, households) * interpolate(ZOOM_SCALE, zoom) + extra;
}

const visibility = (visible: boolean) => (visible ? 'visible' : 'none') as 'visible' | 'none';

export function coverageSourceId(layerId: number): string {
  return `coverage-${layerId}`;
}

export function coverageLayerIds(layerId: number, operator: Operator): { fill: string; line: string } {
  return { fill: `coverage-${layerId}-${operator}-fill`, line: `coverage-${layerId}-${operator}-line` };
}

export interface CoverageLayerOptions {
  /** Workspace layer id (LayerInfo.id). */
  layerId: number;
  kind: 'mobile' | 'broadband';
  operator: Operator;
  /** 0..1 fill opacity. */
  opacity: number;
  visible: boolean;
  /** Mobile: only these technologies count (AnalysisOptions.mobileTechs); empty = all. */
  techs?: string[];
}

/** One translucent fill and its outline for one operator of one coverage layer. */
export function coverageLayers(o: CoverageLayerOptions): LayerSpecification[] {
  if (!(o.opacity >= 0 && o.opacity <= 1)) throw new RangeError(`coverage opacity must be within 0..1, got ${o.opacity}`);
  const ids = coverageLayerIds(o.layerId, o.operator);
  const source = coverageSourceId(o.layerId);
  const parts: ExpressionSpecification[] = [['==', ['get', 'operator'], o.operator]];
  if (o.kind === 'mobile' && o.techs && o.techs.length > 0) {
    parts.push(['in', ['upcase', ['to-string', ['get', 'tech']]], ['literal', o.techs.map((t) => t.toUpperCase())]]);
  }
  const filter = ['all', ...parts] as FilterSpecification;
  const color = o.kind === 'mobile' ? OPERATOR_COLORS[o.operator] : BROADBAND_COLOR;
  const layout = { visibility: visibility(o.visible) };
  return [
    { id: ids.fill, type: 'fill', source, filter, layout, paint: { 'fill-color': color, 'fill-opacity': o.opacity } },
    {
      id: ids.line, type: 'line', source, filter, layout,
      paint: {
        'line-color': color,
        'line-opacity': Math.min(1, o.opacity * 2.5),
        'line-width': 1,
        ...(o.kind === 'broadband' ? { 'line-dasharray': [2, 2] } : {}),
      },
    },
  ];
}

/** The listed-village rings and the committee-seat stars follow the same filters as the points. */
export function listedFilter(filters: Filters): FilterSpecification {
  return ['all', filterExpression(filters), hasFlag(FLAG.listed)] as FilterSpecification;
}
/** Stars mark the committee seats of listed villages only: those are the ones the 100% check is about. */
export function seatFilter(filters: Filters): FilterSpecification {
  return ['all', filterExpression(filters), hasFlag(FLAG.committee), hasFlag(FLAG.listed)] as FilterSpecification;
}

/** Settlement points: status circles, a dark ring for listed villages, a star on committee seats, names when zoomed in. */
export function settlementLayers(filters: Filters): LayerSpecification[] {
  const filter = filterExpression(filters);
  return [
    {
      id: LAYER_IDS.settlements, type: 'circle', source: SOURCE_SETTLEMENTS, 'source-layer': SETTLEMENT_SOURCE_LAYER, filter,
      paint: {
        'circle-radius': radiusExpression(),
        'circle-color': statusColorExpression(filters.operator),
        'circle-opacity': ['case', hasFlag(FLAG.eligible), 0.9, 0.45],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': byZoom(CIRCLE_STROKE),
      },
    },
    {
      id: LAYER_IDS.listedRing, type: 'circle', source: SOURCE_SETTLEMENTS, 'source-layer': SETTLEMENT_SOURCE_LAYER,
      filter: listedFilter(filters),
      paint: {
        'circle-radius': radiusExpression(RING_EXTRA),
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': RING_COLOR,
        // Thin when zoomed out, where a listed village's many rings would merge into a blot.
        'circle-stroke-width': byZoom(RING_STROKE),
      },
    },
    {
      id: LAYER_IDS.seat, type: 'symbol', source: SOURCE_SETTLEMENTS, 'source-layer': SETTLEMENT_SOURCE_LAYER,
      filter: seatFilter(filters),
      layout: {
        'text-field': '★',
        'text-font': FONT_STACK,
        'text-size': byZoom(SEAT_SIZE),
        'text-offset': [0, -1.1],
        'text-allow-overlap': true,
        'text-ignore-placement': true,
      },
      paint: { 'text-color': SEAT_COLOR, 'text-halo-color': '#ffffff', 'text-halo-width': 1 },
    },
    {
      id: LAYER_IDS.settlementLabel, type: 'symbol', source: SOURCE_SETTLEMENTS, 'source-layer': SETTLEMENT_SOURCE_LAYER, filter, minzoom: LABEL_MIN_ZOOM,
      layout: {
        'text-field': ['get', 'name'],
        'text-font': FONT_STACK,
        'text-size': 12,
        'text-offset': [0, 1.1],
        'text-anchor': 'top',
        'text-optional': true,
      },
      paint: { 'text-color': '#333333', 'text-halo-color': '#ffffff', 'text-halo-width': 1.2 },
    },
  ];
}

/**
 * Schematic county and township boundaries with Chinese labels; focus counties tinted. The labels are
 * returned apart so they can be drawn above the settlement points.
 */
export function boundaryLayers(focusCountyCodes: readonly string[], focusCountyNames: readonly string[] = []): LayerSpecification[] {
  const isCounty: ExpressionSpecification = ['==', ['get', 'level'], 'county'];
  const isTownship: ExpressionSpecification = ['==', ['get', 'level'], 'township'];
  const isFocus: ExpressionSpecification = ['any',
    ['in', ['to-string', ['get', 'code']], ['literal', [...focusCountyCodes]]],
    ['in', ['to-string', ['get', 'name']], ['literal', [...focusCountyNames]]]];
  return [
    {
      id: LAYER_IDS.countyFill, type: 'fill', source: SOURCE_BOUNDARIES, filter: isCounty,
      paint: { 'fill-color': ['case', isFocus, '#f6e7c8', '#fbfaf6'], 'fill-opacity': 0.9 },
    },
    {
      id: LAYER_IDS.townshipLine, type: 'line', source: SOURCE_BOUNDARIES, filter: isTownship, minzoom: 7.5,
      paint: { 'line-color': '#9a9a9a', 'line-width': 0.7, 'line-dasharray': [3, 2] },
    },
    {
      id: LAYER_IDS.countyLine, type: 'line', source: SOURCE_BOUNDARIES, filter: isCounty,
      paint: { 'line-color': '#555555', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 1, 12, 2.5] },
    },
  ];
}

export function boundaryLabelLayers(): LayerSpecification[] {
  const isCounty: ExpressionSpecification = ['==', ['get', 'level'], 'county'];
  const isTownship: ExpressionSpecification = ['==', ['get', 'level'], 'township'];
  return [
    {
      id: LAYER_IDS.townshipLabel, type: 'symbol', source: SOURCE_BOUNDARIES, filter: isTownship, minzoom: 9,
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT_STACK, 'text-size': 11, 'text-optional': true },
      paint: { 'text-color': '#6b6b6b', 'text-halo-color': '#ffffff', 'text-halo-width': 1 },
    },
    {
      id: LAYER_IDS.countyLabel, type: 'symbol', source: SOURCE_BOUNDARIES, filter: isCounty,
      layout: {
        'text-field': ['get', 'name'],
        'text-font': FONT_STACK,
        'text-size': ['interpolate', ['linear'], ['zoom'], 6, 12, 10, 17],
        'text-allow-overlap': false,
      },
      paint: { 'text-color': '#2b2b2b', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 },
    },
  ];
}

const TIANDITU_SUBDOMAINS = ['0', '1', '2', '3', '4', '5', '6', '7'];

/** Tile URL templates of the opt-in online basemap; empty when it is off or not configured. */
export function onlineTileUrls(online: Settings['onlineBasemap'] | undefined): string[] {
  if (!online || !online.enabled) return [];
  if (online.provider === 'custom') {
    const url = online.urlTemplate.trim();
    return /\{z\}/.test(url) && /\{x\}/.test(url) && /\{y\}/.test(url) ? [url] : [];
  }
  const key = online.key.trim();
  if (key === '') return [];
  // 天地图 vector base in Web Mercator (vec_w); CGCS2000 differs from WGS84 by centimetres.
  return TIANDITU_SUBDOMAINS.map((s) =>
    `https://t${s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default` +
    `&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${encodeURIComponent(key)}`);
}

export interface StyleOptions {
  onlineBasemap?: Settings['onlineBasemap'];
  focusCountyCodes?: readonly string[];
  focusCountyNames?: readonly string[];
  filters?: Filters;
}

const EMPTY: SourceSpecification = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };

/**
 * The base style: plain background, optional online tiles, boundaries and settlements (empty until
 * data arrive). No `glyphs` URL: maplibre then draws every glyph with the local fonts of FONT_STACK.
 */
export function buildStyle(opts: StyleOptions = {}): StyleSpecification {
  const tiles = onlineTileUrls(opts.onlineBasemap);
  const sources: Record<string, SourceSpecification> = {
    [SOURCE_BOUNDARIES]: EMPTY,
    [SOURCE_SETTLEMENTS]: { type: 'vector', tiles: [settlementTileUrl(EMPTY_VERSION)], maxzoom: TILE_MAX_ZOOM },
  };
  const layers: LayerSpecification[] = [{ id: LAYER_IDS.background, type: 'background', paint: { 'background-color': BACKGROUND_COLOR } }];
  if (tiles.length > 0) {
    const attribution = opts.onlineBasemap?.provider === 'tianditu' ? '© 天地图' : '';
    sources[SOURCE_ONLINE] = { type: 'raster', tiles, tileSize: 256, attribution };
    layers.push({ id: LAYER_IDS.online, type: 'raster', source: SOURCE_ONLINE });
  }
  const boundaries = boundaryLayers(opts.focusCountyCodes ?? [], opts.focusCountyNames ?? []);
  if (tiles.length > 0) {
    // Over real tiles the county tint would hide the basemap: keep only lines and labels.
    boundaries.splice(boundaries.findIndex((l) => l.id === LAYER_IDS.countyFill), 1);
  }
  layers.push(...boundaries, ...settlementLayers(opts.filters ?? NO_FILTERS), ...boundaryLabelLayers());
  return { version: 8, name: 'Coverage Atlas', sources, layers };
}

/** Every operator's coverage layers for one workspace layer, in drawing order. */
export function coverageLayersFor(
  layerId: number, kind: 'mobile' | 'broadband',
  state: { visible: (op: Operator) => boolean; opacity: number; techs?: string[] },
): LayerSpecification[] {
  return OPERATORS.flatMap((operator) =>
    coverageLayers({ layerId, kind, operator, opacity: state.opacity, visible: state.visible(operator), techs: state.techs }));
}
