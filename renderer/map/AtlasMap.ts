// The map as an imperative object that React mounts once. Layer specs come from style.ts; this class
// only adds, updates and removes them, so state changes never rebuild the map or re-send data.
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { CoverageColumns, SettlementColumns } from '../../api/columns';
import type { Bbox, Settings } from '../../api/contract';
import type { FeatureCollection, Operator } from '../../gis/types';
import { OPERATORS } from '../../gis/types';
import {
  buildStyle, circleRadius, COVERAGE_BEFORE, coverageLayerIds, coverageLayersFor, coverageSourceId, filterExpression, FONT_STACK, LAYER_IDS,
  listedFilter, LOCAL_FONT_FAMILY, NO_FILTERS, onlineTileUrls, seatFilter, settlementRasterUrl, settlementTileUrl, SOURCE_BOUNDARIES,
  SOURCE_COVERAGE_RASTER, SOURCE_ONLINE, SOURCE_SETTLEMENT_RASTER, SOURCE_SETTLEMENTS, statusColorExpression, type Filters,
} from './style';
import { filtersKey, RASTER_MAX_ZOOM, RASTER_MIN_SETTLEMENTS, rowFilter } from './settlement-raster';
import { registerSettlementTiles, setTileColumns } from './settlementTiles';
import {
  COVERAGE_DETAIL_ZOOM, COVERAGE_RASTER_MAX_ZOOM, COVERAGE_TILE_SIZE, coverageFeatures, coverageLookKey, coverageTileUrl, type CoveragePart,
} from './coverage-raster';
import { MotionResolution } from './motion-resolution';
import type { SmoothMap } from './smooth-map';
import { dropCoverageTileData, registerCoverageTiles, setCoverageTileData, setCoverageTileParts, watchCoverageTiles } from './coverageTiles';

maplibregl.setWorkerUrl(workerUrl);

type FilterSpecification = maplibregl.FilterSpecification;
const SOURCE_SCENARIO = 'scenario';
const SCENARIO_LAYERS = { fill: 'scenario-fill', line: 'scenario-line', site: 'scenario-site', label: 'scenario-label' } as const;

type GeoJSONData = maplibregl.GeoJSONSourceSpecification['data'];
const EMPTY_FC: FeatureCollection = { type: 'FeatureCollection', features: [] };

/** Our minimal GeoJSON types (gis/types) are structurally the standard ones, minus maplibre's stricter unions. */
function asGeoJSON(fc: FeatureCollection<unknown, unknown>): GeoJSONData & object {
  return fc as unknown as GeoJSONData & object;
}

export interface CoverageState {
  visible: (kind: 'mobile' | 'broadband', op: Operator) => boolean;
  opacity: (kind: 'mobile' | 'broadband') => number;
  techs: string[];
}

export interface AtlasMapOptions {
  focusCountyCodes: readonly string[];
  focusCountyNames: readonly string[];
  onlineBasemap?: Settings['onlineBasemap'];
  smoothMap?: SmoothMap;
  /** A settlement point was clicked: its row in the settlement columns. */
  onSettlementClick: (index: number, lon: number, lat: number) => void;
  /** The view settled (after load and after every move), or the one an animated fitBbox will end on, as it starts. */
  onViewChange?: (bbox: Bbox, zoom: number) => void;
  /** A frame showed every settlement tile of the latest settlement columns (the first time for each version). */
  onSettlementsDrawn?: () => void;
  /** The first view: this box as fitBbox() shows it (the workspace's extent), instead of Ganzhou at zoom 7. */
  initialBbox?: Bbox | null;
}

const SETTLEMENT_LAYERS = [LAYER_IDS.settlementRaster, LAYER_IDS.settlements, LAYER_IDS.listedRing, LAYER_IDS.seat, LAYER_IDS.settlementLabel];
/** Vector layers that the raster tiles stand in for when zoomed out (the labels start later anyway). */
const RASTERED_LAYERS = [LAYER_IDS.settlements, LAYER_IDS.listedRing, LAYER_IDS.seat];
const DETAIL_ZOOM = RASTER_MAX_ZOOM + 1;
/** Coverage polygons reach maplibre's GeoJSON source from one zoom level before the vector layers show them. */
const COVERAGE_GEOJSON_ZOOM = COVERAGE_DETAIL_ZOOM - 1;
const BOUNDARY_LAYERS = [LAYER_IDS.countyFill, LAYER_IDS.townshipLine, LAYER_IDS.countyLine, LAYER_IDS.countyLabel, LAYER_IDS.townshipLabel];

