// The deterministic demo generator (演示数据): in-memory GeoJSON and a streaming file writer.
export { DEFAULT_DEMO_OPTIONS, DEMO_PRESETS, buildDemoModel, generateDemo, resolveOptions } from './generate';
export type { Demo, DemoLayer, DemoModel, DemoOptions } from './generate';
export { writeDemoFiles } from './write';
export type { DemoFiles } from './write';
export { boundaryFeatures, broadbandFeatures, DEMO_SOURCE, mobileFeatures, settlementFeatures, siteFeatures } from './features';
export { COUNTY_TARGETS, GANZHOU_HULL_LONLAT, MIN_HOUSEHOLDS } from './world';
export { Rng, hash32 } from './prng';
