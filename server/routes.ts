// POST /api/<method> and POST /api/upload: the AtlasApi carried over HTTP.
//
// Wire format (documented in server/README.md):
//   request  POST /api/<method>   Content-Type: application/json   { "args": [...] }
//   response { "ok": true, "value": ... } | { "ok": false, "error": { "message", "issues"? } }
//   importLayer answers with NDJSON (application/x-ndjson): zero or more {"progress": ImportProgress} lines,
//   then one final envelope line.
//   settlementColumns and coverageColumns answer with application/octet-stream: api/columns.ts encodeColumns and
//   encodeCoverageColumns (errors stay JSON envelopes).
//   upload   POST /api/upload?name=FILE.csv[&token=T]   raw body → { "ok": true, "value": { token, name } }
import type { IncomingMessage, ServerResponse } from 'node:http';
import { realpath } from 'node:fs/promises';
import { basename, dirname, resolve, sep } from 'node:path';
import { encodeColumns, encodeCoverageColumns, type CoverageColumnsQuery } from '../api/columns';
import {
  API_ARITY, API_METHODS, EXPORT_KIND, exportFileName, type ApiMethod, type AtlasApi, type ExportedFile, type ExportMethod,
  type ImportProgress, type ImportRequest, type Settings,
} from '../api/contract';
import type { DownloadStore } from './downloads';
import { BASE_HEADERS, HttpError, errorPayload, readBody, sendBinary, sendJson } from './http-util';
import type { Upload, UploadStore } from './uploads';

export interface ApiContext {
  api: AtlasApi;
  uploads: UploadStore;
  downloads: DownloadStore;
  /** openWorkspace/newWorkspace over HTTP are confined to this folder (see confineWorkspacePath). */
  workspaceDir: string;
  jsonLimit: number;
  uploadLimit: number;
  /** After updateSettings (settings as returned) or a workspace switch (no argument: settings may differ). */
  onSettingsChanged?: (settings?: Settings) => void;
}

/** Most arguments each method takes; more is a client bug worth a clear 400. */
const ARITY = API_ARITY;

export function isApiMethod(name: string): name is ApiMethod {
  return (API_METHODS as readonly string[]).includes(name);
}

/**
 * A workspace path asked for over HTTP, accepted only as a `.gpkg` file directly inside `dir` (a bare
 * name or a path resolving there); symlinks must not lead out. Anything else is refused with 403: the
 * browser is never allowed to open or create files elsewhere on disk.
 */
export async function confineWorkspacePath(dir: string, requested: unknown): Promise<string> {
  if (typeof requested !== 'string' || requested.trim() === '') {
    throw new HttpError(400, 'Workspace path must be a non-empty string such as "村庄覆盖.gpkg"');
  }
  const refuse = () => new HttpError(403,
    `In browser mode workspaces can only be opened or created inside ${dir} (a .gpkg file name); got "${requested}" 浏览器模式下只能在工作空间所在文件夹内打开或新建`);
  if (requested.includes('\0') || !/\.gpkg$/i.test(requested)) throw refuse();
  const realDir = await realpath(dir);
  const wanted = resolve(realDir, requested);
  if (dirname(wanted) !== realDir || basename(wanted).startsWith('.')) throw refuse();
  try {
    const real = await realpath(wanted);
    if (dirname(real) !== realDir) throw refuse();
    return real;
  } catch (err) {
    if (err instanceof HttpError) throw err;
    return wanted; // Not there yet: newWorkspace creates it (openWorkspace reports it missing).
  }
}

/** Replaces every upload's private folder in strings by nothing, so messages name the user's file. */
function hideUploadPaths<T>(value: T, upload: Upload): T {
  const folder = dirname(upload.path) + sep;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.split(folder).join('');
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

async function parseArgs(req: IncomingMessage, ctx: ApiContext, method: ApiMethod): Promise<unknown[]> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  // A JSON content type cannot be sent cross-site without a CORS preflight, which we never grant.
  if (type !== 'application/json') throw new HttpError(415, `POST /api/${method} needs Content-Type: application/json`);
  const text = (await readBody(req, ctx.jsonLimit)).toString('utf8');
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, `POST /api/${method}: body is not valid JSON; expected { "args": [...] }`);
  }
  const args = (body as { args?: unknown }).args ?? [];
  if (!body || typeof body !== 'object' || !Array.isArray(args)) {
    throw new HttpError(400, `POST /api/${method}: expected a JSON object { "args": [...] }`);
  }
  if (args.length > ARITY[method]) {
    throw new HttpError(400, `POST /api/${method}: takes at most ${ARITY[method]} argument(s), got ${args.length}`);
  }
  return args;
}

function importRequest(args: unknown[], ctx: ApiContext, method: ApiMethod): { request: ImportRequest; upload: Upload } {
  const request = args[0] as ImportRequest | undefined;
  if (!request || typeof request !== 'object' || typeof request.file !== 'string') {
    throw new HttpError(400, `POST /api/${method}: args[0] must be an ImportRequest whose "file" is an upload token`);
  }
  const upload = ctx.uploads.resolve(request.file);
  return { request: { ...request, file: upload.path }, upload };
}

