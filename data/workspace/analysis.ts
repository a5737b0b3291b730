// The coverage analysis over a workspace's layers, equal to analyzeCoverage() over readFeatures() of every layer
// (same report, same problems in the same order) but without GeoJSON objects for coverage, and with atlas_cache:
// the settlement columns and the per-settlement coverage masks are kept, so a re-analysis (other thresholds or
// targets, another session) reads them back and only re-summarizes.
import { EMPTY_CAMPAIGN, type CampaignContext } from '../../gis/campaign';
import { classifyPoints, hilbertOrder } from '../../gis/classify';
import { IssueList } from '../../gis/issues';
import { buildMeasurementTable } from '../../gis/measurements';
import { coverageBuildOptions, PolygonSetBuilder } from '../../gis/polygon-set';
import type { AnalysisOptions, AnalysisReport } from '../../gis/report';
import { resolveOptions, summarizeMeasured } from '../../gis/analyze';
import { SettlementTableBuilder, type SettlementTable } from '../../gis/settlement-table';
import type { LayerInfo } from '../../api/contract';
import { feedCoverage, feedSettlements } from './layer-tables';
import type { Workspace } from './index';

/** Bumped whenever what is cached, or how it is derived, changes: older entries then no longer match. */
const CACHE_FORMAT = 2;

const ids = (layers: readonly LayerInfo[]) => layers.map((l) => [l.id, l.featureCount]);

export interface WorkspaceAnalysisStats {
  /** Which cache entries were found valid and used. */
  settlementsCached: boolean;
  masksCached: boolean;
  /** Which entries this analysis stored. */
  stored: string[];
}

/**
 * Analyses the workspace's settlements against its mobile and broadband layers (and measurements, which are read
 * each time). Throws InputError exactly as analyzeCoverage() would over the same features.
 */
export function analyzeWorkspace(
  ws: Workspace,
  partial: Partial<AnalysisOptions> = {},
  campaign: CampaignContext = EMPTY_CAMPAIGN,
  stats?: WorkspaceAnalysisStats,
): AnalysisReport {
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

  const issues = new IssueList();
  let table = cachedTable(ws.cacheEntry('settlements'), tableInputs);
  const tableFromCache = table !== null;
  if (!table) {
    const name = settlementLayers.map((l) => l.name).join(' + ') || '(no settlements layer)';
    const builder = new SettlementTableBuilder(name, issues, settlementLayers.reduce((n, l) => n + l.featureCount, 0));
    for (const l of settlementLayers) {
      const { table: t, columns } = ws.layerStorage(l.id);
      feedSettlements(db, t, columns, builder);
    }
    table = builder.finish();
  }
  let masks = cachedMasks(ws.cacheEntry('masks'), maskInputs, table.count);
  const masksFromCache = masks !== null;
  let mobile: PolygonSetBuilder | null = null;
  let broadband: PolygonSetBuilder | null = null;
  if (!masks) {
    mobile = new PolygonSetBuilder(coverageBuildOptions('mobile', options.mobileTechs), issues);
    broadband = new PolygonSetBuilder(coverageBuildOptions('broadband'), issues);
    for (const [builder, list] of [[mobile, mobileLayers], [broadband, broadbandLayers]] as const) {
      list.forEach((l, s) => {
        const { table: t, columns } = ws.layerStorage(l.id);
        feedCoverage(db, t, columns, builder, s, l.name);
      });
    }
  }
  const measurementSources = measurementLayers.map((l) => ({ name: l.name, features: [...ws.readFeatures(l.id)] }));
  const measurements = measurementSources.length ? buildMeasurementTable(measurementSources, issues) : null;
  issues.throwIfAny();

  const stored: string[] = [];
  if (!tableFromCache && ws.storeCacheEntry('settlements', tableInputs, encodeTable(table))) stored.push('settlements');
  if (!masks) {
    // Each polygon set is dropped once classified.
    const order = hilbertOrder(table.lon, table.lat);
    const m = mobile!.finish();
    const mobileMask = classifyPoints(table.lon, table.lat, m, undefined, order);
    const mobilePolygons = m.polygonCount;
    const b = broadband!.finish();
    masks = { mobile: mobileMask, broadband: classifyPoints(table.lon, table.lat, b, undefined, order), mobilePolygons, broadbandPolygons: b.polygonCount };
    if (ws.storeCacheEntry('masks', maskInputs, encodeMasks(masks))) stored.push('masks');
  }
  if (stats) Object.assign(stats, { settlementsCached: tableFromCache, masksCached: masksFromCache, stored });

  const inputs = { settlements: table.count, mobilePolygons: masks.mobilePolygons, broadbandPolygons: masks.broadbandPolygons };
  return summarizeMeasured(table, masks.mobile, masks.broadband, measurements, campaign, options, inputs);
}

