// Messages between the host and its worker.
import type { ImportIssue, ImportProgress } from '../api/contract';

export interface HostRequest {
  id: number;
  method: string;
  args: unknown[];
  wantsProgress: boolean;
}

export interface WireError {
  message: string;
  issues?: ImportIssue[];
}

export type HostReply =
  | { id: number; kind: 'ok'; value: unknown }
  | { id: number; kind: 'error'; error: WireError }
  | { id: number; kind: 'progress'; progress: ImportProgress };

/** An error the API reports to its caller: a message for people, and input issues where there are some. */
export class ApiError extends Error {
  constructor(message: string, readonly issues?: ImportIssue[]) {
    super(message);
    this.name = 'ApiError';
  }
}
