// Smooth map mode: while the map moves, it draws at half resolution, and at full resolution again once it stops.
// Meant for computers without a usable GPU (remote desktops, virtual machines, old office PCs), where Chromium
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
 * Switches `map`'s drawing resolution on its movestart/moveend. The map's public setPixelRatio() would stop a drag
 * in progress (its resize() stops the camera when no animation runs), so the override is set and the canvas resized
 * the way maplibre's own window-resize handling does, without the events.
 */
export class MotionResolution {
  readonly renderer: string;
  readonly software: boolean;
  private mode: SmoothMap;
  private lowered = false;
  /** The pixel-ratio override in place before lowering (undefined: the device's). */
  private saved: number | null | undefined;

  constructor(private readonly map: maplibregl.Map, private readonly container: HTMLElement, mode: SmoothMap) {
    const canvas = map.getCanvas();
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    this.renderer = gl ? webglRenderer(gl) : '';
    this.software = isSoftwareRenderer(this.renderer);
    this.mode = mode;
    container.dataset.mapRenderer = this.software ? 'software' : 'hardware';
    map.on('movestart', () => {
      container.dataset.mapMoving = 'true';
      if (lowersWhileMoving(this.mode, this.software)) this.lower();
    });
    const still = () => {
      delete container.dataset.mapMoving;
      this.restore();
    };
    map.on('moveend', still);
    // A drag released over a popup can leave maplibre's movestart without its moveend; 'idle' is never fired while
    // anything moves, so the map is sharp again at the latest then.
    map.on('idle', still);
  }

  setMode(mode: SmoothMap): void {
    this.mode = mode;
    if (!lowersWhileMoving(mode, this.software)) this.restore();
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
