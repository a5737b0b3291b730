// SVG → PNG through Chromium (playwright-core): Chromium already resolves system CJK fonts, antialiases and
// handles 300 dpi A3 (4961 × 3508 px); it is on this machine (/usr/bin/chromium) and on every user's machine
// inside Electron, whereas a pure-JS rasteriser would need its own font shaping for Chinese text.
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** ATLAS_CHROMIUM, then the usual Linux paths. */
export function findChromium(): string {
  const env = process.env.ATLAS_CHROMIUM;
  if (env) {
    if (!existsSync(env)) throw new Error(`ATLAS_CHROMIUM: ${env} does not exist; expected the path of a Chromium or Chrome executable`);
    return env;
  }
  const hit = CANDIDATES.find((p) => existsSync(p));
  if (!hit) throw new Error(`no Chromium found (tried ${CANDIDATES.join(', ')}); set ATLAS_CHROMIUM to a Chromium or Chrome executable`);
  return hit;
}

/** Renders an SVG of `width` × `height` points at `dpi` (72..300). */
export async function svgToPng(svg: string, width: number, height: number, dpi: number): Promise<Buffer> {
  if (!(dpi >= 72 && dpi <= 300)) throw new RangeError(`dpi: found ${dpi}; expected 72..300`);
  // Loaded on first use: bundles keep externals' static imports at their top, and playwright-core alone cost the
  // app's worker ~0.4 s at every start.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: findChromium(), args: ['--enable-unsafe-swiftshader', '--disable-gpu'] });
  try {
    // The SVG is drawn straight at the output size (CSS overrides its width/height in pt) with a device scale
    // of 1: fractional device-scale factors would round the image a pixel or two off the paper size.
    const px = Math.round((width * dpi) / 72);
    const py = Math.round((height * dpi) / 72);
    const page = await browser.newPage({ viewport: { width: px, height: py }, deviceScaleFactor: 1 });
    await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0;background:#fff}` +
      `svg{display:block;width:${px}px;height:${py}px}</style></head><body>${svg}</body></html>`);
    await page.evaluate('document.fonts.ready');
    return await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: px, height: py } });
  } finally {
    await browser.close();
  }
}
