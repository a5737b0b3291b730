// Small HTTP helpers: typed errors with a status, bounded body reading, the JSON envelope.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

/** The `{ ok: false }` half of the envelope; never carries a stack trace. */
export interface ErrorPayload {
  message: string;
  issues?: unknown[];
}

/** Turns anything thrown by the back end into a payload safe to show: message and issues only. */
export function errorPayload(err: unknown): ErrorPayload {
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : 'Unknown error 未知错误';
  const issues = err && typeof err === 'object' && Array.isArray((err as { issues?: unknown }).issues)
    ? (err as { issues: unknown[] }).issues
    : undefined;
  // A message that is itself a stack dump (some libraries throw those) is cut to its first line.
  const firstLine = /\n\s+at .+\(.+:\d+:\d+\)/.test(message) ? message.split('\n')[0] : message;
  return issues ? { message: firstLine, issues } : { message: firstLine };
}

/**
 * Reads a whole body into memory, refusing more than `limit` bytes (413) whether or not the client
 * announced the length.
 */
export async function readBody(req: Readable & { headers?: IncomingMessage['headers'] }, limit: number): Promise<Buffer> {
  const declared = Number(req.headers?.['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `Request body too large: ${declared} bytes, limit ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new HttpError(413, `Request body too large: more than ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Headers every response carries. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...BASE_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function sendBinary(res: ServerResponse, bytes: Uint8Array): void {
  res.writeHead(200, {
    ...BASE_HEADERS,
    'Content-Type': 'application/octet-stream',
    'Content-Length': bytes.byteLength,
    'Cache-Control': 'no-store',
  });
  res.end(bytes);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { ok: false, error: { message } });
}
