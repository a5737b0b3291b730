// Safe mapping of a request path onto a file of the built renderer, shared by the HTTP server and the
// Electron app:// protocol. Anything that could name a file outside the assets folder is refused.
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

export type AssetLookup =
  | { ok: true; file: string; type: string; size: number }
  | { ok: false; status: 403 | 404; reason: string };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  // maplibre-gl's worker is an ES module file; browsers refuse module workers with another type.
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.geojson': 'application/geo+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.pbf': 'application/x-protobuf',
  '.wasm': 'application/wasm',
};

/** Content-Type for a file name; unknown kinds are opaque bytes (and nosniff keeps them so). */
export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

const refuse = (reason: string): AssetLookup => ({ ok: false, status: 403, reason });
const missing = (reason: string): AssetLookup => ({ ok: false, status: 404, reason });

/**
 * Splits a raw request path (`/assets/index-abc.js`, still percent-encoded, query removed) into decoded
 * segments, or explains why it is refused. Pure: tests call it directly.
 */
export function assetSegments(rawPath: string): { ok: true; segments: string[] } | { ok: false; reason: string } {
  if (!rawPath.startsWith('/')) return { ok: false, reason: 'path must start with /' };
  // Backslashes are separators on Windows; refuse them raw or encoded rather than guess.
  if (rawPath.includes('\\') || /%5c/i.test(rawPath)) return { ok: false, reason: 'backslash in path' };
  if (rawPath === '/') return { ok: true, segments: ['index.html'] };
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { ok: false, reason: 'malformed percent-encoding' };
    }
    if (seg === '') return { ok: false, reason: 'empty path segment' };
    if (seg === '.' || seg === '..') return { ok: false, reason: 'dot segment' };
    if (/[/\\\0:]/.test(seg)) return { ok: false, reason: 'separator, NUL or drive colon inside a segment' };
    segments.push(seg);
  }
  return { ok: true, segments };
}

/** Resolves a request path inside `root`, following symlinks only when they stay inside it. */
export async function resolveAsset(root: string, rawPath: string): Promise<AssetLookup> {
  const parsed = assetSegments(rawPath);
  if (!parsed.ok) return refuse(parsed.reason);
  if (parsed.segments.some((s) => s.startsWith('.'))) return missing('hidden file');
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(join(realRoot, ...parsed.segments));
  } catch {
    return missing('no such file');
  }
  if (!real.startsWith(realRoot + sep)) return refuse('resolves outside the assets folder');
  const info = await stat(real);
  if (!info.isFile()) return missing('not a file');
  return { ok: true, file: real, type: contentType(real), size: info.size };
}
