// IPC channel names shared by main.ts and preload.ts.
import type { ApiMethod } from '../api/contract';

/** One invoke channel per API method. */
export const apiChannel = (method: ApiMethod): string => `atlas:api:${method}`;
export const CHOOSE_IMPORT_FILE = 'atlas:chooseImportFile';
export const PREPARE_IMPORT_FILES = 'atlas:prepareImportFiles';
/** main → page: `{ nonce, progress }` for importLayer calls. */
export const IMPORT_PROGRESS = 'atlas:importProgress';
/** main → page: menu commands (ShellCommand). */
export const SHELL_COMMAND = 'atlas:command';
