// The app:// protocol handler: serves the built renderer with the same path rules as browser mode and
// the CSP on every response. Uses only web-standard Request/Response, so tests run it under Node.
import { readFile } from 'node:fs/promises';
import { resolveAsset } from '../server/assets';
import { BASE_HEADERS } from '../server/http-util';
import { APP_HOST, APP_SCHEME } from './security';

export async function handleAppRequest(request: Request, assetsDir: string, csp: () => string): Promise<Response> {
  const text = (status: number, body: string) =>
    new Response(body, { status, headers: { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return text(400, 'Bad URL');
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return text(404, 'Not found');
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'GET and HEAD only');
  // The raw path: the URL parser already removed plain dot segments; encoded ones are refused here.
  const found = await resolveAsset(assetsDir, url.pathname);
  if (!found.ok) return text(found.status, found.status === 403 ? 'Forbidden path' : 'Not found');
  const headers = {
    ...BASE_HEADERS,
    'Content-Type': found.type,
    'Content-Security-Policy': csp(),
    'Cache-Control': 'no-cache',
  };
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
  return new Response(await readFile(found.file), { status: 200, headers });
}
