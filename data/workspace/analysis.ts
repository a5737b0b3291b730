// The coverage analysis over a workspace's layers, equal to analyzeCoverage() over readFeatures() of every layer
// (same report, same problems in the same order) but without GeoJSON objects for coverage, and with atlas_cache:
// the settlement columns and the per-settlement coverage masks are kept, so a re-analysis (other thresholds or
// targets, another session) reads them back and only re-summarizes.
import { EMPTY_CAMPAIGN, type CampaignContext } from '../../gis/campaign';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { hilbertOrder } from '../../gis/classify';
import { MISSING, StringDictionary } from '../../gis/dictionary';
import { IssueList } from '../../gis/issues';
import { buildMeasurementTable, type MeasurementTable } from '../../gis/measurements';
import type { AnalysisOptions, AnalysisReport } from '../../gis/report';
import { completeReport, resolveOptions, summarizeMeasured, summarizeRates, summarizeSeats } from '../../gis/analyze';
import { groupSettlements, type SettlementGroups } from '../../gis/settlement-groups';
import { SettlementTableBuilder, type SettlementTable } from '../../gis/settlement-table';
import { combineCoverage, type CombinedCoverage } from '../../gis/scan';
import type { LayerInfo } from '../../api/contract';
import { controlArray, CrewMember, crewFailure, portMesh, RANGE_POINTS, sharedPoints, startCrewWorker, type CoverageJob } from '../analysis-crew';
import { writeReportJson } from '../fast-read';
import { layerPacker } from './layer-crew';
import { feedSettlements } from './layer-tables';
import type { CacheEntry } from './cache';
import type { Workspace } from './index';

/** Bumped whenever what is cached, or how it is derived, changes: older entries then no longer match. */
const CACHE_FORMAT = 4;

const ids = (layers: readonly LayerInfo[]) => layers.map((l) => [l.id, l.featureCount]);

export interface WorkspaceAnalysisStats {
  /** Which cache entries were found valid and used. */
  settlementsCached: boolean;
  masksCached: boolean;
  /** Which entries this analysis stored. */
  stored: string[];
}

/** Threads of a first analysis (every core by default); below `minParallelPolygons` coverage features, one thread. */
export interface WorkspaceParallelOptions {
  threads?: number;
  minParallelPolygons?: number;
  rangePoints?: number;
}

/** Measured on the L demo: below this, starting workers and their connections costs more than it saves. */
export const MIN_PARALLEL_POLYGONS = 100_000;

/**
 * Analyses the workspace's settlements against its mobile and broadband layers (and measurements, which are read
 * each time). Throws InputError exactly as analyzeCoverage() would over the same features. Without cached masks,
 * worker threads read and pack the coverage layers while this thread reads the settlements, then all of them
 * classify (data/analysis-crew.ts).
 */
export async function analyzeWorkspace(
  ws: Workspace,
  partial: Partial<AnalysisOptions> = {},
  campaign: CampaignContext = EMPTY_CAMPAIGN,
  stats?: WorkspaceAnalysisStats,
  parallel: WorkspaceParallelOptions = {},
): Promise<AnalysisReport> {
  const { table, masks, options, inputs, measurements } = await classifyWorkspace(ws, partial, campaign, stats, parallel, false);
  if (measurements) return summarizeMeasured(table, masks.mobile, masks.broadband, measurements, campaign, options, inputs);
  return completeReport(summarizeRates(table, masks.mobile, masks.broadband, campaign, options, inputs));
}

/**
 * JSON.stringify(analyzeWorkspace(...)) + "\n" written to `path`. When workers classify, the first of them computes the
 * rates and writes them as JSON bytes while this thread writes the settlement list (as a file analysis does).
 */
export async function writeWorkspaceAnalysisJson(
  ws: Workspace,
  path: string,
  partial: Partial<AnalysisOptions> = {},
  campaign: CampaignContext = EMPTY_CAMPAIGN,
  stats?: WorkspaceAnalysisStats,
  parallel: WorkspaceParallelOptions = {},
): Promise<void> {
  const c = await classifyWorkspace(ws, partial, campaign, stats, parallel, true);
  const { table, masks, options, inputs, rates } = c;
  try {
    if (!rates) {
      await writeReportJson(path, c.measurements
        ? summarizeMeasured(table, masks.mobile, masks.broadband, c.measurements, campaign, options, inputs)
        : summarizeRates(table, masks.mobile, masks.broadband, campaign, options, inputs));
      return;
    }
    await writeReportJson(path, summarizeSeats(table, masks.mobile, masks.broadband, options, inputs, rates.groups), rates.json);
  } finally {
    c.stop();
  }
}

