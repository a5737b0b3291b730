// Which coverage data to fetch for the current view. Small layers are fetched whole, once; large ones
// (a city-wide 4G layer can hold 100,000+ polygons, tens of MB even as binary columns) only for the area in view
// once zoomed in, and only with the detail the view can show, so the page never receives and uploads whole layers
// or vertices it cannot usefully draw.
import { displayTolerance } from '../../api/columns';
import type { Bbox } from '../../api/contract';

/** Layers up to this many features are fetched whole. */
export const FULL_LOAD_LIMIT = 15_000;
/** Below this zoom large layers are not drawn (they would cover everything anyway). */
export const VIEWPORT_MIN_ZOOM = 9;
/** A fetched area is the view grown by this factor on each side, so small pans need no new request. */
export const VIEWPORT_MARGIN = 0.5;

export interface MapView {
  bbox: Bbox;
  zoom: number;
}

/** What is in the map's source for a layer now; an area's geometry is detailed enough up to zoom `detail`. */
export type Loaded = { kind: 'full' } | { kind: 'area'; bbox: Bbox; detail: number } | { kind: 'empty' } | null;

export type CoverageStep =
  | { kind: 'none' }
  | { kind: 'full' }
  | { kind: 'area'; bbox: Bbox; detail: number; tolerance: number }
  | { kind: 'clear' };

/**
 * The zoom an area is fetched in detail for: the next whole zoom, since raster tiles of the rounded zoom are drawn
 * and a small zoom in should not ask again. From COVERAGE_EXACT_ZOOM on, the geometry is exact.
 */
export function detailZoom(zoom: number): number {
  return Math.floor(zoom) + 1;
}

/** From this detail zoom on, areas are fetched with their exact geometry (a quarter pixel is then ~0.3 m). */
export const COVERAGE_EXACT_ZOOM = 16;

export function bboxContains(outer: Bbox, inner: Bbox): boolean {
  return inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3];
}

export function expandBbox(b: Bbox, factor: number): Bbox {
  const dx = (b[2] - b[0]) * factor;
  const dy = (b[3] - b[1]) * factor;
  return [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy];
}

export function isLargeLayer(featureCount: number): boolean {
  return featureCount > FULL_LOAD_LIMIT;
}

/**
 * The next step for one coverage layer. Hidden layers are left as they are (fetched lazily when first
 * shown); a large layer is cleared when zoomed out and refetched when the view leaves the fetched area or is
 * zoomed in past the fetched detail.
 */
export function coverageStep(featureCount: number, visible: boolean, view: MapView | null, loaded: Loaded): CoverageStep {
  if (!visible) return { kind: 'none' };
  if (!isLargeLayer(featureCount)) return loaded?.kind === 'full' ? { kind: 'none' } : { kind: 'full' };
  if (!view) return { kind: 'none' };
  if (view.zoom < VIEWPORT_MIN_ZOOM) return loaded?.kind === 'empty' ? { kind: 'none' } : { kind: 'clear' };
  const detail = Math.min(COVERAGE_EXACT_ZOOM, detailZoom(view.zoom));
  if (loaded?.kind === 'area' && bboxContains(loaded.bbox, view.bbox) && loaded.detail >= detail) return { kind: 'none' };
  const tolerance = detail >= COVERAGE_EXACT_ZOOM ? 0 : displayTolerance(detail);
  return { kind: 'area', bbox: expandBbox(view.bbox, VIEWPORT_MARGIN), detail, tolerance };
}
