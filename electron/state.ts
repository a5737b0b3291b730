// What the desktop shell remembers between runs: window geometry, last and recent workspaces. A small
// JSON file in app.getPath('userData'); anything unreadable is ignored rather than trusted.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { WindowBounds } from './security';

export interface ShellState {
  bounds?: WindowBounds;
  maximized?: boolean;
  lastWorkspace?: string;
  /** Most recent first. */
  recent: string[];
}

export const STATE_FILE = 'coverage-atlas-window.json';
export const MAX_RECENT = 10;

interface Rect { x: number; y: number; width: number; height: number }

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 100_000;

/** Parses the state file's text, keeping only well-formed members. */
export function parseState(text: string): ShellState {
  let raw: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    raw = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    raw = {};
  }
  const state: ShellState = { recent: [] };
  const b = raw.bounds as Record<string, unknown> | undefined;
  if (b && isInt(b.width) && isInt(b.height) && b.width >= 400 && b.height >= 300) {
    state.bounds = { width: b.width, height: b.height };
    if (isInt(b.x) && isInt(b.y)) Object.assign(state.bounds, { x: b.x, y: b.y });
  }
  if (typeof raw.maximized === 'boolean') state.maximized = raw.maximized;
  if (typeof raw.lastWorkspace === 'string' && raw.lastWorkspace) state.lastWorkspace = raw.lastWorkspace;
  if (Array.isArray(raw.recent)) {
    state.recent = [...new Set(raw.recent.filter((p): p is string => typeof p === 'string' && p !== ''))].slice(0, MAX_RECENT);
  }
  return state;
}

export async function loadState(file: string): Promise<ShellState> {
  try {
    return parseState(await readFile(file, 'utf8'));
  } catch {
    return { recent: [] };
  }
}

/** Written to a temp file and renamed, so a crash never leaves half a file. */
export async function saveState(file: string, state: ShellState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2));
  await rename(tmp, file);
}

/** Puts a workspace first in the recent list and makes it the last one used. */
export function rememberWorkspace(state: ShellState, path: string): ShellState {
  return { ...state, lastWorkspace: path, recent: [path, ...state.recent.filter((p) => p !== path)].slice(0, MAX_RECENT) };
}

/** Recent workspaces that still exist. */
export function existingRecent(state: ShellState, exists: (p: string) => boolean = existsSync): string[] {
  return state.recent.filter((p) => exists(p));
}

/**
 * The workspace named on the command line (`electron . file.gpkg` in development, `CoverageAtlas
 * file.gpkg` or a double-clicked .gpkg when packaged), or null.
 */
export function workspaceFromArgv(argv: readonly string[], packaged: boolean): string | null {
  const args = argv.slice(packaged ? 1 : 2);
  return args.find((a) => !a.startsWith('-') && /\.gpkg$/i.test(a)) ?? null;
}

/** Saved bounds only when at least 100×100 px of the window lies on a display that still exists. */
export function visibleBounds(bounds: WindowBounds | undefined, workAreas: readonly Rect[]): WindowBounds | undefined {
  if (!bounds) return undefined;
  if (bounds.x === undefined || bounds.y === undefined) return { width: bounds.width, height: bounds.height };
  const { x, y, width, height } = bounds;
  const onScreen = workAreas.some((a) =>
    Math.min(x + width, a.x + a.width) - Math.max(x, a.x) >= 100 && Math.min(y + height, a.y + a.height) - Math.max(y, a.y) >= 100);
  return onScreen ? bounds : { width: Math.min(width, workAreas[0]?.width ?? width), height: Math.min(height, workAreas[0]?.height ?? height) };
}