async function streamImport(res: ServerResponse, ctx: ApiContext, request: ImportRequest, upload: Upload): Promise<void> {
  res.writeHead(200, {
    ...BASE_HEADERS,
    'Content-Type': 'application/x-ndjson; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  let jobId: string | null = null;
  let finished = false;
  // Under back-pressure only the latest progress is worth sending.
  let congested = false;
  let pending: ImportProgress | null = null;
  const writeLine = (line: unknown) => res.write(JSON.stringify(line) + '\n');
  res.on('drain', () => {
    congested = false;
    if (pending && !finished) {
      const p = pending;
      pending = null;
      congested = !writeLine({ progress: p });
    }
  });
  // A browser that goes away (tab closed, fetch aborted) cancels its import.
  res.on('close', () => {
    if (!finished && jobId) ctx.api.cancelImport(jobId).catch(() => undefined);
  });
  let final: unknown;
  try {
    const value = await ctx.api.importLayer(request, (p) => {
      jobId = p.jobId;
      if (congested) pending = p;
      else congested = !writeLine({ progress: p });
    });
    final = { ok: true, value: hideUploadPaths(value, upload) };
  } catch (err) {
    final = { ok: false, error: hideUploadPaths(errorPayload(err), upload) };
  }
  finished = true;
  res.end(JSON.stringify(final) + '\n');
}

/** Handles POST /api/<name>; `name` is the path after /api/, query removed. */
export async function handleApi(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, name: string, query: URLSearchParams): Promise<void> {
  if (name.startsWith('download/')) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      throw new HttpError(405, `/api/download accepts GET only`);
    }
    await ctx.downloads.send(res, name.slice('download/'.length), req.method);
    return;
  }
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    throw new HttpError(405, `/api/${name} accepts POST only`);
  }
  if (name === 'upload') {
    const token = query.get('token') ?? undefined;
    const upload = await ctx.uploads.save(query.get('name') ?? '', req, ctx.uploadLimit, token);
    sendJson(res, 200, { ok: true, value: { token: upload.token, name: upload.name } });
    return;
  }
  if (!isApiMethod(name)) throw new HttpError(404, `Unknown API method "${name.slice(0, 60)}"`);
  const args = await parseArgs(req, ctx, name);
  const api = ctx.api;
  let upload: Upload | null = null;
  try {
    let value: unknown;
    switch (name) {
      case 'openWorkspace':
        value = await api.openWorkspace(await confineWorkspacePath(ctx.workspaceDir, args[0]));
        ctx.onSettingsChanged?.();
        break;
      case 'newWorkspace':
        value = await api.newWorkspace(await confineWorkspacePath(ctx.workspaceDir, args[0]));
        ctx.onSettingsChanged?.();
        break;
      case 'updateSettings':
        value = await api.updateSettings(args[0] as Partial<Settings>);
        ctx.onSettingsChanged?.(value as Settings);
        break;
      case 'previewImport': {
        const r = importRequest(args, ctx, name);
        upload = r.upload;
        value = hideUploadPaths(await api.previewImport(r.request), upload);
        break;
      }
      case 'importLayer': {
        const r = importRequest(args, ctx, name);
        await streamImport(res, ctx, r.request, r.upload);
        return;
      }
      case 'settlementColumns':
        sendBinary(res, encodeColumns(await api.settlementColumns()));
        return;
      case 'coverageColumns':
        sendBinary(res, encodeCoverageColumns(await api.coverageColumns(args[0] as CoverageColumnsQuery)));
        return;
      case 'exportReport':
      case 'exportMap':
      case 'exportScenario':
      case 'exportLedger':
        value = await exportForDownload(ctx, name, args[0]);
        break;
      default:
        value = await (api[name] as (...a: unknown[]) => Promise<unknown>).apply(api, args);
    }
    sendJson(res, 200, { ok: true, value: value ?? null });
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const payload = errorPayload(err);
    sendJson(res, 400, { ok: false, error: upload ? hideUploadPaths(payload, upload) : payload });
  }
}

/**
 * An export over HTTP: whatever `out` the page sent is replaced by a path in the private export folder; the
 * answer carries the download URL and the file's name, never the path.
 */
async function exportForDownload(ctx: ApiContext, method: ExportMethod, arg: unknown): Promise<ExportedFile> {
  if (!arg || typeof arg !== 'object') throw new HttpError(400, `POST /api/${method}: args[0] must be an export request object`);
  const request = arg as Record<string, unknown>;
  const d = ctx.downloads.reserve(exportFileName(EXPORT_KIND[method], request));
  try {
    const call = ctx.api[method] as (r: unknown) => Promise<ExportedFile | null>;
    const done = await call.call(ctx.api, { ...request, out: d.path });
    return { fileName: d.fileName, bytes: done?.bytes ?? 0, url: `/api/download/${d.token}` };
  } catch (err) {
    await ctx.downloads.discard(d.token);
    throw err;
  }
}
