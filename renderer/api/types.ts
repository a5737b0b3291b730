// What the UI gets from connectApi(): the AtlasApi plus the few things only a shell can do (pick a file,
// hear a menu command). Kept free of DOM-only types so Node tests can type-check the transports.
import type { ApiMethod, AtlasApi, ImportOutcome, ImportProgress, ImportRequest } from '../../api/contract';

/** A browser File (or anything with a name and bytes). */
export type NamedBlob = Blob & { readonly name: string };

/** A file ready to import: `file` goes into ImportRequest.file as is (a path in Electron, an upload token in browser mode). */
export interface ImportFile {
  file: string;
  /** The user's file name, for display and as the default layer name. */
  name: string;
}

/** Commands the desktop menu sends to the page (never sent in browser mode). */
export type ShellCommand = { command: 'importFile'; file: ImportFile };

export interface AtlasClient extends AtlasApi {
  readonly transport: 'ipc' | 'http';
  /** Asks the user for a file to import (native dialog or file input); null when cancelled. */
  chooseImportFile(): Promise<ImportFile | null>;
  /**
   * Makes dropped/picked files importable. Several files form one import (a Shapefile's .shp + .dbf +
   * .prj …); the main file is the one that is not a sidecar.
   */
  prepareImportFiles(files: NamedBlob[]): Promise<ImportFile>;
  /** Menu commands from the desktop shell; returns an unsubscribe function. */
  onCommand(listener: (command: ShellCommand) => void): () => void;
  /** Every import's progress (also delivered to importLayer's own callback). */
  onImportProgress(listener: (progress: ImportProgress) => void): () => void;
}

/** The wire envelope of both transports. */
export type Envelope<T> =
  | { ok: true; value: T }
  | { ok: false; error: { message: string; issues?: Record<string, unknown>[] } };

type Plain = Exclude<ApiMethod, 'importLayer'>;

/**
 * What the Electron preload exposes as `window.atlas`: one function per API method, each resolving to an
 * envelope (errors crossing the context bridge lose their fields, envelopes do not).
 */
export type AtlasBridge = {
  [M in Plain]: (...args: Parameters<AtlasApi[M]>) => Promise<Envelope<Awaited<ReturnType<AtlasApi[M]>>>>;
} & {
  importLayer(request: ImportRequest, onProgress?: (p: ImportProgress) => void): Promise<Envelope<ImportOutcome>>;
  onImportProgress(listener: (p: ImportProgress) => void): () => void;
  chooseImportFile(): Promise<Envelope<ImportFile | null>>;
  prepareImportFiles(files: NamedBlob[]): Promise<Envelope<ImportFile>>;
  onCommand(listener: (command: ShellCommand) => void): () => void;
};

/** Shapefile companions: never the main file of an import. */
const SIDECARS = new Set(['dbf', 'shx', 'prj', 'cpg', 'qix', 'sbn', 'sbx', 'xml', 'qmd']);

/** The files of one import with the main file first (a .shp before its .dbf …). */
export function orderImportFiles<T extends { name: string }>(files: readonly T[]): T[] {
  const ext = (n: string) => n.slice(n.lastIndexOf('.') + 1).toLowerCase();
  const main = files.findIndex((f) => !SIDECARS.has(ext(f.name)));
  if (main <= 0) return [...files];
  return [files[main], ...files.slice(0, main), ...files.slice(main + 1)];
}
