// SVG → PNG through Chromium (playwright-core): Chromium already resolves system CJK fonts, antialiases and
// handles 300 dpi A3 (4961 × 3508 px); it is on this machine (/usr/bin/chromium) and on every user's machine
// inside Electron, whereas a pure-JS rasteriser would need its own font shaping for Chinese text.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

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
  const browser = await chromium.launch({ executablePath: findChromium(), args: ['--enable-unsafe-swiftshader', '--disable-gpu'] });
  try {
    // CSS pixels are 1/96 inch; the SVG is sized in points (1/72): scale so that one point is dpi/72 device pixels.
    const cssW = Math.ceil((width * 96) / 72);
    const cssH = Math.ceil((height * 96) / 72);
    const page = await browser.newPage({ viewport: { width: cssW, height: cssH }, deviceScaleFactor: dpi / 96 });
    await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0;background:#fff}svg{display:block}</style></head><body>${svg}</body></html>`);
    await page.evaluate('document.fonts.ready');
    return await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: cssW, height: cssH } });
  } finally {
    await browser.close();
  }
}
