// The reference for the streaming KML reader (data/import/formats/kml.ts): the reader it replaced, which parsed the
// document whole with fast-xml-parser. It orders a node's own placemarks before those of its Documents and Folders,
// and a placemark's geometries by type, keeps white space at the ends of CDATA sections and reads an empty SimpleData
// as null; the streaming reader keeps document order, trims, and reads empty text, so the two are compared on
// documents where they agree.
import { readFile } from 'node:fs/promises';
import { xmlObjectParser } from '../../data/import/formats/xml-objects';
import type { Geometry, Position } from '../../gis/types';
import { decodeText, looksUtf8 } from '../../data/import/encoding';
import { FileProblem } from '../../data/import/issues';
import type { Source, SourceOptions, SourceRecord } from '../../data/import/source';
import { extract, listZip } from '../../data/import/zip';

type Node = Record<string, unknown>;

const ARRAYS = new Set(['Placemark', 'Folder', 'Document', 'Point', 'Polygon', 'LineString', 'MultiGeometry', 'innerBoundaryIs', 'Data', 'SimpleData', 'SchemaData']);

const parser = xmlObjectParser(ARRAYS);

function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && '#text' in (v as Node)) return String((v as Node)['#text']);
  return typeof v === 'object' ? null : String(v);
}

class KmlGeometryError extends Error {}

function coordinates(v: unknown, where: string): Position[] {
  const s = text(v);
  if (s === null) throw new KmlGeometryError(`${where}: <coordinates> is missing`);
  return s.trim().split(/\s+/).filter(Boolean).map((tuple) => {
    const [x, y] = tuple.split(',').map(Number);
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new KmlGeometryError(`${where}: "${tuple}" is not "lon,lat[,alt]"`);
    return [x, y];
  });
}

function ringOf(boundary: unknown, where: string): Position[] {
  const ring = (boundary as Node | undefined)?.LinearRing as Node | undefined;
  return coordinates(ring?.coordinates, where);
}

function geometries(node: Node): Geometry[] {
  const out: Geometry[] = [];
  for (const p of (node.Point as Node[] | undefined) ?? []) {
    const pts = coordinates(p.coordinates, 'Point');
    if (pts.length !== 1) throw new KmlGeometryError(`Point: expected one coordinate tuple, found ${pts.length}`);
    out.push({ type: 'Point', coordinates: pts[0] });
  }
  for (const p of (node.Polygon as Node[] | undefined) ?? []) {
    const inner = (p.innerBoundaryIs as unknown[] | undefined) ?? [];
    out.push({ type: 'Polygon', coordinates: [ringOf(p.outerBoundaryIs, 'Polygon outerBoundaryIs'), ...inner.map((b) => ringOf(b, 'Polygon innerBoundaryIs'))] });
  }
  for (const l of (node.LineString as Node[] | undefined) ?? []) out.push({ type: 'LineString', coordinates: coordinates(l.coordinates, 'LineString') });
  for (const m of (node.MultiGeometry as Node[] | undefined) ?? []) out.push(...geometries(m));
  return out;
}

/** One geometry per placemark: single members as is, several points → MultiPoint, several polygons → MultiPolygon. */
function combine(list: Geometry[]): Geometry | null {
  if (list.length === 0) return null;
  if (list.length === 1) return list[0];
  if (list.every((g) => g.type === 'Polygon')) return { type: 'MultiPolygon', coordinates: list.map((g) => (g as { coordinates: Position[][] }).coordinates) };
  if (list.every((g) => g.type === 'Point')) return { type: 'MultiPoint', coordinates: list.map((g) => (g as { coordinates: Position }).coordinates) };
  return { type: 'GeometryCollection', geometries: list };
}

function attributes(pm: Node): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  const name = text(pm.name);
  if (name !== null) props.name = name;
  const description = text(pm.description);
  if (description !== null) props.description = description;
  const ext = pm.ExtendedData as Node | undefined;
  for (const d of (ext?.Data as Node[] | undefined) ?? []) {
    const key = d['@_name'];
    if (typeof key === 'string') props[key] = text(d.value);
  }
  for (const sd of (ext?.SchemaData as Node[] | undefined) ?? []) {
    for (const s of (sd.SimpleData as Node[] | undefined) ?? []) {
      const key = s['@_name'];
      if (typeof key === 'string') props[key] = text(s);
    }
  }
  return props;
}

function collectPlacemarks(node: Node, out: Node[]): void {
  for (const pm of (node.Placemark as Node[] | undefined) ?? []) out.push(pm);
  for (const key of ['Document', 'Folder'] as const) for (const child of (node[key] as Node[] | undefined) ?? []) collectPlacemarks(child, out);
}

export function parseKml(xml: string, name: string): { placemarks: Node[] } {
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (e) {
    throw new FileProblem(`${name}: invalid XML: ${(e as Error).message}`);
  }
  const kml = doc.kml as Node | undefined;
  if (!kml) throw new FileProblem(`${name}: no <kml> root element; expected a KML document`);
  const placemarks: Node[] = [];
  collectPlacemarks(kml, placemarks);
  return { placemarks };
}

/** `display` names the file in messages: the path on disk may be a private upload file of the browser-mode server. */
async function kmlText(path: string, display: string, format: 'kml' | 'kmz'): Promise<{ xml: string; name: string }> {
  const bytes = await readFile(path);
  if (format === 'kml') return { xml: decodeText(bytes, looksUtf8(bytes) ? 'utf8' : 'gbk'), name: display };
  const entries = listZip(bytes).filter((e) => /\.kml$/i.test(e.name));
  // The main document is doc.kml by convention, otherwise the first .kml at the top level.
  const main = entries.find((e) => e.name.toLowerCase() === 'doc.kml') ?? entries.find((e) => !e.name.includes('/')) ?? entries[0];
  if (!main) throw new FileProblem('the KMZ holds no .kml document');
  const data = extract(bytes, [main]).get(main.name) as Uint8Array;
  return { xml: decodeText(data, looksUtf8(data) ? 'utf8' : 'gbk'), name: main.name };
}

function opener(format: 'kml' | 'kmz') {
  return async (path: string, options: SourceOptions): Promise<Source> => {
    const { xml, name } = await kmlText(path, options.displayName, format);
    const { placemarks } = parseKml(xml, name);
    let done = 0;
    async function* records(): AsyncGenerator<SourceRecord> {
      for (const [row, pm] of placemarks.entries()) {
        done = row + 1;
        const properties = attributes(pm);
        const idAttr = pm['@_id'];
        const id = typeof idAttr === 'string' ? idAttr : undefined;
        try {
          yield { row, geometry: combine(geometries(pm)), properties, id };
        } catch (e) {
          if (!(e instanceof KmlGeometryError)) throw e;
          yield { row, properties, problem: { field: 'geometry', message: e.message } };
        }
      }
    }
    return {
      format, kind: 'features', columns: [], warnings: [], records: records(),
      declaredCrs: { choice: 'wgs84', reason: 'KML coordinates are WGS-84 by definition' },
      progress: () => (placemarks.length ? done / placemarks.length : null),
    };
  };
}

export const openKml = opener('kml');
export const openKmz = opener('kmz');
