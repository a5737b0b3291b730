// Where `analyze` spends its time, phase by phase, on one thread: `tsx bench/phases.ts [S|M|L]` over the bench
// data (`npm run bench` generates it). Wall and CPU milliseconds per phase; the report is written to the OS
// temporary folder. For reading profiles, not for the benchmark table (tsx adds its own start-up).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveOptions } from '../gis';
import { CoverageFile, finishAnalysis, SettlementFile, type CoverageFileResult } from '../gis/scan';
import { scanGeoJsonFile, writeReportJson } from '../data/fast-read';
import { loadCampaign } from '../cli/campaign';

const size = (process.argv[2] ?? 'M').toUpperCase();
const dir = join(import.meta.dirname, 'data', size);
const options = resolveOptions({});
let wall = performance.now();
let cpu = process.cpuUsage();
const lap = (what: string) => {
  const now = performance.now(), used = process.cpuUsage(cpu);
  process.stdout.write(`${what.padEnd(30)} ${(now - wall).toFixed(0).padStart(6)} ms  CPU ${((used.user + used.system) / 1000).toFixed(0).padStart(6)} ms\n`);
  wall = now;
  cpu = process.cpuUsage();
};

const settlements = new SettlementFile(join(dir, 'settlements.geojson'));
const problem = scanGeoJsonFile(settlements.name, settlements.scanner());
lap('settlements: scan');
const points = settlements.scanned(problem);
lap('settlements: Hilbert order');
const results: CoverageFileResult[] = [];
for (const [kind, name] of [['mobile', 'mobile-CMCC'], ['mobile', 'mobile-CT'], ['mobile', 'mobile-CU'], ['broadband', 'broadband']] as const) {
  const file = new CoverageFile(kind, join(dir, `${name}.geojson`), options);
  const issue = scanGeoJsonFile(file.name, file.scanner());
  lap(`${name}: scan`);
  file.scanned(issue);
  lap(`${name}: pack + index`);
  results.push(file.classify(points));
  lap(`${name}: classify`);
}
const report = finishAnalysis(settlements, results, options, loadCampaign());
lap('summarize');
writeReportJson(join(tmpdir(), `atlas-phases-${size}.json`), report);
lap('JSON report written');
