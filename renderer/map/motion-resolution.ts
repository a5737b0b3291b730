// Smooth map mode: while the map moves, it draws at half resolution, and at full resolution again once it has
// settled. Meant for computers without a usable GPU (remote desktops, virtual machines, old office PCs), where Chromium
// draws WebGL in software and every frame costs in proportion to its pixels: a quarter of them keeps panning and
// zooming at 30–60 frames a second instead of 15–20 (measured: bench/browser.ts).
import type * as maplibregl from 'maplibre-gl';
import { isSoftwareRenderer, lowersWhileMoving, MOTION_RESOLUTION, type SmoothMap } from './smooth-map';

/** The renderer behind a WebGL context, unmasked where the browser allows it. */
export function webglRenderer(gl: WebGLRenderingContext | WebGL2RenderingContext): string {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name: unknown = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  return typeof name === 'string' ? name : '';
}

/**
 * Lowers `map`'s drawing resolution on movestart and restores it on idle. The map's public setPixelRatio() would stop
 * a drag in progress (its resize() stops the camera when no animation runs), so the override is set and the canvas
 * resized the way maplibre's own window-resize handling does, without the events.
 *
 * Restored on idle rather than moveend: after a move the tiles it uncovered still arrive and each one repaints the
 * map, which cost a full-resolution frame apiece; at idle everything is drawn, so the sharp picture is one frame. For
 * the same reason labels are placed without maplibre's 300 ms fade while the mode is on: the fade repaints the whole
 * map on every frame until it ends, and it starts again whenever a move changes which labels fit.
 */
export class MotionResolution {
  readonly renderer: string;
  readonly software: boolean;
  private mode: SmoothMap;
  private lowered = false;
  /** The pixel-ratio override in place before lowering (undefined: the device's). */
  private saved: number | null | undefined;
  /** The map's label fade duration, ms, for when the mode is off. */
  private readonly fade: number;

  constructor(private readonly map: maplibregl.Map, private readonly container: HTMLElement, mode: SmoothMap) {
    const canvas = map.getCanvas();
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    this.renderer = gl ? webglRenderer(gl) : '';
    this.software = isSoftwareRenderer(this.renderer);
    this.mode = mode;
    this.fade = map._fadeDuration;
    this.applyFade();
    container.dataset.mapRenderer = this.software ? 'software' : 'hardware';
    map.on('movestart', () => {
      container.dataset.mapMoving = 'true';
      if (lowersWhileMoving(this.mode, this.software)) this.lower();
    });
    map.on('moveend', () => delete container.dataset.mapMoving);
    // 'idle' is never fired while anything moves or loads. It also ends a movestart left without its moveend (a drag
    // released over a popup can do that).
    map.on('idle', () => {
      delete container.dataset.mapMoving;
      this.restore();
    });
  }

  setMode(mode: SmoothMap): void {
    this.mode = mode;
    this.applyFade();
    if (!lowersWhileMoving(mode, this.software)) this.restore();
  }

  private applyFade(): void {
    this.map._fadeDuration = lowersWhileMoving(this.mode, this.software) ? 0 : this.fade;
    this.container.dataset.mapLabelFade = String(this.map._fadeDuration);
  }

  private lower(): void {
    if (this.lowered) return;
    this.saved = this.map._overridePixelRatio;
    this.lowered = true;
    this.apply((this.saved ?? window.devicePixelRatio) * MOTION_RESOLUTION);
  }

  private restore(): void {
    if (!this.lowered) return;
    this.lowered = false;
    this.apply(this.saved);
  }

  private apply(ratio: number | null | undefined): void {
    this.map._overridePixelRatio = ratio;
    this.map._resizeInternal();
    this.map.triggerRepaint();
    this.container.dataset.mapResolution = String(this.map.getPixelRatio());
  }
}
