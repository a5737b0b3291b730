// Which coverage data to fetch for the current view. Small layers are fetched whole, once; large ones
// (a city-wide 4G layer can hold 100,000+ polygons, tens of MB even as binary columns) only for the area in view
// once zoomed in, so the page never receives and uploads whole layers it cannot usefully show.
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

/** What is in the map's source for a layer now. */
export type Loaded = { kind: 'full' } | { kind: 'area'; bbox: Bbox } | { kind: 'empty' } | null;

export type CoverageStep =
  | { kind: 'none' }
  | { kind: 'full' }
  | { kind: 'area'; bbox: Bbox }
  | { kind: 'clear' };

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
 * shown); a large layer is cleared when zoomed out and refetched when the view leaves the fetched area.
 */
export function coverageStep(featureCount: number, visible: boolean, view: MapView | null, loaded: Loaded): CoverageStep {
  if (!visible) return { kind: 'none' };
  if (!isLargeLayer(featureCount)) return loaded?.kind === 'full' ? { kind: 'none' } : { kind: 'full' };
  if (!view) return { kind: 'none' };
  if (view.zoom < VIEWPORT_MIN_ZOOM) return loaded?.kind === 'empty' ? { kind: 'none' } : { kind: 'clear' };
  if (loaded?.kind === 'area' && bboxContains(loaded.bbox, view.bbox)) return { kind: 'none' };
  return { kind: 'area', bbox: expandBbox(view.bbox, VIEWPORT_MARGIN) };
}
