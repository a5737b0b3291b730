// The page's only door to the main process: one function per API method plus import progress, the file
// chooser and menu commands. ipcRenderer itself is never exposed. Bundled to CommonJS (sandboxed preload).
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { API_METHODS, type ImportProgress, type ImportRequest } from '../api/contract';
import { CHOOSE_IMPORT_FILE, IMPORT_PROGRESS, PREPARE_IMPORT_FILES, SHELL_COMMAND, apiChannel } from './channels';

type Listener<T> = (value: T) => void;

const progressListeners = new Set<Listener<ImportProgress>>();
const progressByCall = new Map<number, Listener<ImportProgress>>();
const commandListeners = new Set<Listener<unknown>>();
let nextCall = 1;

ipcRenderer.on(IMPORT_PROGRESS, (_event, message: { nonce: number; progress: ImportProgress }) => {
  progressByCall.get(message.nonce)?.(message.progress);
  for (const listener of progressListeners) listener(message.progress);
});
ipcRenderer.on(SHELL_COMMAND, (_event, command: unknown) => {
  for (const listener of commandListeners) listener(command);
});

function subscribe<T>(set: Set<Listener<T>>, listener: Listener<T>): () => void {
  if (typeof listener !== 'function') throw new TypeError('listener must be a function');
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}

const plain = Object.fromEntries(
  API_METHODS.filter((m) => m !== 'importLayer').map((m) => [m, (...args: unknown[]) => ipcRenderer.invoke(apiChannel(m), args)]),
);

const bridge = {
  ...plain,
  async importLayer(request: ImportRequest, onProgress?: Listener<ImportProgress>) {
    const nonce = nextCall++;
    if (typeof onProgress === 'function') progressByCall.set(nonce, onProgress);
    try {
      return await ipcRenderer.invoke(apiChannel('importLayer'), [request], nonce);
    } finally {
      progressByCall.delete(nonce);
    }
  },
  onImportProgress: (listener: Listener<ImportProgress>) => subscribe(progressListeners, listener),
  chooseImportFile: () => ipcRenderer.invoke(CHOOSE_IMPORT_FILE),
  // Paths come from Electron for real dropped/picked File objects only; a made-up File has none.
  prepareImportFiles: (files: Parameters<typeof webUtils.getPathForFile>[0][]) =>
    ipcRenderer.invoke(PREPARE_IMPORT_FILES, Array.from(files, (f) => ({ path: webUtils.getPathForFile(f), name: f.name }))),
  onCommand: (listener: Listener<unknown>) => subscribe(commandListeners, listener),
};

contextBridge.exposeInMainWorld('atlas', bridge);
