// Format registry: content sniffing first, file extension second; parsers are loaded only when used.
import type { FormatModule } from './source';

export interface FormatEntry {
  id: 'geojson' | 'csv' | 'xlsx' | 'shapefile' | 'kml' | 'kmz';
  label: string;
  extensions: string[];
  /** True when the first bytes (up to HEAD_BYTES) say the file is this format. */
  sniff(head: Uint8Array, name: string): boolean;
  load(): Promise<FormatModule>;
}

export const HEAD_BYTES = 4096;

const latin1 = (head: Uint8Array): string => Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
const isZip = (h: Uint8Array): boolean => h[0] === 0x50 && h[1] === 0x4b && h[2] === 0x03 && h[3] === 0x04;
/** Name of the first entry in a ZIP, from its local header. */
const firstZipEntry = (h: Uint8Array): string => (isZip(h) && h.length >= 30 ? latin1(h.subarray(30, 30 + (h[26] | (h[27] << 8)))) : '');
const zipHolds = (h: Uint8Array, re: RegExp): boolean => isZip(h) && re.test(latin1(h));
const firstChar = (h: Uint8Array): string => latin1(h).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart()[0] ?? '';

export const FORMATS: FormatEntry[] = [
  {
    id: 'geojson', label: 'GeoJSON', extensions: ['.geojson', '.json'],
    sniff: (h) => firstChar(h) === '{' && /"type"\s*:\s*"(FeatureCollection|Feature|Point|Polygon|MultiPolygon|MultiPoint)"|"features"\s*:/.test(latin1(h)),
    load: () => import('./formats/geojson'),
  },
  {
    id: 'kml', label: 'KML（Google 地球）', extensions: ['.kml'],
    sniff: (h) => firstChar(h) === '<' && /<kml[\s>]/.test(latin1(h)),
    load: async () => ({ open: (await import('./formats/kml')).openKml }),
  },
  {
    id: 'kmz', label: 'KMZ（压缩的 KML）', extensions: ['.kmz'],
    sniff: (h) => /\.kml$/i.test(firstZipEntry(h)),
    load: async () => ({ open: (await import('./formats/kml')).openKmz }),
  },
  {
    id: 'xlsx', label: 'Excel 表格 (.xlsx)', extensions: ['.xlsx'],
    sniff: (h) => /^(\[Content_Types\]\.xml|xl\/|_rels\/|docProps\/)/.test(firstZipEntry(h)),
    load: () => import('./formats/xlsx'),
  },
  {
    id: 'shapefile', label: 'Shapefile（.zip 或 .shp）', extensions: ['.zip', '.shp'],
    // A bare .shp starts with the big-endian file code 9994; a zip holds .shp/.dbf names in its first entries.
    sniff: (h) => (h[0] === 0 && h[1] === 0 && h[2] === 0x27 && h[3] === 0x0a) || zipHolds(h, /\.(shp|dbf|shx|prj)/i),
    load: () => import('./formats/shapefile'),
  },
  {
    id: 'csv', label: 'CSV 文本表格', extensions: ['.csv', '.txt', '.tsv'],
    // CSV has no signature: text without NUL bytes whose first line has a delimiter, and nothing else matched.
    sniff: (h) => h.length > 0 && !h.includes(0) && !isZip(h) && !['{', '<', '['].includes(firstChar(h)) && /[,\t;]/.test(latin1(h).split(/\r?\n/)[0]),
    load: () => import('./formats/csv'),
  },
];

/** Content first; when several or none match, the extension decides. */
export function detectFormat(head: Uint8Array, name: string): FormatEntry | null {
  const ext = (/\.[^./\\]+$/.exec(name.toLowerCase()) ?? [''])[0];
  const byContent = FORMATS.filter((f) => f.sniff(head, name));
  if (byContent.length === 1) return byContent[0];
  if (byContent.length > 1) return byContent.find((f) => f.extensions.includes(ext)) ?? byContent[0];
  return FORMATS.find((f) => f.extensions.includes(ext)) ?? null;
}
