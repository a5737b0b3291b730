// Browser mode: the AtlasApi over HTTP to the local server (server/routes.ts documents the wire format).
import { decodeColumns, decodeCoverageColumns, type CoverageColumnsQuery } from '../../api/columns';
import { API_METHODS, BINARY_METHODS, type AtlasApi, type BinaryMethod, type ImportOutcome, type ImportProgress, type ImportRequest } from '../../api/contract';
import { ApiError, unwrap } from './errors';
import { orderImportFiles, type AtlasClient, type ImportFile, type NamedBlob } from './types';

export interface HttpApiOptions {
  /** Server root, ending in '/'; default '/' (the page's own origin). */
  base?: string;
  fetch?: typeof fetch;
  /** Opens the browser's file chooser (index.ts supplies one using an <input type=file>). */
  pickFiles?: () => Promise<NamedBlob[]>;
}

/** JSON.stringify turns a trailing `undefined` argument into null, which is not "omitted": drop it. */
function trimArgs(args: unknown[]): unknown[] {
  const out = [...args];
  while (out.length && out[out.length - 1] === undefined) out.pop();
  return out;
}

async function readEnvelope<T>(res: Response): Promise<T> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`服务器返回了非 JSON 响应 Server answered HTTP ${res.status} without JSON`, [], res.status);
  }
  return unwrap<T>(body, res.status);
}

export function createHttpApi(options: HttpApiOptions = {}): AtlasClient {
  const base = options.base ?? '/';
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const progressListeners = new Set<(p: ImportProgress) => void>();

  const post = (method: string, args: unknown[]) =>
    doFetch(`${base}api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ args: trimArgs(args) }),
    });

  const call = async (method: string, args: unknown[]) => readEnvelope(await post(method, args));

  async function importLayer(request: ImportRequest, onProgress?: (p: ImportProgress) => void): Promise<ImportOutcome> {
    const res = await post('importLayer', [request]);
    if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').includes('ndjson')) return readEnvelope(res);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffered += value;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        const message = JSON.parse(line) as { progress?: ImportProgress };
        if (message.progress) {
          onProgress?.(message.progress);
          for (const l of progressListeners) l(message.progress);
        } else {
          return unwrap<ImportOutcome>(message, res.status);
        }
      }
      if (done) break;
    }
    throw new ApiError('导入连接在完成前中断 The connection closed before the import finished', [], res.status);
  }

  /** A BINARY_METHODS answer: bytes when it worked; an error comes as the usual JSON envelope. */
  async function binary<T>(method: BinaryMethod, args: unknown[], decode: (bytes: ArrayBuffer) => T): Promise<T> {
    const res = await post(method, args);
    if (!res.ok || !(res.headers.get('content-type') ?? '').startsWith('application/octet-stream')) return readEnvelope(res);
    return decode(await res.arrayBuffer());
  }

  async function upload(file: NamedBlob, token?: string): Promise<{ token: string; name: string }> {
    const query = `name=${encodeURIComponent(file.name)}${token ? `&token=${token}` : ''}`;
    const res = await doFetch(`${base}api/upload?${query}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: file,
    });
    return readEnvelope(res);
  }

  async function prepareImportFiles(files: NamedBlob[]): Promise<ImportFile> {
    if (files.length === 0) throw new ApiError('没有选择文件 No file given');
    const [main, ...rest] = orderImportFiles(files);
    const first = await upload(main);
    for (const f of rest) await upload(f, first.token);
    return { file: first.token, name: first.name };
  }

  const methods = Object.fromEntries(
    API_METHODS.filter((m) => m !== 'importLayer' && !(BINARY_METHODS as readonly string[]).includes(m)).map((m) => [m, (...args: unknown[]) => call(m, args)]),
  ) as unknown as Omit<AtlasApi, 'importLayer' | BinaryMethod>;

  return {
    ...methods,
    importLayer,
    settlementColumns: () => binary('settlementColumns', [], decodeColumns),
    coverageColumns: (query: CoverageColumnsQuery) => binary('coverageColumns', [query], decodeCoverageColumns),
    transport: 'http',
    async chooseImportFile() {
      if (!options.pickFiles) throw new ApiError('此环境无法选择文件 No file chooser in this environment');
      const files = await options.pickFiles();
      return files.length ? prepareImportFiles(files) : null;
    },
    prepareImportFiles,
    onCommand: () => () => undefined,
    onImportProgress(listener) {
      progressListeners.add(listener);
      return () => progressListeners.delete(listener);
    },
  };
}