// Ganzhou, so the first frame is not the whole world.
const INITIAL_CENTER: [number, number] = [115.3, 25.9];

export class AtlasMap {
  readonly map: maplibregl.Map;
  private readonly loaded: Promise<void>;
  private popup: maplibregl.Popup | null = null;
  private coverage = new Map<number, 'mobile' | 'broadband'>();
  /**
   * Per coverage layer: its latest polygons (`version` names them in the raster tile URLs) and whether the GeoJSON
   * source has them yet (built from them only once zoomed in).
   */
  private coverageData = new Map<number, { version: number; packed: CoverageColumns; sent: boolean }>();
  private coverageVersion = 0;
  /** The coverage raster tiles' URL in use ('' while no coverage shows). */
  private coverageUrl = '';
  private lastCoverageState: CoverageState | null = null;
  private onlineBasemap: Settings['onlineBasemap'] | undefined;
  private readonly container: HTMLElement;
  private settlementColumns: SettlementColumns | null = null;
  private filters: Filters = NO_FILTERS;
  private settlementsVisible = true;
  /** Settlements drawn as raster tiles below DETAIL_ZOOM (large workspaces). */
  private rastered = false;
  /** Requests for data this map will draw that are still on their way (see awaitData). */
  private awaited = 0;
  private readonly onViewChange: AtlasMapOptions['onViewChange'];
  private readonly initialBbox: Bbox | null;
  /** Half resolution while moving, where WebGL is drawn in software (see motion-resolution.ts). */
  readonly motion: MotionResolution;

