// Content-Security-Policy shared by browser mode (HTTP) and the Electron app:// protocol.
// The online basemap is opt-in, so its tile host is added only when the user enabled it.
import type { Settings } from '../api/contract';

type OnlineBasemap = Settings['onlineBasemap'];

/** 天地图 serves tiles from t0…t7.tianditu.gov.cn. */
const TIANDITU_SOURCE = 'https://*.tianditu.gov.cn';

/**
 * The origin of a custom tile URL template (`https://tiles.example.cn/{z}/{x}/{y}.png`) as a CSP source,
 * or null when it is not a plain https origin (we never widen the policy for anything else).
 */
export function tileTemplateOrigin(template: string): string | null {
  const concrete = template.replace(/\{[^}]*\}/g, '0');
  let url: URL;
  try {
    url = new URL(concrete);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return null;
  // Only a host name (and port): nothing that could inject another CSP token.
  if (!/^[a-z0-9.-]+(:\d+)?$/i.test(url.host)) return null;
  return `https://${url.host.toLowerCase()}`;
}

/** Extra sources for the opt-in online basemap, or none when it is off or misconfigured. */
export function onlineTileSources(basemap: OnlineBasemap | null | undefined): string[] {
  if (!basemap || !basemap.enabled) return [];
  if (basemap.provider === 'tianditu') return [TIANDITU_SOURCE];
  const origin = tileTemplateOrigin(basemap.urlTemplate);
  return origin ? [origin] : [];
}

/**
 * The policy string. `self` is the page's own origin (http://127.0.0.1:PORT or app://atlas), so no
 * scheme needs naming. No 'unsafe-eval' and no inline scripts anywhere.
 */
export function buildCsp(basemap?: OnlineBasemap | null): string {
  const tiles = onlineTileSources(basemap);
  const extra = tiles.length ? ' ' + tiles.join(' ') : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${extra}`,
    "worker-src 'self' blob:",
    `connect-src 'self'${extra}`,
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
