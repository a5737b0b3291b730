// The one error type the UI sees from either transport.
import type { Envelope } from './types';

export class ApiError extends Error {
  /** Per-row/feature problems when the back end reported them (file, row/feature, field, message). */
  readonly issues: Record<string, unknown>[];
  /** HTTP status in browser mode (0 in Electron or when the server never answered). */
  readonly status: number;
  constructor(message: string, issues: Record<string, unknown>[] = [], status = 0) {
    super(message);
    this.name = 'ApiError';
    this.issues = issues;
    this.status = status;
  }
}

/** The value of an envelope, or its error thrown as an ApiError. */
export function unwrap<T>(envelope: Envelope<T> | unknown, status = 0): T {
  const e = envelope as Envelope<T> | null;
  if (e && typeof e === 'object' && e.ok === true) return e.value;
  if (e && typeof e === 'object' && e.ok === false && e.error && typeof e.error.message === 'string') {
    throw new ApiError(e.error.message, Array.isArray(e.error.issues) ? e.error.issues : [], status);
  }
  throw new ApiError(`后端返回了无法识别的响应 Unexpected response from the back end${status ? ` (HTTP ${status})` : ''}`, [], status);
}
