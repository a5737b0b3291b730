// Browser mode: the built renderer and the AtlasApi on http://127.0.0.1:PORT, for this machine only.
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import type { AtlasApi, Settings } from '../api/contract';
import { resolveAsset } from './assets';
import { buildCsp } from './csp';
import { BASE_HEADERS, HttpError, sendError } from './http-util';
import { handleApi, type ApiContext } from './routes';
import { DownloadStore } from './downloads';
import { UploadStore } from './uploads';

export const DEFAULT_PORT = 5917;
/** Loopback only: browser mode is never reachable from another machine. */
export const BIND_ADDRESS = '127.0.0.1';

export interface ServerOptions {
  api: AtlasApi;
  /** The built renderer (vite's dist/renderer). */
  assetsDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Folder openWorkspace/newWorkspace may use over HTTP; default: the current workspace's folder. */
  workspaceDir?: string;
  /** Largest JSON request body; default 1 MiB. */
  jsonLimit?: number;
  /** Largest uploaded file; default 1 GiB. */
  uploadLimit?: number;
  /** Parent of the private upload folder; default the OS temp dir. */
  uploadParent?: string;
  /** Parent of the private export (download) folder; default the OS temp dir. */
  downloadParent?: string;
  /** Where to log server-side failures (with stacks, which never reach the browser). */
  log?: (message: string) => void;
}

export interface AtlasServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Host header values we answer to; anything else is a DNS-rebinding attempt or a misdirected request. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** Same check for Origin, when the browser sends one. */
export function allowedOrigins(port: number): string[] {
  return allowedHosts(port).map((h) => `http://${h}`);
}

function checkCaller(req: IncomingMessage, port: number, isApi: boolean): void {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!allowedHosts(port).includes(host)) throw new HttpError(403, `Forbidden: Host "${host.slice(0, 100)}" is not this server`);
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins(port).includes(origin.toLowerCase())) {
    throw new HttpError(403, `Forbidden: cross-origin request from "${origin.slice(0, 100)}"`);
  }
  const site = req.headers['sec-fetch-site'];
  if (isApi && site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new HttpError(403, `Forbidden: API call from a ${site} page`);
  }
}

async function serveAsset(req: IncomingMessage, res: ServerResponse, options: ServerOptions, path: string, csp: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    throw new HttpError(405, 'Static files accept GET and HEAD only');
  }
  const found = await resolveAsset(options.assetsDir, path);
  if (!found.ok) throw new HttpError(found.status, found.status === 403 ? 'Forbidden path' : 'Not found');
  res.writeHead(200, {
    ...BASE_HEADERS,
    'Content-Type': found.type,
    'Content-Length': found.size,
    // On every file, not only the HTML: a worker script's own response sets the worker's policy.
    'Content-Security-Policy': csp,
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolveDone, reject) => {
    const stream = createReadStream(found.file);
    stream.on('error', reject);
    res.on('close', () => {
      stream.destroy();
      resolveDone();
    });
    stream.pipe(res);
  });
}

export async function startServer(options: ServerOptions): Promise<AtlasServer> {
  const log = options.log ?? ((m: string) => console.error(m));
  const uploads = await UploadStore.create(options.uploadParent);
  const downloads = await DownloadStore.create(options.downloadParent);
  const workspaceDir = options.workspaceDir ?? dirname((await options.api.workspace()).path);
  // Kept here rather than asked per file: the back end answers calls in order, and a page's assets
  // must not wait behind a long analysis. Every settings change passes through this server.
  let csp = buildCsp();
  const refreshCsp = async (settings?: Settings) => {
    try {
      csp = buildCsp((settings ?? (await options.api.settings())).onlineBasemap);
    } catch (err) {
      csp = buildCsp();
      log(`Coverage Atlas: settings unreadable, strict CSP kept: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  await refreshCsp();
  const ctx: ApiContext = {
    onSettingsChanged: (settings) => void refreshCsp(settings),
    api: options.api,
    uploads,
    downloads,
    workspaceDir,
    jsonLimit: options.jsonLimit ?? 1024 * 1024,
    uploadLimit: options.uploadLimit ?? 1024 ** 3,
  };
  let port = 0;

  const server = createServer((req, res) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const isApi = path.startsWith('/api/');
    const work = (async () => {
      checkCaller(req, port, isApi);
      if (isApi) await handleApi(req, res, ctx, path.slice('/api/'.length), query);
      else await serveAsset(req, res, options, path, csp);
    })();
    work.catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!(err instanceof HttpError)) log(`Coverage Atlas server error on ${req.method} ${path}: ${err instanceof Error ? err.stack : String(err)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // The request body may still be arriving (413, 403): close rather than read it all.
      if (!req.complete) res.setHeader('Connection', 'close');
      const message = err instanceof HttpError ? err.message : 'Internal server error 服务器内部错误';
      if (isApi) sendError(res, status, message);
      else {
        res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(message);
      }
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, BIND_ADDRESS, () => {
      server.off('error', reject);
      resolveListen();
    });
  }).catch(async (err) => {
    await uploads.close();
    await downloads.close();
    throw err;
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${BIND_ADDRESS}:${port}/`,
    port,
    async close() {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await uploads.close();
      await downloads.close();
    },
  };
}