interface ClassifiedWorkspace {
  options: AnalysisOptions;
  table: SettlementTable;
  masks: CombinedCoverage;
  measurements: MeasurementTable | null;
  inputs: AnalysisReport['inputs'];
  /** When the first worker computes the rates: the groups it was sent, and its rates as JSON once they come. */
  rates: { groups: SettlementGroups; json: () => Promise<Uint8Array> } | null;
  /** Stops the workers left (the rates writer's, until its rates have come). */
  stop(): void;
}

/** Reads (or takes from atlas_cache) the settlements and their coverage masks; throws InputError on problems. */
async function classifyWorkspace(
  ws: Workspace,
  partial: Partial<AnalysisOptions>,
  campaign: CampaignContext,
  stats: WorkspaceAnalysisStats | undefined,
  parallel: WorkspaceParallelOptions,
  ratesByWorker: boolean,
): Promise<ClassifiedWorkspace> {
  const options = resolveOptions(partial);
  const layers = ws.layers();
  const of = (role: LayerInfo['role']) => layers.filter((l) => l.role === role);
  const settlementLayers = of('settlements');
  const mobileLayers = of('mobile');
  const broadbandLayers = of('broadband');
  const measurementLayers = of('measurements');
  const db = ws.sqlite();

  const tableInputs = JSON.stringify({ format: CACHE_FORMAT, settlements: ids(settlementLayers) });
  // The mobile mask depends on the techs kept (case-insensitive, as the builder compares them), never on thresholds.
  const techs = options.mobileTechs ? [...new Set(options.mobileTechs.map((t) => t.toUpperCase()))].sort() : null;
  const maskInputs = JSON.stringify({
    format: CACHE_FORMAT, settlements: ids(settlementLayers), mobile: ids(mobileLayers), broadband: ids(broadbandLayers), techs,
  });

  const cachedTableEntry = cachedTable(ws.cacheEntry('settlements'), tableInputs);
  // Masks are only checked against a cached table here; a table read anew is checked below (a rare case: the
  // crew has then started for nothing).
  let masks = cachedTableEntry ? cachedMasks(ws.cacheEntry('masks'), maskInputs, cachedTableEntry.count) : null;
  // Measurements annotate the whole report: then this thread computes the rates with the rest.
  const crew = masks ? null : coverageCrew(ws, mobileLayers, broadbandLayers, options, parallel, ratesByWorker && measurementLayers.length === 0);
  const stop = () => { for (const w of crew?.workers ?? []) void w.terminate(); };

  const issues = new IssueList();
  const stored: string[] = [];
  let groups: SettlementGroups | undefined;
  let table = cachedTableEntry;
  try {
    if (!table) {
      const name = settlementLayers.map((l) => l.name).join(' + ') || '(no settlements layer)';
      const builder = new SettlementTableBuilder(name, issues, settlementLayers.reduce((n, l) => n + l.featureCount, 0));
      for (const l of settlementLayers) {
        const { table: t, columns } = ws.layerStorage(l.id);
        feedSettlements(db, t, columns, builder);
      }
      table = builder.finish();
      masks = cachedMasks(ws.cacheEntry('masks'), maskInputs, table.count);
    }
    const classify = crew && !masks;
    if (classify) {
      const usable = issues.count === 0;
      crew.member.publishPoints(sharedPoints(usable ? { lon: table.lon, lat: table.lat, order: hilbertOrder(table.lon, table.lat) } : null, crew.jobs.length, crew.workers.length > 0));
    }
    // Valid settlement columns are stored while the workers go on packing coverage (they no longer wait for this
    // thread, which joins them afterwards): at the end this thread alone would be working.
    if (!cachedTableEntry && issues.count === 0 && storeEncoded(ws, 'settlements', tableInputs, encodeTable(table))) stored.push('settlements');
    if (classify && crew.writesRates) {
      // Likewise the settlements' groups, for the worker that computes the rates (null: problems, reported below).
      groups = issues.count === 0 ? groupSettlements(table, campaign) : undefined;
      crew.member.sendTo(0, { kind: 'groups', input: groups ? { groups, households: table.households } : null });
    }
    if (classify) {
      // Waits that let the event loop turn: a worker that stops without a word is heard of (crew.failed).
      await crew.member.workUntilDoneAsync(crew.failed);
      await crew.member.waitForRangesAsync(crew.failed);
    }
  } catch (e) {
    stop();
    throw e;
  }
  // Every worker but the rates writer has finished its part.
  if (!crew?.writesRates || !groups) stop();
  const masksFromCache = masks !== null;
  let coverage: CombinedCoverage | null = null;
  if (crew && !masks) {
    const results = crew.member.results();
    for (const r of results) issues.absorb(r.issues, r.issueCount);
    coverage = combineCoverage(table.count, results);
  }
  try {
    const measurementSources = measurementLayers.map((l) => ({ name: l.name, features: [...ws.readFeatures(l.id)] }));
    const measurements = measurementSources.length ? buildMeasurementTable(measurementSources, issues) : null;
    issues.throwIfAny();

    if (!masks) {
      masks = coverage!;
      if (storeEncoded(ws, 'masks', maskInputs, encodeMasks(masks))) stored.push('masks');
    }
    if (stats) Object.assign(stats, { settlementsCached: cachedTableEntry !== null, masksCached: masksFromCache, stored });
    const inputs = { settlements: table.count, mobilePolygons: masks.mobilePolygons, broadbandPolygons: masks.broadbandPolygons };
    const rates = crew?.writesRates && groups ? { groups, json: () => crew.member.ratesJsonAsync(crew.failed) } : null;
    return { options, table, masks, measurements, inputs, rates, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

/**
 * The crew for the coverage layers, started before the settlements are read: one job per layer (biggest first),
 * workers only when the workspace is a file and big enough.
 */
function coverageCrew(
  ws: Workspace, mobile: readonly LayerInfo[], broadband: readonly LayerInfo[], options: AnalysisOptions, parallel: WorkspaceParallelOptions, ratesByWorker: boolean,
) {
  const slots = [...mobile.map((l, s) => ({ l, s, kind: 'mobile' as const })), ...broadband.map((l, s) => ({ l, s, kind: 'broadband' as const }))];
  const jobs: CoverageJob[] = slots.map(({ l, s, kind }, slot) => {
    const { table, columns } = ws.layerStorage(l.id);
    return { kind, name: l.name, slot, layer: { workspace: ws.path, table, columns, source: s } };
  });
  const features = slots.map(({ l }) => l.featureCount);
  jobs.sort((a, b) => features[b.slot] - features[a.slot] || a.slot - b.slot);
  const total = features.reduce((a, b) => a + b, 0);
  const threads = Math.max(1, Math.min(parallel.threads ?? availableParallelism(), jobs.length + 1));
  const workers = total >= (parallel.minParallelPolygons ?? MIN_PARALLEL_POLYGONS) && existsSync(ws.path) ? threads - 1 : 0;
  const data = { jobs, options, control: controlArray(jobs.length), rangePoints: parallel.rangePoints ?? RANGE_POINTS };
  const mesh = portMesh(workers + 1);
  const writesRates = ratesByWorker && workers > 0;
  const crews = mesh.slice(1).map((peers, k) => startCrewWorker({ ...data, peers, writesRates: writesRates && k === 0 }));
  return {
    jobs,
    writesRates,
    workers: crews.map((c) => c.worker),
    failed: crewFailure(crews),
    member: new CrewMember(data, mesh[0], layerPacker(ws.sqlite())),
  };
}

// ---- Cache encodings: a JSON header and typed columns, a part each (cache.ts). ----

interface Encoded { header: unknown; parts: ArrayBufferView[] }

function storeEncoded(ws: Workspace, key: string, inputs: string, { header, parts }: Encoded): boolean {
  return ws.storeCacheEntry(key, inputs, header, parts);
}

/**
 * Reads an entry's parts in order, each of the length expected, as an ArrayBuffer of its own (typed arrays start at
 * its offset 0, aligned; a part within a larger buffer is copied out): null when one is missing or of another length.
 */
function partReader(parts: readonly Uint8Array[]): (bytes: number) => ArrayBuffer | null {
  let k = 0;
  return (bytes) => {
    const p = parts[k++];
    if (!p || p.byteLength !== bytes) return null;
    return p.byteOffset === 0 && p.buffer.byteLength === bytes ? (p.buffer as ArrayBuffer) : (p.buffer.slice(p.byteOffset, p.byteOffset + bytes) as ArrayBuffer);
  };
}

// Ids as one text with their lengths; the other text columns as indices into one list of distinct strings (county,
// township, village and settlement names repeat), itself kept as one text with lengths. Ids are unique: numbering
// them cost a Map entry each, and reading back a JSON list of them a JSON.parse of every one.
const INDEXED_COLUMNS = ['name', 'county', 'township', 'village'] as const;

function encodeTable(t: SettlementTable): Encoded {
  const d = new StringDictionary();
  const indexed = [...INDEXED_COLUMNS.map((k) => d.column(t[k], t.count)), d.column(t.code, t.count)];
  const distinct = packStrings(d.strings);
  const ids = packStrings(t.id);
  return {
    header: { count: t.count, distinct: d.strings.length, distinctBytes: distinct.text.byteLength, idBytes: ids.text.byteLength },
    parts: [distinct.lengths, distinct.text, ids.lengths, ids.text, ...indexed, t.households, t.lon, t.lat, t.committee],
  };
}

function cachedTable(entry: CacheEntry | undefined, inputs: string): SettlementTable | null {
  if (!entry || entry.inputs !== inputs) return null;
  const { count: n, distinct, distinctBytes, idBytes } = entry.header as { count: number; distinct: number; distinctBytes: number; idBytes: number };
  const part = partReader(entry.parts);
  const distinctLengths = part(4 * distinct);
  const distinctText = part(distinctBytes);
  const idLengths = part(4 * n);
  const idText = part(idBytes);
  const indices = [...INDEXED_COLUMNS, 'code'].map(() => part(4 * n));
  const [households, lon, lat, committee] = [part(8 * n), part(8 * n), part(8 * n), part(n)];
  if (!distinctLengths || !distinctText || !idLengths || !idText || indices.some((c) => !c) || !households || !lon || !lat || !committee) return null;
  const strings = unpackStrings(new Uint32Array(distinctLengths), distinctText);
  const id = unpackStrings(new Uint32Array(idLengths), idText);
  const text = (at: number) => {
    const idx = new Uint32Array(indices[at]!);
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = strings[idx[i]];
    return out;
  };
  const [name, county, township, village] = INDEXED_COLUMNS.map((_, at) => text(at));
  const codeIdx = new Uint32Array(indices[INDEXED_COLUMNS.length]!);
  const code: (string | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) if (codeIdx[i] !== MISSING) code[i] = strings[codeIdx[i]];
  return {
    count: n, id, name, county, township, village, code,
    households: new Float64Array(households), lon: new Float64Array(lon), lat: new Float64Array(lat),
    committee: new Uint8Array(committee),
  };
}

/** Strings as one UTF-16 text and their lengths in code units: exact for any string, lone surrogates included. */
function packStrings(strings: readonly string[]): { lengths: Uint32Array; text: Uint8Array } {
  const lengths = new Uint32Array(strings.length);
  for (let i = 0; i < strings.length; i++) lengths[i] = strings[i].length;
  return { lengths, text: Buffer.from(strings.join(''), 'utf16le') };
}

function unpackStrings(lengths: Uint32Array, text: ArrayBuffer): string[] {
  const all = Buffer.from(text).toString('utf16le');
  const out: string[] = new Array(lengths.length);
  for (let i = 0, at = 0; i < lengths.length; i++) {
    const end = at + lengths[i];
    out[i] = all.slice(at, end);
    at = end;
  }
  return out;
}

function encodeMasks(m: CombinedCoverage): Encoded {
  return { header: { count: m.mobile.length, mobilePolygons: m.mobilePolygons, broadbandPolygons: m.broadbandPolygons }, parts: [m.mobile, m.broadband] };
}

function cachedMasks(entry: CacheEntry | undefined, inputs: string, count: number): CombinedCoverage | null {
  if (!entry || entry.inputs !== inputs) return null;
  const h = entry.header as { count: number; mobilePolygons: number; broadbandPolygons: number };
  if (h.count !== count) return null;
  const part = partReader(entry.parts);
  const [mobile, broadband] = [part(count), part(count)];
  if (!mobile || !broadband) return null;
  return { mobile: new Uint8Array(mobile), broadband: new Uint8Array(broadband), mobilePolygons: h.mobilePolygons, broadbandPolygons: h.broadbandPolygons };
}
