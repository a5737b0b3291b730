// Electron: the AtlasApi over the preload's narrow bridge (window.atlas), which returns envelopes.
import { API_METHODS, type AtlasApi } from '../../api/contract';
import { unwrap } from './errors';
import type { AtlasBridge, AtlasClient } from './types';

export function createIpcApi(bridge: AtlasBridge): AtlasClient {
  const methods = Object.fromEntries(
    API_METHODS.filter((m) => m !== 'importLayer').map((m) => [
      m,
      async (...args: unknown[]) => unwrap(await (bridge[m] as (...a: unknown[]) => Promise<unknown>)(...args)),
    ]),
  ) as unknown as Omit<AtlasApi, 'importLayer'>;
  return {
    ...methods,
    transport: 'ipc',
    importLayer: async (request, onProgress) => unwrap(await bridge.importLayer(request, onProgress)),
    chooseImportFile: async () => unwrap(await bridge.chooseImportFile()),
    prepareImportFiles: async (files) => unwrap(await bridge.prepareImportFiles(files)),
    onCommand: (listener) => bridge.onCommand(listener),
    onImportProgress: (listener) => bridge.onImportProgress(listener),
  };
}
