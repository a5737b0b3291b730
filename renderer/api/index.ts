// The UI's view of the back end: IPC through the Electron preload when present, else HTTP to the local
// browser-mode server. Both give the same AtlasClient.
import { createHttpApi } from './http-client';
import { createIpcApi } from './ipc-client';
import type { AtlasBridge, AtlasClient, NamedBlob } from './types';

export { ApiError } from './errors';
export type { AtlasBridge, AtlasClient, Envelope, ImportFile, NamedBlob, ShellCommand } from './types';

/** Formats data/import/registry.ts reads, plus a Shapefile's sidecars (picked together with the .shp). */
const IMPORT_ACCEPT = '.csv,.txt,.tsv,.xlsx,.geojson,.json,.kml,.kmz,.zip,.shp,.dbf,.shx,.prj,.cpg';

/** A file chooser from a detached <input type=file>; resolves [] when the user cancels. */
function pickFiles(): Promise<NamedBlob[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.accept = IMPORT_ACCEPT;
    input.addEventListener('change', () => resolve(Array.from(input.files ?? [])));
    input.addEventListener('cancel', () => resolve([]));
    input.click();
  });
}

let client: AtlasClient | null = null;

/** The shared client (an AtlasApi plus file choosing and menu commands). */
export function connectApi(): AtlasClient {
  if (!client) {
    const bridge = (window as unknown as { atlas?: AtlasBridge }).atlas;
    client = bridge ? createIpcApi(bridge) : createHttpApi({ pickFiles });
  }
  return client;
}