interface Masks { mobile: Uint8Array; broadband: Uint8Array; mobilePolygons: number; broadbandPolygons: number }

// ---- Cache encodings: a JSON header (length-prefixed), then typed columns at 8-byte-aligned offsets. ----

const STRING_COLUMNS = ['id', 'name', 'county', 'township', 'village'] as const;

function pack(header: unknown, columns: ArrayBufferView[]): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const align = (n: number) => Math.ceil(n / 8) * 8;
  let size = align(4 + json.length);
  for (const c of columns) size = align(size + c.byteLength);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  let at = align(4 + json.length);
  for (const c of columns) {
    out.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at);
    at = align(at + c.byteLength);
  }
  return out;
}

/** The header, and a reader of the next column (copied out, so that its offset is aligned). */
function unpack(data: Uint8Array): { header: unknown; bytes: (n: number) => ArrayBuffer } {
  const align = (n: number) => Math.ceil(n / 8) * 8;
  const len = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
  const header = JSON.parse(Buffer.from(data.buffer, data.byteOffset + 4, len).toString('utf8'));
  let at = align(4 + len);
  return {
    header,
    bytes: (n) => {
      if (at + n > data.byteLength) throw new RangeError('atlas_cache entry truncated');
      const out = data.buffer.slice(data.byteOffset + at, data.byteOffset + at + n) as ArrayBuffer;
      at = align(at + n);
      return out;
    },
  };
}

// Text columns as indices into one list of distinct strings: county, township and village names repeat, and
// reading them back then makes one string per distinct value (less to parse, less garbage, faster Map keys).
const NO_CODE = 0xffffffff;

function encodeTable(t: SettlementTable): Uint8Array {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const column = (values: readonly (string | undefined)[]) => {
    const out = new Uint32Array(t.count);
    for (let i = 0; i < t.count; i++) {
      const v = values[i];
      if (v === undefined) {
        out[i] = NO_CODE;
        continue;
      }
      let k = index.get(v);
      if (k === undefined) {
        k = strings.length;
        strings.push(v);
        index.set(v, k);
      }
      out[i] = k;
    }
    return out;
  };
  const columns = [...STRING_COLUMNS.map((k) => column(t[k])), column(t.code)];
  return pack({ count: t.count, strings }, [...columns, t.households, t.lon, t.lat, t.committee]);
}

function cachedTable(entry: { inputs: string; data: Uint8Array } | undefined, inputs: string): SettlementTable | null {
  if (!entry || entry.inputs !== inputs) return null;
  const { header, bytes } = unpack(entry.data);
  const { count: n, strings } = header as { count: number; strings: string[] };
  const text = () => {
    const idx = new Uint32Array(bytes(4 * n));
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = strings[idx[i]];
    return out;
  };
  const [id, name, county, township, village] = STRING_COLUMNS.map(text);
  const codeIdx = new Uint32Array(bytes(4 * n));
  const code: (string | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) if (codeIdx[i] !== NO_CODE) code[i] = strings[codeIdx[i]];
  return {
    count: n, id, name, county, township, village, code,
    households: new Float64Array(bytes(8 * n)), lon: new Float64Array(bytes(8 * n)), lat: new Float64Array(bytes(8 * n)),
    committee: new Uint8Array(bytes(n)),
  };
}

function encodeMasks(m: Masks): Uint8Array {
  return pack({ count: m.mobile.length, mobilePolygons: m.mobilePolygons, broadbandPolygons: m.broadbandPolygons }, [m.mobile, m.broadband]);
}

function cachedMasks(entry: { inputs: string; data: Uint8Array } | undefined, inputs: string, count: number): Masks | null {
  if (!entry || entry.inputs !== inputs) return null;
  const { header, bytes } = unpack(entry.data);
  const h = header as { count: number; mobilePolygons: number; broadbandPolygons: number };
  if (h.count !== count) return null;
  return { mobile: new Uint8Array(bytes(count)), broadband: new Uint8Array(bytes(count)), mobilePolygons: h.mobilePolygons, broadbandPolygons: h.broadbandPolygons };
}
