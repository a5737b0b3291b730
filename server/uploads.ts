// Files uploaded by the browser for import. Each upload lands in its own folder inside a private temp
// directory and is known to the browser only by a random token; the server maps tokens to paths, so the
// browser can never make the back end read a path of its choosing.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError } from './http-util';

export interface Upload {
  token: string;
  /** The file the token stands for (the first file uploaded under it). */
  path: string;
  /** Its sanitised original name, shown instead of the temp path. */
  name: string;
  /** Every file saved under the token (a Shapefile's .shp, .dbf, .prj …). */
  files: string[];
}

/**
 * The browser's file name reduced to a safe single path component, keeping its extension (importers
 * detect the format by it) and Chinese characters; null when nothing usable remains.
 */
export function sanitizeUploadName(raw: string): string | null {
  const base = raw.replace(/\\/g, '/').split('/').pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+/, '').trim();
  if (!cleaned || !/\.[A-Za-z0-9]{1,8}$/.test(cleaned)) return null;
  if (cleaned.length <= 180) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  return cleaned.slice(0, 180 - (cleaned.length - dot)) + cleaned.slice(dot);
}

const TOKEN_RE = /^[0-9a-f]{32}$/;
const PREFIX = 'coverage-atlas-upload-';
/** Holds the owning server's pid, so a later server can remove what a killed one left behind. */
const OWNER_FILE = 'owner.pid';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** Removes upload folders of servers that died without closing (SIGKILL, crash). */
export async function sweepAbandoned(parent: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(parent, name);
    const pid = Number(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => ''));
    // Folders without a readable owner are left alone: they may be another user's or mid-creation.
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)) {
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}

export class UploadStore {
  readonly dir: string;
  private readonly uploads = new Map<string, Upload>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(parent: string = tmpdir()): Promise<UploadStore> {
    await sweepAbandoned(parent);
    const dir = await mkdtemp(join(parent, PREFIX));
    await chmod(dir, 0o700);
    await writeFile(join(dir, OWNER_FILE), String(process.pid));
    return new UploadStore(dir);
  }

  /**
   * Streams a body into a new upload (or beside the files of an existing `token`), refusing more than
   * `limit` bytes with 413 and leaving no partial file behind.
   */
  async save(rawName: string, body: Readable, limit: number, token?: string): Promise<Upload> {
    const name = sanitizeUploadName(rawName);
    if (!name) throw new HttpError(400, `Upload name "${rawName}" is not a file name with an extension (e.g. 聚居区.csv)`);
    let upload = token === undefined ? undefined : this.uploads.get(token);
    if (token !== undefined && !upload) throw new HttpError(404, `Unknown upload token "${token}" 未知的上传标识`);
    const folderToken = upload?.token ?? randomBytes(16).toString('hex');
    const folder = join(this.dir, folderToken);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const file = join(folder, name);
    if (upload?.files.includes(file)) throw new HttpError(409, `File "${name}" was already uploaded under this token`);
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit) done(new HttpError(413, `Upload "${name}" too large: more than ${limit} bytes`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    } catch (err) {
      // A failed first file takes its new folder with it; sidecars only remove themselves.
      await rm(upload ? file : folder, { recursive: true, force: true });
      throw err;
    }
    if (!upload) {
      upload = { token: folderToken, path: file, name, files: [] };
      this.uploads.set(folderToken, upload);
    }
    upload.files.push(file);
    return upload;
  }

  /** The upload a token stands for; a clear error for anything else (paths included). */
  resolve(token: string): Upload {
    const upload = TOKEN_RE.test(token) ? this.uploads.get(token) : undefined;
    if (!upload) {
      throw new HttpError(400, `ImportRequest.file must be a token returned by POST /api/upload, got "${token.slice(0, 80)}" 导入文件须先上传`);
    }
    return upload;
  }

  async close(): Promise<void> {
    this.uploads.clear();
    await rm(this.dir, { recursive: true, force: true });
  }
}
