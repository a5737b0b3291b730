// GeoJSON reader, streamed: a reused 1 MiB buffer, the incremental scanner, features parsed from their bytes
// (json-bytes.ts) or, for what that leaves, JSON.parse per feature.
import { open as openFile } from 'node:fs/promises';
import type { CrsChoice } from '../../../api/contract';
import { decodeText, looksUtf8 } from '../encoding';
import { abortError, FileProblem } from '../issues';
import type { Source, SourceOptions, SourceRecord } from '../source';
import { GeoJsonScanner, JsonSyntaxError, type ScanEvent } from './json-scanner';

const CHUNK = 1 << 20;
const GEOMETRY_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']);

/** `crs` member of pre-RFC 7946 files (GDAL still writes it for non-WGS-84 output). */
export function crsFromMember(crs: unknown): { choice: CrsChoice; reason: string } | null {
  const name = (crs as { properties?: { name?: unknown } } | null)?.properties?.name;
  if (typeof name !== 'string') return null;
  if (/CRS84$/i.test(name)) return { choice: 'wgs84', reason: `GeoJSON crs member: ${name}` };
  const m = /EPSG:{1,2}(\d+)$/i.exec(name);
  return m ? { choice: `EPSG:${Number(m[1])}`, reason: `GeoJSON crs member: ${name}` } : null;
}

function featureRecord(obj: unknown, row: number): SourceRecord {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    return { row, properties: {}, problem: { field: 'feature', message: 'expected a Feature object' } };
  }
  const f = obj as { type?: unknown; geometry?: unknown; properties?: unknown; id?: unknown };
  if (f.type !== 'Feature') {
    const found = typeof f.type === 'string' ? `"${f.type}"` : 'no type';
    return { row, properties: {}, problem: { field: 'type', message: `expected "type": "Feature", found ${found}` } };
  }
  if (f.properties !== null && f.properties !== undefined && (typeof f.properties !== 'object' || Array.isArray(f.properties))) {
    return { row, properties: {}, problem: { field: 'properties', message: 'expected an object or null' } };
  }
  const id = typeof f.id === 'string' || typeof f.id === 'number' ? f.id : undefined;
  return { row, geometry: f.geometry ?? null, properties: (f.properties as Record<string, unknown>) ?? {}, id };
}

function parseEvent(e: Extract<ScanEvent, { kind: 'feature' }>): SourceRecord {
  if (e.value !== undefined) return featureRecord(e.value, e.index);
  if (e.text === null) return { row: e.index, properties: {}, problem: { field: 'feature', message: `${e.problem} (byte ${e.offset}, line ${e.line})` } };
  try {
    return featureRecord(JSON.parse(e.text), e.index);
  } catch (err) {
    return {
      row: e.index, properties: {},
      problem: { field: 'feature', message: `invalid JSON in the feature starting at byte ${e.offset} (line ${e.line}): ${(err as Error).message}` },
    };
  }
}

export async function open(path: string, options: SourceOptions): Promise<Source> {
  const handle = await openFile(path, 'r');
  const size = (await handle.stat()).size;
  let read = 0;
  const members = new Map<string, unknown>();
  const warnings: string[] = [];
  const buffer = Buffer.allocUnsafe(CHUNK);
  // RFC 8259 says UTF-8, but older Chinese tools write GBK: decide from the first chunk (or the user's choice).
  const first = await handle.read(buffer, 0, CHUNK, 0);
  const gbk = options.encoding === 'gbk' || (options.encoding !== 'utf8' && !looksUtf8(buffer.subarray(0, first.bytesRead), CHUNK - 4));
  if (gbk && options.encoding !== 'gbk') warnings.push('GeoJSON 不是 UTF-8，已按 GBK 读取 / the GeoJSON is not UTF-8; read it as GBK');
  const scanner = gbk ? new GeoJsonScanner(64, (b) => decodeText(b, 'gbk')) : new GeoJsonScanner(64, undefined, true);
  let sawFeatures = false;
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) {
      closed = true;
      await handle.close();
    }
  };

  const member = (e: Extract<ScanEvent, { kind: 'member' }>): void => {
    try {
      members.set(e.key, JSON.parse(e.text));
    } catch (err) {
      throw new FileProblem(`invalid JSON in member "${e.key}" at byte ${e.offset} (line ${e.line}): ${(err as Error).message}`);
    }
  };

  // Read until the first feature or the end, so the declared crs (written before "features") is known up front.
  const pending: ScanEvent[] = [];
  const fill = async (): Promise<boolean> => {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
    if (bytesRead === 0) {
      scanner.end();
      return false;
    }
    read += bytesRead;
    scanner.push(buffer.subarray(0, bytesRead));
    pending.push(...scanner.events.splice(0));
    return true;
  };
  const syntax = (err: unknown): never => {
    if (err instanceof JsonSyntaxError) throw new FileProblem(`invalid JSON: ${err.message}`);
    throw err;
  };

  try {
    while (!pending.some((e) => e.kind === 'feature')) {
      const more = await fill().catch(syntax);
      while (pending.length && pending[0].kind === 'member') member(pending.shift() as Extract<ScanEvent, { kind: 'member' }>);
      if (!more) break;
    }
  } catch (err) {
    await close();
    throw err;
  }
  const declared = crsFromMember(members.get('crs'));

  async function* records(): AsyncGenerator<SourceRecord> {
    try {
      while (true) {
        while (pending.length) {
          const e = pending.shift() as ScanEvent;
          if (e.kind === 'member') member(e);
          else {
            sawFeatures = true;
            yield parseEvent(e);
          }
        }
        if (options.signal?.aborted) throw abortError(options.signal);
        if (closed || !(await fill().catch(syntax))) break;
      }
      while (pending.length) {
        const e = pending.shift() as ScanEvent;
        if (e.kind === 'member') member(e);
        else yield parseEvent(e);
      }
      const type = members.get('type');
      if (sawFeatures || members.has('features') || type === 'FeatureCollection') {
        if (type !== 'FeatureCollection') warnings.push(`top-level "type" is ${JSON.stringify(type)}, expected "FeatureCollection"; read its "features" anyway`);
        return;
      }
      if (type === 'Feature') {
        yield featureRecord(Object.fromEntries(members), 0);
        return;
      }
      if (typeof type === 'string' && GEOMETRY_TYPES.has(type)) {
        throw new FileProblem(`the file is a bare ${type} geometry, not a Feature or FeatureCollection: wrap it in a Feature with properties (户数、名称…)`, 'type');
      }
      throw new FileProblem(`not GeoJSON: expected "type": "FeatureCollection" or "Feature", found ${type === undefined ? 'no type' : JSON.stringify(type)}`, 'type');
    } finally {
      await close();
    }
  }

  const takeRecord = (): SourceRecord | undefined => {
    if (closed || pending.length === 0 || pending[0].kind !== 'feature') return undefined;
    sawFeatures = true;
    return parseEvent(pending.shift() as Extract<ScanEvent, { kind: 'feature' }>);
  };

  return {
    format: 'geojson',
    kind: 'features',
    takeRecord,
    columns: [],
    declaredCrs: declared ?? undefined,
    warnings,
    records: records(),
    progress: () => (size > 0 ? read / size : null),
    close,
  };
}