  constructor(container: HTMLElement, opts: AtlasMapOptions) {
    this.onlineBasemap = opts.onlineBasemap;
    this.onViewChange = opts.onViewChange;
    this.container = container;
    registerSettlementTiles();
    registerCoverageTiles();
    // Coverage tiles are painted off the UI thread: the map is not settled while one is on its way.
    watchCoverageTiles((tile) => this.awaitData(tile));
    // The first tiles asked for are those of the view the user will see, not of one replaced at once.
    this.initialBbox = opts.initialBbox ?? null;
    const initial = this.initialBbox ? this.fitFor(this.initialBbox) : null;
    this.map = new maplibregl.Map({
      container,
      style: buildStyle({ onlineBasemap: opts.onlineBasemap, focusCountyCodes: opts.focusCountyCodes, focusCountyNames: opts.focusCountyNames }),
      ...(initial ? { bounds: initial.bounds, fitBoundsOptions: initial.options } : { center: INITIAL_CENTER, zoom: 7 }),
      localIdeographFontFamily: LOCAL_FONT_FAMILY,
      attributionControl: { compact: true },
      // Screenshots (tests, export) need the last frame to stay readable.
      canvasContextAttributes: { preserveDrawingBuffer: true },
    });
    this.motion = new MotionResolution(this.map, container, opts.smoothMap ?? 'auto');
    this.map.addControl(new maplibregl.NavigationControl({ visualizePitch: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-left');
    // Ready once the style is: sources and layers can change then, and the settlements' tiles are asked for beside
    // the basemap's first ones rather than after the basemap's first complete frame ('load', ~0.3 s in SwiftShader).
    this.loaded = new Promise((resolve) => this.map.once('style.load', () => resolve()));
    const reportView = () => {
      const b = this.map.getBounds();
      const c = this.map.getCenter();
      container.dataset.mapView = `${c.lng.toFixed(6)},${c.lat.toFixed(6)},${this.map.getZoom().toFixed(4)}`;
      this.onViewChange?.([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], this.map.getZoom());
    };
    this.map.once('style.load', reportView);
    this.map.on('moveend', reportView);

    // A state attribute lets tests (and users' automation) wait for the map to settle.
    container.dataset.mapState = 'loading';
    this.map.on('dataloading', () => { container.dataset.mapState = 'loading'; });
    this.map.on('idle', () => { if (this.awaited === 0) container.dataset.mapState = 'idle'; });
    // The settlements apart from the rest (coverage may still stream in): set once a frame shows all their tiles.
    this.map.on('render', () => {
      const version = this.settlementColumns?.version;
      if (version === undefined || container.dataset.settlementsDrawn === version) return;
      const source = this.rastered && this.map.getZoom() < DETAIL_ZOOM ? SOURCE_SETTLEMENT_RASTER : SOURCE_SETTLEMENTS;
      if (this.map.getSource(source) && this.map.isSourceLoaded(source)) {
        container.dataset.settlementsDrawn = version;
        opts.onSettlementsDrawn?.();
      }
    });

    this.map.on('click', LAYER_IDS.settlements, (e) => {
      const f = e.features?.[0];
      const index = f?.id;
      if (typeof index !== 'number' || f?.geometry.type !== 'Point') return;
      const [lon, lat] = f.geometry.coordinates;
      opts.onSettlementClick(index, lon, lat);
    });
    // Raster tiles are pictures: zoomed out in a large workspace, a click finds the settlement under the cursor itself.
    this.map.on('click', (e) => {
      if (!this.rastered || this.map.getZoom() >= DETAIL_ZOOM || !this.settlementsVisible) return;
      const hit = this.settlementAt(e.point.x, e.point.y);
      if (hit !== null) opts.onSettlementClick(hit, this.settlementColumns!.lon[hit], this.settlementColumns!.lat[hit]);
    });
    // Zooming in towards the vector coverage layers: hand them their polygons before they show.
    this.map.on('zoom', () => this.sendCoverageGeojson());
    this.map.on('mouseenter', LAYER_IDS.settlements, () => { this.map.getCanvas().style.cursor = 'pointer'; });
    this.map.on('mouseleave', LAYER_IDS.settlements, () => { this.map.getCanvas().style.cursor = ''; });
  }

  /**
   * Data for the map is on its way (coverage polygons, boundaries): until it has arrived, and been drawn, the map
   * is not settled (data-map-state stays 'loading'). Returns `request` itself.
   */
  awaitData<T>(request: Promise<T>): Promise<T> {
    this.awaited++;
    this.container.dataset.mapState = 'loading';
    const done = () => {
      this.awaited--;
      // Whatever the answer did (new data, or nothing), the next render settles the map again.
      if (this.awaited === 0) this.map.triggerRepaint();
    };
    request.then(done, done);
    return request;
  }

  whenLoaded(): Promise<void> {
    return this.loaded;
  }

  private geojson(id: string): maplibregl.GeoJSONSource | undefined {
    return this.map.getSource<maplibregl.GeoJSONSource>(id);
  }

  setBoundaries(fc: FeatureCollection): void {
    this.geojson(SOURCE_BOUNDARIES)?.setData(asGeoJSON(fc));
    this.container.dataset.mapState = 'loading';
    this.container.dataset.boundaries = String(fc.features.length);
  }

  /** New settlement columns: the tile worker cuts tiles from them, under a new tile URL so none is reused. */
  setSettlements(columns: SettlementColumns): void {
    setTileColumns(columns);
    this.settlementColumns = columns;
    this.map.getSource<maplibregl.VectorTileSource>(SOURCE_SETTLEMENTS)?.setTiles([settlementTileUrl(columns.version)]);
    this.setRastered(columns.count >= RASTER_MIN_SETTLEMENTS);
    // Marked at once: the next 'idle' is then the one after these data are drawn.
    this.container.dataset.mapState = 'loading';
    this.container.dataset.settlements = String(columns.count);
  }

  /**
   * Adds (once) a coverage layer's sources and layers, then applies `state`. Below COVERAGE_DETAIL_ZOOM the
   * polygons are raster tiles painted in the coverage worker; from there on the per-operator vector layers
   * draw them from a GeoJSON source, which gets the polygons only once the map zooms close to that.
   */
  setCoverage(layerId: number, kind: 'mobile' | 'broadband', packed: CoverageColumns, state: CoverageState): void {
    const version = ++this.coverageVersion;
    setCoverageTileData(layerId, String(version), packed);
    const sent = this.map.getZoom() >= COVERAGE_GEOJSON_ZOOM;
    const sourceId = coverageSourceId(layerId);
    const data = asGeoJSON(sent ? coverageFeatures(packed) : EMPTY_FC);
    const existing = this.geojson(sourceId);
    if (existing) { if (sent) existing.setData(data); }
    else this.map.addSource(sourceId, { type: 'geojson', data });
    this.coverageData.set(layerId, { version, packed, sent });
    if (!this.map.getLayer(LAYER_IDS.coverageRaster)) {
      // One raster layer for every coverage layer: each tile is one textured square, however many layers show.
      const at = this.map.getLayer(COVERAGE_BEFORE) ? COVERAGE_BEFORE : undefined;
      this.map.addSource(SOURCE_COVERAGE_RASTER, { type: 'raster', tiles: [coverageTileUrl([])], tileSize: COVERAGE_TILE_SIZE, maxzoom: COVERAGE_RASTER_MAX_ZOOM });
      this.map.addLayer({
        id: LAYER_IDS.coverageRaster, type: 'raster', source: SOURCE_COVERAGE_RASTER, maxzoom: COVERAGE_DETAIL_ZOOM,
        layout: { visibility: 'none' }, paint: { 'raster-fade-duration': 0 },
      }, at);
    }
    if (!this.coverage.has(layerId)) {
      // Broadband under mobile: mobile coverage is the denser, more often inspected layer.
      const before = kind === 'broadband' ? this.firstCoverageLayer('mobile') ?? COVERAGE_BEFORE : COVERAGE_BEFORE;
      const at = this.map.getLayer(before) ? before : undefined;
      const specs = coverageLayersFor(layerId, kind, { visible: (op) => state.visible(kind, op), opacity: state.opacity(kind), techs: state.techs });
      for (const spec of specs) this.map.addLayer({ ...spec, minzoom: COVERAGE_DETAIL_ZOOM }, at);
      this.coverage.set(layerId, kind);
    }
    this.container.dataset.mapState = 'loading';
    this.container.dataset.coverageLayers = String(this.coverage.size);
    this.applyCoverageState(state);
  }

  private firstCoverageLayer(kind: 'mobile' | 'broadband'): string | undefined {
    for (const [id, k] of this.coverage) if (k === kind) return coverageLayerIds(id, OPERATORS[0]).fill;
    return undefined;
  }

  /** Drops coverage layers that are no longer in the workspace. */
  retainCoverage(layerIds: ReadonlySet<number>): void {
    for (const id of [...this.coverage.keys()]) {
      if (layerIds.has(id)) continue;
      for (const op of OPERATORS) {
        const ids = coverageLayerIds(id, op);
        if (this.map.getLayer(ids.fill)) this.map.removeLayer(ids.fill);
        if (this.map.getLayer(ids.line)) this.map.removeLayer(ids.line);
      }
      if (this.map.getSource(coverageSourceId(id))) this.map.removeSource(coverageSourceId(id));
      dropCoverageTileData(id);
      this.coverage.delete(id);
      this.coverageData.delete(id);
    }
    this.container.dataset.coverageLayers = String(this.coverage.size);
    this.setCoverageRaster(this.lastCoverageState);
  }

  /** The coverage raster tiles of what `state` shows: the layers in the vector layers' order (broadband first). */
  private setCoverageRaster(state: CoverageState | null): void {
    const parts: CoveragePart[] = [];
    for (const kind of ['broadband', 'mobile'] as const) {
      for (const [layerId, k] of this.coverage) {
        const data = this.coverageData.get(layerId);
        const operators = OPERATORS.filter((op) => state?.visible(kind, op));
        // No tiles asked for (nor painted) while nothing of a layer would show.
        if (k !== kind || !data || !state || data.packed.operator.length === 0 || operators.length === 0) continue;
        const look = coverageLookKey({ kind, operators, opacity: state.opacity(kind), techs: kind === 'mobile' ? state.techs : [] });
        parts.push({ layerId, version: String(data.version), look });
      }
    }
    const url = parts.length > 0 ? coverageTileUrl(parts) : '';
    if (url === this.coverageUrl || !this.map.getLayer(LAYER_IDS.coverageRaster)) return;
    setCoverageTileParts(parts);
    this.map.setLayoutProperty(LAYER_IDS.coverageRaster, 'visibility', url ? 'visible' : 'none');
    if (url) this.map.getSource<maplibregl.RasterTileSource>(SOURCE_COVERAGE_RASTER)?.setTiles([url]);
    this.coverageUrl = url;
    // New tiles are painted off the UI thread: the map is not settled until they are drawn (the next 'idle').
    this.container.dataset.mapState = 'loading';
  }

  applyCoverageState(state: CoverageState): void {
    this.lastCoverageState = state;
    this.setCoverageRaster(state);
    for (const [layerId, kind] of this.coverage) {
      const opacity = state.opacity(kind);
      for (const op of OPERATORS) {
        const ids = coverageLayerIds(layerId, op);
        const vis = state.visible(kind, op) ? 'visible' : 'none';
        this.map.setLayoutProperty(ids.fill, 'visibility', vis);
        this.map.setLayoutProperty(ids.line, 'visibility', vis);
        this.map.setPaintProperty(ids.fill, 'fill-opacity', opacity);
        this.map.setPaintProperty(ids.line, 'line-opacity', Math.min(1, opacity * 2.5));
      }
    }
  }

  /** Near COVERAGE_DETAIL_ZOOM: the GeoJSON sources get the polygons they have not had yet. */
  private sendCoverageGeojson(): void {
    if (this.map.getZoom() < COVERAGE_GEOJSON_ZOOM) return;
    for (const [layerId, data] of this.coverageData) {
      if (data.sent) continue;
      this.geojson(coverageSourceId(layerId))?.setData(asGeoJSON(coverageFeatures(data.packed)));
      data.sent = true;
    }
  }

  /** Large workspaces: painted raster tiles below DETAIL_ZOOM, the vector layers from there on. */
  private setRastered(on: boolean): void {
    const url = this.settlementColumns ? settlementRasterUrl(this.settlementColumns.version, filtersKey(this.filters)) : null;
    if (on && url) {
      const source = this.map.getSource<maplibregl.RasterTileSource>(SOURCE_SETTLEMENT_RASTER);
      if (source) {
        // Same tiles: nothing to repaint. New ones are painted in the worker: the map settles once they are drawn.
        if (source.tiles?.[0] !== url) {
          source.setTiles([url]);
          this.container.dataset.mapState = 'loading';
        }
      } else {
        this.map.addSource(SOURCE_SETTLEMENT_RASTER, { type: 'raster', tiles: [url], tileSize: 512, maxzoom: RASTER_MAX_ZOOM });
        this.map.addLayer({
          id: LAYER_IDS.settlementRaster, type: 'raster', source: SOURCE_SETTLEMENT_RASTER, maxzoom: DETAIL_ZOOM,
          layout: { visibility: this.settlementsVisible ? 'visible' : 'none' },
          paint: { 'raster-fade-duration': 0 },
        }, LAYER_IDS.settlements);
      }
    } else if (!on && this.map.getLayer(LAYER_IDS.settlementRaster)) {
      this.map.removeLayer(LAYER_IDS.settlementRaster);
      this.map.removeSource(SOURCE_SETTLEMENT_RASTER);
    }
    if (on !== this.rastered) for (const id of RASTERED_LAYERS) this.map.setLayerZoomRange(id, on ? DETAIL_ZOOM : 0, 24);
    this.rastered = on;
  }

  /** The topmost drawn settlement whose circle covers screen point (x, y), or null (raster mode's clicks). */
  private settlementAt(x: number, y: number): number | null {
    const c = this.settlementColumns;
    if (!c) return null;
    const keep = rowFilter(c, this.filters);
    const zoom = this.map.getZoom();
    const at = this.map.unproject([x, y]);
    // Degrees per pixel here, to test distances without projecting every settlement.
    const east = this.map.unproject([x + 1, y]);
    const lonPx = Math.abs(east.lng - at.lng);
    const latPx = lonPx * Math.cos((at.lat * Math.PI) / 180);
    let best: number | null = null;
    for (let i = 0; i < c.count; i++) {
      const dx = (c.lon[i] - at.lng) / lonPx, dy = (c.lat[i] - at.lat) / latPx;
      const r = circleRadius(zoom, c.households[i]) + 1;
      // Later rows are drawn on top: the last hit wins.
      if (dx * dx + dy * dy <= r * r && keep(i)) best = i;
    }
    return best;
  }

  setFilters(filters: Filters): void {
    this.filters = filters;
    if (this.rastered) this.setRastered(true);
    const base = filterExpression(filters);
    this.map.setFilter(LAYER_IDS.settlements, base);
    this.map.setFilter(LAYER_IDS.settlementLabel, base);
    this.map.setFilter(LAYER_IDS.listedRing, listedFilter(filters));
    this.map.setFilter(LAYER_IDS.seat, seatFilter(filters));
    this.map.setPaintProperty(LAYER_IDS.settlements, 'circle-color', statusColorExpression(filters.operator));
  }

  setGroupVisible(group: 'settlements' | 'boundaries', visible: boolean): void {
    if (group === 'settlements') this.settlementsVisible = visible;
    const ids = group === 'settlements' ? SETTLEMENT_LAYERS : BOUNDARY_LAYERS;
    for (const id of ids) if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  }

  /** Switches the opt-in online basemap on or off without touching the data layers. */
  setOnlineBasemap(online: Settings['onlineBasemap']): void {
    const next = onlineTileUrls(online);
    const prev = onlineTileUrls(this.onlineBasemap);
    this.onlineBasemap = online;
    if (next.join('\n') === prev.join('\n')) return;
    if (this.map.getLayer(LAYER_IDS.online)) this.map.removeLayer(LAYER_IDS.online);
    if (this.map.getSource(SOURCE_ONLINE)) this.map.removeSource(SOURCE_ONLINE);
    if (next.length > 0) {
      this.map.addSource(SOURCE_ONLINE, { type: 'raster', tiles: next, tileSize: 256, attribution: online.provider === 'tianditu' ? '© 天地图' : '' });
      this.map.addLayer({ id: LAYER_IDS.online, type: 'raster', source: SOURCE_ONLINE }, LAYER_IDS.countyFill);
    }
    // Over real tiles the county tint would hide the basemap.
    this.map.setLayoutProperty(LAYER_IDS.countyFill, 'visibility', next.length > 0 ? 'none' : 'visible');
  }

  /** Whether the map was created showing `b` (AtlasMapOptions.initialBbox). */
  startedAt(b: Bbox): boolean {
    const a = this.initialBbox;
    return a !== null && a.every((v, i) => v === b[i]);
  }

  /** The bounds and fit options that show `b`. */
  private fitFor(b: Bbox): { bounds: maplibregl.LngLatBoundsLike; options: { padding: maplibregl.PaddingOptions; maxZoom: number } } {
    const pad = b[0] === b[2] && b[1] === b[3] ? 0.02 : 0;
    // The layer panel covers the map's left edge: keep the data clear of it when there is room.
    const left = this.container.clientWidth > 700 ? 260 : 40;
    return {
      bounds: [[b[0] - pad, b[1] - pad], [b[2] + pad, b[3] + pad]],
      options: { padding: { top: 40, bottom: 40, right: 60, left }, maxZoom: 13 },
    };
  }

  fitBbox(b: Bbox, animate = true): void {
    const { bounds, options: fit } = this.fitFor(b);
    // Where the flight ends is known now: data for that view (coverage of a county) is asked for meanwhile, not
    // after it. The view reported when the map stops lies within what was asked for, grown by its margin.
    const target = animate ? this.map.cameraForBounds(bounds, fit) : undefined;
    this.map.fitBounds(bounds, { ...fit, duration: animate ? 600 : 0 });
    if (target?.center !== undefined && target.zoom !== undefined) this.onViewChange?.(this.viewAt(target.center, target.zoom), target.zoom);
  }

  /** The bounds the map will show centred on `center` at `zoom` (north up, no pitch, as this map always is). */
  private viewAt(center: maplibregl.LngLatLike, zoom: number): Bbox {
    const c = maplibregl.MercatorCoordinate.fromLngLat(center);
    const world = 512 * 2 ** zoom;
    const dx = this.container.clientWidth / world / 2, dy = this.container.clientHeight / world / 2;
    const sw = new maplibregl.MercatorCoordinate(c.x - dx, c.y + dy).toLngLat();
    const ne = new maplibregl.MercatorCoordinate(c.x + dx, c.y - dy).toLngLat();
    return [sw.lng, sw.lat, ne.lng, ne.lat];
  }

  /** Jumps (no animation when `animate` is false, for tests and large jumps) to a point. */
  /**
   * The what-if layer (规划方案): planned tower and fiber areas hatched in violet with a dashed outline, and a
   * numbered marker per build, above the real coverage so a plan never reads as existing coverage. Null clears it.
   */
  setScenario(fc: FeatureCollection | null): void {
    const data = asGeoJSON(fc ?? { type: 'FeatureCollection', features: [] });
    const existing = this.geojson(SOURCE_SCENARIO);
    if (existing) existing.setData(data);
    else {
      this.map.addSource(SOURCE_SCENARIO, { type: 'geojson', data });
      const area: FilterSpecification = ['==', ['get', 'part'], 'area'];
      const site: FilterSpecification = ['==', ['get', 'part'], 'site'];
      const before = this.map.getLayer(LAYER_IDS.settlements) ? LAYER_IDS.settlements : undefined;
      this.map.addLayer({ id: SCENARIO_LAYERS.fill, type: 'fill', source: SOURCE_SCENARIO, filter: area,
        paint: { 'fill-color': ['match', ['get', 'kind'], 'tower', '#7b3fe4', '#d946ef'], 'fill-opacity': 0.22 } }, before);
      this.map.addLayer({ id: SCENARIO_LAYERS.line, type: 'line', source: SOURCE_SCENARIO, filter: area,
        paint: { 'line-color': ['match', ['get', 'kind'], 'tower', '#5b21b6', '#a21caf'], 'line-width': 1.6, 'line-dasharray': [3, 2] } }, before);
      this.map.addLayer({ id: SCENARIO_LAYERS.site, type: 'circle', source: SOURCE_SCENARIO, filter: site,
        paint: { 'circle-radius': 6, 'circle-color': '#ffffff', 'circle-stroke-color': ['match', ['get', 'kind'], 'tower', '#5b21b6', '#a21caf'], 'circle-stroke-width': 2.5 } });
      this.map.addLayer({ id: SCENARIO_LAYERS.label, type: 'symbol', source: SOURCE_SCENARIO, filter: site,
        layout: { 'text-field': ['to-string', ['get', 'order']], 'text-size': 10, 'text-font': FONT_STACK, 'text-allow-overlap': true },
        paint: { 'text-color': '#3b0764' } });
    }
    this.container.dataset.mapState = 'loading';
    this.container.dataset.scenario = String(fc ? fc.features.filter((f) => f.properties?.part === 'site').length : 0);
  }

  flyTo(lon: number, lat: number, zoom = 13, animate = true): void {
    if (animate) this.map.flyTo({ center: [lon, lat], zoom, duration: 900 });
    else this.map.jumpTo({ center: [lon, lat], zoom });
  }

  showPopup(lon: number, lat: number, content: HTMLElement): void {
    this.popup?.remove();
    this.popup = new maplibregl.Popup({ maxWidth: '320px', closeOnClick: true }).setLngLat([lon, lat]).setDOMContent(content).addTo(this.map);
  }

  closePopup(): void {
    this.popup?.remove();
    this.popup = null;
  }

  destroy(): void {
    this.popup?.remove();
    this.map.remove();
  }
}
