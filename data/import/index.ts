// Import entry points: preview a file (format, columns, detected mapping and CRS, sample, warnings) and open it as a
// stream of validated canonical features in batches. Every failure comes back as an ImportIssue, never a raw throw.
import { open as openFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { ImportIssue, ImportPreview, ImportRequest, LayerRole } from '../../api/contract';
import { FirstSeen } from '../../gis/first-seen';
import type { Feature, Operator } from '../../gis/types';
import { BatchEncoder, type EncodedBatch } from '../workspace/batch-encoder';
import { canonicalFields, canonicalize, canonicalizeSettlements, POLYGON_ROLES, type CanonicalContext } from './canonical';
import { outsideGanzhou, suspectGcjOffset, swappedDegrees, swappedProjected, GANZHOU_BBOX, BBOX_MARGIN_DEG } from './checks';
import { detectFromSample, loadProjections, ProjectionsNotLoaded, resolveChoice, resolvePrj, type CrsResolution } from './crs';
import { abortError, FileProblem, ImportIssuesError, IssueSink } from './issues';
import { detectMapping, mergeMapping, operatorFromFileName, parseCoordinate, ROLE_FIELDS, type CanonicalField } from './mapping';
import { detectFormat, FORMATS, HEAD_BYTES } from './registry';
import type { Source, SourceRecord } from './source';

export { sitesToSectors } from './sectors';
export { suspectGcjOffset } from './checks';
export { ImportIssuesError } from './issues';
export { openImportInWorker, WORKER_MIN_BYTES, type ImportBatch } from './in-worker';
export { FORMATS, detectFormat } from './registry';

export interface ImportStream<B = Feature[]> {
  format: string;
  /** Attribute names that will be stored (canonical + extra columns). */
  fields: string[];
  geometryType: 'POINT' | 'POLYGON' | 'MULTIPOLYGON';
  /** Valid, canonical features in batches (~1000), or rows encoded from them (openImportInWorker). WGS-84 lon/lat. */
  batches: AsyncIterable<B>;
  /** Filled while iterating; final once `batches` is exhausted. Non-empty → the caller writes NOTHING. */
  issues: ImportIssue[];
  /** More issues existed than the cap (200). */
  truncated: boolean;
  /** Filled while iterating too: swapped axes, points outside Ganzhou, duplicate ids, rings closed… */
  warnings: string[];
}

export interface OpenOptions {
  signal?: AbortSignal;
  onProgress?: (rows: number, fraction: number | null) => void;
  /**
   * WGS-84 positions of the same places from a layer already trusted (e.g. settlements when re-importing them from
   * another source). When given, the import warns if the new layer sits off it the way GCJ-02 does.
   */
  reference?: [number, number][];
  /**
   * Yield EncodedBatch rows rather than features: each feature is encoded as soon as it is validated, so that its
   * geometry's arrays die young (see BatchEncoder).
   */
  encode?: boolean;
}

const BATCH = 1000;
/** Records read ahead to find feature attribute names, coordinates for CRS detection and the preview sample. */
const HEAD_RECORDS = 1000;
const PREVIEW_ROWS = 20;
/** Positions compared with the reference layer for the GCJ-02 check. */
const GCJ_SAMPLE = 2000;

interface Prepared {
  source: Source;
  head: SourceRecord[];
  rest: AsyncIterator<SourceRecord>;
  columns: string[];
  mapping: Record<string, string | null>;
  crs: CrsResolution | null;
  crsReason: string;
  ctx: CanonicalContext | null;
  warnings: string[];
  /** File-level problems found before reading the body (mapping, CRS, required columns). */
  problems: { field: string; message: string }[];
}

function fileStem(path: string): string {
  return basename(path, extname(path));
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await openFile(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Turns a thrown error into a file-level problem sentence; AbortErrors pass through. */
function fileProblem(err: unknown, path: string): { field: string; message: string; row: number } {
  if (err instanceof FileProblem) return { field: err.field, message: err.message, row: err.row };
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return { field: 'file', message: `file not found: ${path}`, row: -1 };
  if (e?.code === 'EISDIR') return { field: 'file', message: `${path} is a folder; expected a file`, row: -1 };
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return { field: 'file', message: `no permission to read ${path}`, row: -1 };
  return { field: 'file', message: `cannot read the file: ${(e as Error)?.message ?? String(err)}`, row: -1 };
}

function isAbort(err: unknown): boolean {
  return (err as Error)?.name === 'AbortError';
}

/**
 * A geometry's first position, read level by level for its type so that each read meets one kind of array: a walk
 * reading positions at the same place as rings (`c = c[0]` while the item is an array) can turn positions from
 * unboxed doubles into boxed elements, and every later reader of positions slows down (bench/RESULTS.md, ninth
 * session). Null for a malformed or empty geometry.
 */
function firstPosition(g: unknown): [number, number] | null {
  const geom = g as { type?: unknown; coordinates?: unknown[]; geometries?: unknown[] } | null;
  switch (geom?.type) {
    case 'Point': return pair(geom.coordinates);
    case 'MultiPoint': case 'LineString': return pair(geom.coordinates?.[0]);
    case 'Polygon': case 'MultiLineString': return pair((geom.coordinates?.[0] as unknown[] | undefined)?.[0]);
    case 'MultiPolygon': return pair(((geom.coordinates?.[0] as unknown[] | undefined)?.[0] as unknown[] | undefined)?.[0]);
    case 'GeometryCollection': return firstPosition(geom.geometries?.[0]);
    default: return null;
  }
}

function pair(p: unknown): [number, number] | null {
  return Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number' ? [p[0], p[1]] : null;
}

async function prepare(path: string, request: ImportRequest, signal?: AbortSignal): Promise<Prepared> {
  const display = request.file || path;
  if (!Object.hasOwn(ROLE_FIELDS, request.role)) {
    throw new FileProblem(`unknown layer role "${String(request.role)}"; expected one of ${Object.keys(ROLE_FIELDS).join(', ')}`, 'role');
  }
  const head = await readHead(path);
  const format = detectFormat(head, path);
  if (!format) {
    const known = FORMATS.flatMap((f) => f.extensions).join(' ');
    throw new FileProblem(`unknown file format (${extname(path) || 'no extension'}); expected GeoJSON, CSV, XLSX, zipped Shapefile, KML or KMZ (${known})`, 'format');
  }
  const mod = await format.load();
  const source = await mod.open(path, { displayName: display, encoding: request.encoding, sheet: request.sheet, signal });
  const rest = source.records[Symbol.asyncIterator]();
  const records: SourceRecord[] = [];
  try {
    while (records.length < HEAD_RECORDS) {
      const r = await rest.next();
      if (r.done) break;
      records.push(r.value);
    }
  } catch (err) {
    await rest.return?.();
    throw err;
  }
  const warnings = [...source.warnings];
  const problems: { field: string; message: string }[] = [];
  const role: LayerRole = request.role;
  const isTable = source.kind === 'table';

  let columns = source.columns;
  if (columns.length === 0) {
    const seen = new Set<string>();
    for (const r of records) for (const k of Object.keys(r.properties)) seen.add(k);
    columns = [...seen];
  }

  // Mapping: detected, then the user's overrides (which must name real columns and known fields).
  const detected = detectMapping(columns, role, isTable, records.map((r) => r.properties));
  const roleFields = ROLE_FIELDS[role].fields as string[];
  const overrides: Record<string, string> = {};
  for (const [field, column] of Object.entries(request.mapping ?? {})) {
    if (!roleFields.includes(field)) problems.push({ field, message: `mapping: "${field}" is not a field of ${role} layers; expected one of ${roleFields.join(', ')}` });
    else if (column && !columns.includes(column)) problems.push({ field, message: `mapping: column "${column}" not found; the file has: ${columns.join(', ')}` });
    else overrides[field] = column;
  }
  const mapping = mergeMapping(detected, overrides);

  // Coordinates sample (source CRS) for swap checks and CRS detection.
  let sample: [number, number][] = [];
  if (isTable && mapping.lon && mapping.lat) {
    for (const r of records) {
      const x = parseCoordinate(r.properties[mapping.lon]);
      const y = parseCoordinate(r.properties[mapping.lat]);
      if (x.ok && y.ok) sample.push([x.value, y.value]);
    }
    const userChoseAxes = Boolean(request.mapping?.lon || request.mapping?.lat);
    const swapped = sample.filter(([x, y]) => swappedDegrees(x, y) || swappedProjected(x, y)).length;
    if (sample.length && swapped > sample.length / 2) {
      if (!userChoseAxes) {
        [mapping.lon, mapping.lat] = [mapping.lat, mapping.lon];
        sample = sample.map(([x, y]) => [y, x]);
      }
      warnings.push(
        `经纬度疑似颠倒：前 ${records.length} 行中 ${swapped} / ${sample.length} 个点的“${mapping.lat}”像经度、“${mapping.lon}”像纬度` +
        `${userChoseAxes ? '，但已按您的映射导入' : '，已自动对调（如不正确可在字段映射中改回）'} / ` +
        `longitude and latitude look swapped in ${swapped} of ${sample.length} sampled rows${userChoseAxes ? '; kept your mapping' : '; swapped them in the mapping'}`,
      );
    }
  } else if (!isTable) {
    for (const r of records) {
      const p = firstPosition(r.geometry);
      if (p) sample.push(p);
    }
    const swapped = sample.filter(([x, y]) => swappedDegrees(x, y)).length;
    if (sample.length && swapped > 0) {
      warnings.push(`坐标疑似经纬度颠倒：前 ${sample.length} 个要素中 ${swapped} 个的 x 在 24–28、y 在 113–117 / ` +
        `${swapped} of ${sample.length} sampled features have x in 24–28 and y in 113–117: the file stores lat,lon instead of lon,lat`);
    }
  }

  // CRS: explicit choice, then .prj, then what the file declares, then the numbers themselves.
  let crs: CrsResolution | null = null;
  const resolveCrs = (): CrsResolution | null => {
    if (request.crs && request.crs !== 'auto') return resolveChoice(request.crs);
    if (source.prj) return resolvePrj(source.prj);
    if (source.declaredCrs && source.declaredCrs.choice !== 'auto') {
      return { ...resolveChoice(source.declaredCrs.choice), choice: source.declaredCrs.choice, reason: source.declaredCrs.reason };
    }
    const auto = detectFromSample(sample);
    if (auto.problem) problems.push({ field: 'crs', message: auto.problem });
    return auto.resolution;
  };
  try {
    try {
      crs = resolveCrs();
    } catch (err) {
      // Projected coordinates: proj4 is loaded on first need (see crs.ts), then the same resolution again.
      if (!(err instanceof ProjectionsNotLoaded)) throw err;
      await loadProjections();
      crs = resolveCrs();
    }
  } catch (err) {
    problems.push({ field: 'crs', message: (err as Error).message });
  }
  if (crs?.warning) warnings.push(crs.warning);
  const crsReason = crs?.reason ?? problems.find((p) => p.field === 'crs')?.message ?? 'unknown';

  // Required columns.
  let defaultOperator: Operator | null = null;
  for (const f of ROLE_FIELDS[role].required) {
    if (mapping[f]) continue;
    if (f === 'operator') {
      defaultOperator = operatorFromFileName(basename(display));
      if (defaultOperator) {
        warnings.push(`没有运营商列，按文件名取为 ${defaultOperator} / no operator column: every feature gets ${defaultOperator} from the file name`);
        continue;
      }
    }
    problems.push({ field: f, message: `no column for the required field "${f}"; the file has: ${columns.join(', ') || '(no columns)'}; map one of them` });
  }
  if (isTable && (role === 'settlements' || role === 'sites') && (!mapping.lon || !mapping.lat)) {
    for (const f of ['lon', 'lat'] as const) {
      if (!mapping[f]) problems.push({ field: f, message: `no column for ${f === 'lon' ? 'longitude (经度)' : 'latitude (纬度)'}; the file has: ${columns.join(', ')}; map one of them` });
    }
  }
  if (isTable && POLYGON_ROLES.has(role)) {
    problems.push({ field: 'geometry', message: `a ${source.format.toUpperCase()} table has no polygons: ${role} layers need GeoJSON, Shapefile or KML` });
  }

  // Extras: every column not used by the mapping keeps its values under its own name.
  const used = new Set(Object.values(mapping).filter((c): c is string => Boolean(c)));
  const canonicalNames = new Set(Object.keys(ROLE_FIELDS).flatMap((r) => ROLE_FIELDS[r as LayerRole].fields as string[]));
  const extras = columns.filter((c) => !used.has(c)).map((column) => ({ column, stored: canonicalNames.has(column) ? `src_${column}` : column }));

  const ctx: CanonicalContext | null = crs
    ? { role, kind: source.kind, mapping, crs, stem: fileStem(display), defaultOperator, extras }
    : null;
  return { source, head: records, rest, columns, mapping, crs, crsReason, ctx, warnings, problems };
}

/**
 * Reads enough of a file to show the import dialog. Throws ImportIssuesError (with row -1 issues) when the file cannot
 * be read at all; mapping and CRS problems are reported as warnings so the user can fix them in the dialog.
 */
export async function previewImport(path: string, request: ImportRequest): Promise<ImportPreview> {
  const display = request.file || path;
  let prep: Prepared;
  try {
    prep = await prepare(path, request);
  } catch (err) {
    const p = fileProblem(err, display);
    throw new ImportIssuesError([{ file: display, row: p.row, field: p.field, message: p.message }]);
  }
  await prep.rest.return?.();
  const warnings = [...prep.warnings, ...prep.problems.map((p) => `${p.field}: ${p.message}`)];
  if (prep.ctx) {
    const bad: string[] = [];
    let badRows = 0;
    for (const r of prep.head) {
      const res = r.problem ? { problems: [r.problem] } : canonicalize(r, prep.ctx);
      if (res.problems.length) {
        badRows++;
        if (bad.length < 5) bad.push(`row ${r.row}: ${res.problems[0].field}: ${res.problems[0].message}`);
      }
    }
    if (badRows) warnings.push(`前 ${prep.head.length} 行中 ${badRows} 行有问题 / ${badRows} of the first ${prep.head.length} rows have problems: ${bad.join('; ')}`);
  }
  return {
    format: prep.source.format,
    fields: prep.columns,
    mapping: prep.mapping,
    ...(prep.source.sheets ? { sheets: prep.source.sheets } : {}),
    ...(prep.source.encoding ? { encoding: prep.source.encoding } : {}),
    crs: { detected: prep.crs?.choice ?? 'auto', reason: prep.crsReason },
    sample: prep.head.slice(0, PREVIEW_ROWS).map((r) => ({ ...r.properties, ...(r.geometry !== undefined ? { geometry: (r.geometry as { type?: string } | null)?.type ?? null } : {}) })),
    warnings,
  };
}

/** A batch's features as they are, for callers that want features. */
class FeatureList {
  private list: Feature[] = [];

  get pending(): number {
    return this.list.length;
  }

  add(f: Feature): void {
    this.list.push(f);
  }

  take(): Feature[] {
    const out = this.list;
    this.list = [];
    return out;
  }
}

/** Opens a file for import. The returned stream validates while it is iterated; see ImportStream. */
export async function openImport(path: string, request: ImportRequest, opts?: OpenOptions & { encode?: false }): Promise<ImportStream>;
export async function openImport(path: string, request: ImportRequest, opts: OpenOptions & { encode: true }): Promise<ImportStream<EncodedBatch>>;
export async function openImport(path: string, request: ImportRequest, opts: OpenOptions = {}): Promise<ImportStream<Feature[] | EncodedBatch>> {
  const display = request.file || path;
  const sink = new IssueSink(display);
  const polygonRole = POLYGON_ROLES.has(request.role);
  const stream: ImportStream<Feature[] | EncodedBatch> = {
    format: 'unknown', fields: [], geometryType: polygonRole ? 'MULTIPOLYGON' : 'POINT',
    batches: (async function* () {})(), issues: sink.issues, truncated: false, warnings: [],
  };
  let prep: Prepared;
  try {
    opts.signal?.throwIfAborted();
    prep = await prepare(path, request, opts.signal);
  } catch (err) {
    if (isAbort(err)) throw err;
    const p = fileProblem(err, display);
    sink.add(p.row, p.field, p.message);
    return stream;
  }
  stream.format = prep.source.format;
  stream.warnings.push(...prep.warnings);
  if (prep.head.length === 0 && (prep.source.kind === 'features' || prep.problems.length === 0)) {
    // Feature attributes come from the features: with none, mapping problems ("no column for …") would only confuse.
    // A table's header is known, so its mapping problems (a notes sheet, the wrong sheet) say more than this would.
    sink.add(-1, 'file', `the file holds no ${prep.source.kind === 'table' ? 'data rows below the header' : 'features'}; expected at least one`);
    await prep.rest.return?.();
    return stream;
  }
  // Records that failed to parse (bad JSON in a feature, a feature that is not an object) name their own problem;
  // report them even when file-level problems (often caused by them: no attributes seen) stop the import early.
  if (prep.problems.length || !prep.ctx) {
    for (const r of prep.head) if (r.problem) sink.add(r.row, r.problem.field, r.problem.message);
  }
  for (const p of prep.problems) sink.add(-1, p.field, p.message);
  const ctx = prep.ctx;
  const hasFeatureIds = prep.head.some((r) => r.id !== undefined);
  stream.fields = [...canonicalFields(request.role, prep.mapping, hasFeatureIds), ...(ctx?.extras.map((e) => e.stored) ?? [])];
  if (!ctx || sink.issues.length) {
    await prep.rest.return?.();
    return stream;
  }
  const knownColumns = new Set(prep.columns);
  const { signal, onProgress, reference } = opts;
  const checkGcj = Boolean(reference?.length) && ctx.crs.choice !== 'gcj02' && ctx.crs.choice !== 'bd09';

  stream.batches = (async function* () {
    // Ids as met (repeats too) and their rows: FirstSeen indexes them without a Map of millions of strings.
    const idKeys: string[] = [];
    const idRows: number[] = [];
    const ids = new FirstSeen(idKeys);
    const duplicates: string[] = [];
    let duplicateCount = 0;
    let points = 0;
    let outside = 0;
    let closedRings = 0;
    let rows = 0;
    const unknownKeys = new Set<string>();
    const lastKeys: string[] = [];
    const gcjSample: [number, number][] = [];
    const encoder = opts.encode ? new BatchEncoder(stream.geometryType) : null;
    const batch = encoder ?? new FeatureList();
    const noteKeys = (properties: Record<string, unknown>): void => {
      // Features mostly repeat their keys in order: a key the previous feature had at the same place was checked.
      let j = 0;
      for (const k in properties) {
        if (j < lastKeys.length && lastKeys[j] === k) {
          j++;
          continue;
        }
        lastKeys[j++] = k;
        if (Object.hasOwn(properties, k) && !knownColumns.has(k)) unknownKeys.add(k);
      }
    };
    const notePoint = (x: number, y: number): void => {
      if (checkGcj && gcjSample.length < GCJ_SAMPLE) gcjSample.push([x, y]);
      points++;
      if (outsideGanzhou(x, y)) outside++;
    };
    /** Records `id` as row's (repeats too); the index in idKeys of its first occurrence when it repeats, else -1. */
    const recordId = (id: string, row: number): number => {
      idKeys.push(id);
      idRows.push(row);
      return ids.check(idKeys.length - 1);
    };
    const features = prep.source.kind === 'features';
    const handle = (r: SourceRecord): void => {
      rows++;
      if (features) noteKeys(r.properties);
      if (r.problem) {
        sink.add(r.row, r.problem.field, r.problem.message);
        return;
      }
      const res = canonicalize(r, ctx);
      if (!res.feature) {
        for (const p of res.problems) sink.add(r.row, p.field, p.message);
        return;
      }
      const f = res.feature;
      closedRings += res.closedRings;
      // A canonical point's coordinates are its finite [lon, lat]; a polygon's first position is looked up only for
      // the GCJ-02 sample.
      const g = f.geometry;
      if (g?.type === 'Point') notePoint(g.coordinates[0], g.coordinates[1]);
      else if (checkGcj && gcjSample.length < GCJ_SAMPLE) {
        const pos = firstPosition(g);
        if (pos) gcjSample.push(pos);
      }
      const id = (f.properties as { id?: unknown }).id;
      if (typeof id === 'string') {
        const earlier = recordId(id, r.row);
        if (earlier >= 0) {
          const first = idRows[earlier];
          duplicateCount++;
          if (request.role === 'settlements') sink.add(r.row, 'id', `id "${id}" repeats row ${first}; expected unique ids (rows ${first} and ${r.row})`);
          else if (duplicates.length < 5) duplicates.push(`"${id}" (rows ${first} and ${r.row})`);
        }
      }
      if (sink.issues.length === 0) batch.add(f);
    };
    const handleAll = (records: readonly SourceRecord[]): null => {
      for (const r of records) {
        handle(r);
        if (sink.full) break;
      }
      return null;
    };
    /**
     * A whole batch of settlement records encoded a column at a time when canonicalizeSettlements takes it: the same
     * rows as handle() would add one by one. Null once the records have gone through handle() instead.
     */
    const settlementBatch = (group: readonly SourceRecord[], into: BatchEncoder): EncodedBatch | null => {
      const c = canonicalizeSettlements(group, ctx);
      if (!c) return handleAll(group);
      for (let i = 0; i < c.count; i++) {
        if (recordId(c.ids[i], group[i].row) >= 0) {
          // A repeated id is an issue: handle() records and reports it and goes on from that record; the records
          // before it are added as handle() would have added them.
          idKeys.pop();
          idRows.pop();
          for (let k = 0; k < i; k++) into.add(canonicalize(group[k], ctx).feature);
          return handleAll(group.slice(i));
        }
        rows++;
        if (features) noteKeys(group[i].properties);
        notePoint(c.lon[i], c.lat[i]);
      }
      return into.encodePoints(c.count, c.lon, c.lat, c.ids, c.keys, c.values);
    };
    const columnar = encoder !== null && request.role === 'settlements' ? encoder : null;
    const group: SourceRecord[] = [];
    const nextRecord = async (): Promise<SourceRecord | undefined> => {
      const next = await prep.rest.next();
      return next.done ? undefined : next.value;
    };
    const flush = (): Feature[] | EncodedBatch | null => (batch.pending === 0 ? null : batch.take());
    try {
      handleAll(prep.head);
      prep.head = [];
      while (!sink.full) {
        if (batch.pending >= BATCH) {
          signal?.throwIfAborted();
          onProgress?.(rows, prep.source.progress());
          // With issues nothing is written: the batch is dropped.
          const out = batch.take();
          if (sink.issues.length === 0) yield out;
        }
        if (columnar && batch.pending === 0 && sink.issues.length === 0) {
          // A batch's records are all read before any is handled. Those read before the file ends (or fails) are
          // handled one by one, as the records of a file's last partial batch always are.
          group.length = 0;
          let ended = false;
          try {
            while (group.length < BATCH) {
              const r = prep.source.takeRecord?.() ?? await nextRecord();
              if (!r) {
                ended = true;
                break;
              }
              group.push(r);
            }
          } catch (err) {
            handleAll(group);
            throw err;
          }
          const out = group.length === BATCH ? settlementBatch(group, columnar) : handleAll(group);
          if (out) {
            signal?.throwIfAborted();
            onProgress?.(rows, prep.source.progress());
            yield out;
          }
          if (ended) break;
          continue;
        }
        const ready = prep.source.takeRecord?.();
        if (ready) {
          handle(ready);
          continue;
        }
        const next = await prep.rest.next();
        if (next.done) break;
        handle(next.value);
      }
    } catch (err) {
      if (isAbort(err)) throw err;
      if (signal?.aborted) throw abortError(signal);
      const p = fileProblem(err, display);
      sink.add(p.row, p.field, p.message);
    } finally {
      stream.truncated = sink.truncated;
      await prep.rest.return?.();
    }
    signal?.throwIfAborted();
    onProgress?.(rows, 1);
    stream.warnings.push(...prep.source.warnings.filter((w) => !stream.warnings.includes(w)));
    if (outside > 0) {
      const [w, s, e, n] = GANZHOU_BBOX;
      stream.warnings.push(`${outside} / ${points} 个点在赣州范围外 / ${outside} of ${points} points are outside Ganzhou ` +
        `(${w}–${e}°E, ${s}–${n}°N, ±${BBOX_MARGIN_DEG}°): check the coordinate system`);
    }
    if (duplicateCount > 0 && request.role !== 'settlements') {
      stream.warnings.push(`${duplicateCount} 个编号重复 / ${duplicateCount} duplicate ids, e.g. ${duplicates.join(', ')}`);
    }
    if (checkGcj && gcjSample.length > 0) {
      const g = suspectGcjOffset(gcjSample, reference as [number, number][]);
      if (g.suspected) {
        stream.warnings.push(`疑似 GCJ-02（火星）坐标：与参考图层的中位偏移 ${Math.round(g.medianShiftMetres)} 米，按 GCJ-02 转换后为 ` +
          `${Math.round(g.improvedMetres)} 米，请将坐标系选为 GCJ-02 后重新导入 / looks like GCJ-02: median offset from the reference ` +
          `${Math.round(g.medianShiftMetres)} m, ${Math.round(g.improvedMetres)} m after a trial GCJ-02 → WGS-84 conversion; re-import with crs gcj02`);
      }
    }
    if (closedRings > 0) stream.warnings.push(`${closedRings} rings were not closed; closed them by repeating the first position`);
    if (unknownKeys.size > 0) {
      stream.warnings.push(`attributes first seen after the first ${HEAD_RECORDS} features were not stored: ${[...unknownKeys].slice(0, 10).join(', ')}`);
    }
    if (sink.issues.length === 0) {
      const last = flush();
      if (last) yield last;
    }
  })();
  return stream;
}

export type { CanonicalField };
