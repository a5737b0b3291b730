// generateDemo(): the deterministic synthetic demo (演示数据) as plain GeoJSON FeatureCollections.
import type { Feature, FeatureCollection, Operator } from '../../gis/types';
import { planCoverage, type CoveragePlan } from './coverage';
import { boundaryFeatures, broadbandFeatures, DEMO_SOURCE, mobileFeatures, settlementFeatures, siteFeatures } from './features';
import { addFillers } from './fillers';
import { buildWorld, type World } from './world';

export interface DemoOptions {
  seed: number;
  settlements: number;
  /** Total 4G/5G polygons over the three operators; fillers are added up to it (never fewer than the plan needs). */
  mobilePolygons?: number;
  broadbandPolygons?: number;
}

/** Benchmark sizes. S is the default demo; M and L are large enough to stress imports and analysis. */
export const DEMO_PRESETS = {
  S: { settlements: 20_000, mobilePolygons: 26_000, broadbandPolygons: 10_000 },
  M: { settlements: 50_000, mobilePolygons: 45_000, broadbandPolygons: 19_500 },
  L: { settlements: 500_000, mobilePolygons: 300_000, broadbandPolygons: 200_000 },
} as const satisfies Record<string, Omit<DemoOptions, 'seed'>>;

export const DEFAULT_DEMO_OPTIONS: DemoOptions = { seed: 2020, ...DEMO_PRESETS.S };

/** A layer with GeoJSON foreign members saying what it is: always synthetic. */
export type DemoLayer<F extends Feature = Feature> = FeatureCollection & { features: F[]; name: string; synthetic: true; source: typeof DEMO_SOURCE };

export interface Demo {
  settlements: DemoLayer;
  mobile: Record<Operator, DemoLayer>;
  broadband: DemoLayer;
  sites: DemoLayer;
  boundaries: DemoLayer;
  /** Listed villages (codes) whose committee seat deliberately lacks 4G / broadband. */
  exceptions: { mobile: string[]; broadband: string[] };
}

export interface DemoModel { world: World; plan: CoveragePlan; options: DemoOptions }

/**
 * Fills in defaults. Polygon targets default to preset S's only at S's size: a caller who asks for another
 * number of settlements without targets gets exactly the polygons the plan needs, no fillers.
 */
export function resolveOptions(options: Partial<DemoOptions> = {}): DemoOptions {
  const atS = options.settlements === undefined || options.settlements === DEMO_PRESETS.S.settlements;
  const o: DemoOptions = atS ? { ...DEFAULT_DEMO_OPTIONS, ...options } : { seed: DEFAULT_DEMO_OPTIONS.seed, ...options } as DemoOptions;
  if (!Number.isInteger(o.seed)) throw new RangeError(`generateDemo: seed must be an integer, got ${o.seed}`);
  for (const k of ['mobilePolygons', 'broadbandPolygons'] as const) {
    const v = o[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new RangeError(`generateDemo: ${k} must be a non-negative integer, got ${v}`);
  }
  return o;
}

/** World and coverage plan: everything the feature generators need, as compact records. */
export function buildDemoModel(options: Partial<DemoOptions> = {}): DemoModel {
  const o = resolveOptions(options);
  const world = buildWorld(o.seed, o.settlements);
  const plan = planCoverage(world);
  addFillers(world, plan, o.mobilePolygons ?? 0, o.broadbandPolygons ?? 0);
  return { world, plan, options: o };
}

export const layer = <F extends Feature>(name: string, features: F[]): DemoLayer<F> =>
  ({ type: 'FeatureCollection', name, synthetic: true, source: DEMO_SOURCE, features });

/** Same options → byte-identical output. Default: seed 2020, 20,000 settlements (preset S). */
export function generateDemo(options: Partial<DemoOptions> = {}): Demo {
  const { world: w, plan: p } = buildDemoModel(options);
  return {
    settlements: layer('演示聚居区', [...settlementFeatures(w)]),
    mobile: {
      CMCC: layer('演示4G覆盖-移动', [...mobileFeatures(w, p, 'CMCC')]),
      CT: layer('演示4G覆盖-电信', [...mobileFeatures(w, p, 'CT')]),
      CU: layer('演示4G覆盖-联通', [...mobileFeatures(w, p, 'CU')]),
    },
    broadband: layer('演示宽带覆盖', [...broadbandFeatures(w, p)]),
    sites: layer('演示基站', [...siteFeatures(w, p)]),
    boundaries: layer('示意行政边界', [...boundaryFeatures(w)]),
    exceptions: structuredClone(w.exceptions),
  };
}
