// Smooth map mode, the decisions: which WebGL renderers draw in software, and when the map lowers its resolution
// while it moves (motion-resolution.ts applies them to the map). Pure: unit-tested without a DOM.
import type { Settings } from '../../api/contract';

export type SmoothMap = Settings['smoothMap'];

/** The share of the device pixel ratio the map draws at while it moves. */
export const MOTION_RESOLUTION = 0.5;

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render driver/i;

/** True when a WebGL renderer string names a software rasterizer (SwiftShader, Mesa's llvmpipe, Microsoft's WARP). */
export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERERS.test(renderer);
}

/** Whether the map should draw at reduced resolution while it moves. */
export function lowersWhileMoving(mode: SmoothMap, softwareRenderer: boolean): boolean {
  return mode === 'always' || (mode === 'auto' && softwareRenderer);
}
