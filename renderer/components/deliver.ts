// Hands an exported file to the user: in browser mode the server offers it at a download URL (a same-origin
// link with `download` makes the browser save it); in Electron the main process already wrote it where the
// user chose. Returns the message to show.
import type { ExportedFile } from '../../api/contract';
import type { I18n } from '../i18n/format';

export function deliver(file: ExportedFile | null, i18n: I18n): string {
  if (!file) return i18n.t('exportCancelled');
  if (file.url) {
    const a = document.createElement('a');
    a.href = file.url;
    a.download = file.fileName;
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
    return i18n.t('exportDownloaded', { name: file.fileName, size: i18n.int(Math.ceil(file.bytes / 1024)) });
  }
  return i18n.t('exportSaved', { path: file.path ?? file.fileName });
}
