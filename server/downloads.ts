// Files the back end exported for the browser (reports, maps, scenarios, the ledger). The service writes
// into a private 0700 folder under a name the server chooses; the page gets only an unguessable token and
// fetches GET /api/download/<token>. The URL never names a path: tokens map to files, nothing else is served.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { BASE_HEADERS, HttpError } from './http-util';

export interface Download {
  token: string;
  /** Where the back end must write the file (inside the store's folder). */
  path: string;
  /** The name offered to the user (Content-Disposition). */
  fileName: string;
}

const TOKEN_RE = /^[0-9a-f]{64}$/;

const TYPES: Record<string, string> = {
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.zip': 'application/zip',
  '.geojson': 'application/geo+json',
  '.gpkg': 'application/geopackage+sqlite3',
};

/** `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987), safe for Chinese names. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\;]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export class DownloadStore {
  private readonly files = new Map<string, Download>();
  private constructor(readonly dir: string) {}

  static async create(parent: string = tmpdir()): Promise<DownloadStore> {
    const dir = await mkdtemp(join(parent, 'coverage-atlas-export-'));
    await chmod(dir, 0o700);
    return new DownloadStore(dir);
  }

  /** A fresh token and the path to write; the file's name on disk is the token (the user's name is only a header). */
  reserve(fileName: string): Download {
    const token = randomBytes(32).toString('hex');
    const ext = extname(fileName).toLowerCase().replace(/[^.a-z0-9]/g, '');
    const d = { token, path: join(this.dir, token + ext), fileName };
    this.files.set(token, d);
    return d;
  }

  async discard(token: string): Promise<void> {
    const d = this.files.get(token);
    this.files.delete(token);
    if (d) await rm(d.path, { force: true });
  }

  /** Sends the file for GET /api/download/<token>; 404 for anything that is not a token this store issued. */
  async send(res: ServerResponse, token: string, method: string): Promise<void> {
    const d = TOKEN_RE.test(token) ? this.files.get(token) : undefined;
    if (!d) throw new HttpError(404, 'No such download (expired or never issued) 下载链接无效或已过期');
    const info = await stat(d.path).catch(() => null);
    if (!info?.isFile()) throw new HttpError(404, 'The exported file is gone 导出文件已不存在');
    res.writeHead(200, {
      ...BASE_HEADERS,
      'Content-Type': TYPES[extname(d.path)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Content-Disposition': contentDisposition(d.fileName),
      'Cache-Control': 'no-store',
    });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(d.path);
      stream.on('error', reject);
      res.on('close', () => resolve());
      stream.pipe(res);
    });
  }

  async close(): Promise<void> {
    this.files.clear();
    await rm(this.dir, { recursive: true, force: true });
  }
}
