// The main-process side of the IPC bridge, free of Electron so it can be tested: validates arguments,
// allows only files the user chose, calls the host and answers with an envelope.
import { resolve } from 'node:path';
import {
  API_ARITY, API_METHODS, EXPORT_KIND, exportFileName, type ApiMethod, type AtlasApi, type ExportedFile, type ImportProgress,
  type ImportRequest, type Settings, type WorkspaceInfo,
} from '../api/contract';
import { errorPayload, type ErrorPayload } from '../server/http-util';

export type Envelope = { ok: true; value: unknown } | { ok: false; error: ErrorPayload };

/**
 * Paths the user picked in a native dialog, dropped on the window, named on the command line or opened
 * before (recent list). Only those reach the back end: a compromised page cannot name other files.
 */
export class FileGrants {
  private readonly paths = new Set<string>();

  grant(path: string): string {
    const full = resolve(path);
    this.paths.add(full);
    return full;
  }

  has(path: string): boolean {
    return this.paths.has(resolve(path));
  }
}

export interface DispatchContext {
  api: AtlasApi;
  grants: FileGrants;
  /** After a workspace was opened or created (to remember it and refresh the menu). */
  onWorkspace?: (info: WorkspaceInfo) => void;
  /** After settings changed (language → menu, online basemap → CSP). */
  onSettings?: (settings: Settings) => void;
  /** A native save dialog offering `fileName`; the chosen path, or null when cancelled. */
  chooseSavePath?: (fileName: string) => Promise<string | null>;
}

const ARITY = API_ARITY;

class Refused extends Error {}

function grantedPath(ctx: DispatchContext, value: unknown, what: string): string {
  if (typeof value !== 'string' || !ctx.grants.has(value)) {
    throw new Refused(`${what}只能使用在对话框中选择的文件 Only files chosen in a dialog can be used for ${what === '导入' ? 'import' : 'workspaces'}`);
  }
  return resolve(value);
}

export async function dispatch(ctx: DispatchContext, method: string, args: unknown, onProgress?: (p: ImportProgress) => void): Promise<Envelope> {
  try {
    if (!(API_METHODS as readonly string[]).includes(method)) throw new Refused(`Unknown API method "${method}"`);
    const m = method as ApiMethod;
    if (!Array.isArray(args) || args.length > ARITY[m]) throw new Refused(`${m} takes at most ${ARITY[m]} argument(s) in an array`);
    const api = ctx.api;
    let value: unknown;
    switch (m) {
      case 'openWorkspace':
      case 'newWorkspace': {
        const info = await api[m](grantedPath(ctx, args[0], '工作空间'));
        ctx.onWorkspace?.(info);
        value = info;
        break;
      }
      case 'previewImport':
      case 'importLayer': {
        const request = args[0] as ImportRequest | undefined;
        if (!request || typeof request !== 'object') throw new Refused(`${m}: args[0] must be an ImportRequest`);
        const checked = { ...request, file: grantedPath(ctx, request.file, '导入') };
        value = m === 'importLayer' ? await api.importLayer(checked, onProgress) : await api.previewImport(checked);
        break;
      }
      case 'updateSettings': {
        const settings = await api.updateSettings(args[0] as Partial<Settings>);
        ctx.onSettings?.(settings);
        value = settings;
        break;
      }
      case 'exportReport':
      case 'exportMap':
      case 'exportScenario':
      case 'exportLedger': {
        // The page never names the file: the user does, in the save dialog the main process shows.
        const request = args[0] as Record<string, unknown> | undefined;
        if (!request || typeof request !== 'object') throw new Refused(`${m}: args[0] must be an export request object`);
        if (!ctx.chooseSavePath) throw new Refused(`${m}: no save dialog in this shell`);
        const out = await ctx.chooseSavePath(exportFileName(EXPORT_KIND[m], request));
        if (out === null) {
          value = null;
          break;
        }
        const call = api[m] as (r: unknown) => Promise<ExportedFile | null>;
        value = await call.call(api, { ...request, out: resolve(out) });
        break;
      }
      default:
        value = await (api[m] as (...a: unknown[]) => Promise<unknown>).apply(api, args);
    }
    return { ok: true, value: value ?? null };
  } catch (err) {
    return { ok: false, error: errorPayload(err) };
  }
}
