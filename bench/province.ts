// The province-scale run (`npm run bench -- --parts province`): 5.6 million settlements, the size of the spatial join
// QGIS runs out of memory on (its issue #44084: 5.6 million points against 172,000 polygons), against the L demo's
// 500,000 coverage polygons. The settlements are L's, each written 11 or 12 times a few hundred metres apart under
// ids of their own (seeded: the same file every time), into bench/data/XL/. One run of each: `analyze` from the
// files (JSON report, and rates only), the import into a workspace, and `analyze WORKSPACE.gpkg` first and cached.
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { measureCli, measureReport, type CliCommand } from './cli-bundle';
import { demoFiles, type Measure } from './measure';
import { clearCache, emptyWorkspace } from './workspace';

/** The QGIS issue's point count. */
export const PROVINCE_SETTLEMENTS = 5_600_000;
const SEED = 44084;

/**
 * Writes L's settlements PROVINCE_SETTLEMENTS / 500,000 times over (rounded: the first ones once more): copy k > 0 of a
 * settlement moves up to ~1 km and gets the id "<id>-k" and no committee seat. The demo writes a feature a line.
 */
async function writeProvinceSettlements(from: string, to: string, count: number): Promise<number> {
  const out = createWriteStream(to);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  let s = SEED;
  const random = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(from) })) if (line.startsWith('{"type":"Feature"')) lines.push(line.replace(/,$/, ''));
  const per = Math.floor(count / lines.length);
  const extra = count - per * lines.length;
  await write('{"type":"FeatureCollection","name":"演示聚居区（省级规模）","synthetic":true,"source":"演示数据","features":[\n');
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
    const f = JSON.parse(lines[i]) as { geometry: { coordinates: [number, number] }; properties: { id: string; committee: boolean } };
    const batch: string[] = [];
    for (let k = 0; k < per + (i < extra ? 1 : 0); k++) {
      const [x, y] = f.geometry.coordinates;
      const at = k === 0 ? [x, y] : [Number((x + (random() - 0.5) * 0.02).toFixed(6)), Number((y + (random() - 0.5) * 0.02).toFixed(6))];
      const properties = { ...f.properties, id: k === 0 ? f.properties.id : `${f.properties.id}-${k}`, committee: k === 0 && f.properties.committee };
      batch.push(`${n++ ? ',' : ''}{"type":"Feature","geometry":{"type":"Point","coordinates":[${at[0]},${at[1]}]},"properties":${JSON.stringify(properties)}}\n`);
    }
    await write(batch.join(''));
  }
  await write(']}\n');
  out.end();
  await once(out, 'finish');
  return n;
}

/** bench/data/XL/settlements.geojson, written when missing, and L's coverage files. */
export async function provinceFiles(dataDir: string) {
  const l = await demoFiles(dataDir, 'L');
  const dir = join(dataDir, 'XL');
  const settlements = join(dir, 'settlements.geojson');
  const marker = join(dir, 'options.json');
  const options = JSON.stringify({ seed: SEED, settlements: PROVINCE_SETTLEMENTS, from: 'L' });
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== options) {
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`writing ${PROVINCE_SETTLEMENTS.toLocaleString('en')} settlements into ${dir} …\n`);
    await writeProvinceSettlements(l.settlements, settlements, PROVINCE_SETTLEMENTS);
    writeFileSync(marker, options);
  }
  return { settlements, mobile: l.mobile, broadband: l.broadband };
}

export interface ProvinceRow { what: string; measure: Measure }

export interface ProvinceFigures { rows: ProvinceRow[]; bytes: number; inputs: { settlements: number; mobilePolygons: number; broadbandPolygons: number } }

/** The report's `inputs`, from its last bytes (a report of millions of settlements is not parsed whole for it). */
function reportInputs(path: string): ProvinceFigures['inputs'] {
  const size = statSync(path).size;
  const tail = Buffer.alloc(Math.min(size, 1 << 20));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  const found = /"inputs":(\{[^}]*\})/.exec(tail.toString('utf8'));
  if (!found) throw new Error(`${path}: no "inputs" in its last ${tail.length} bytes`);
  return JSON.parse(found[1]) as ProvinceFigures['inputs'];
}

export async function benchProvince(dataDir: string, work: string, cli: CliCommand, log: (line: string) => void): Promise<ProvinceFigures> {
  const f = await provinceFiles(dataDir);
  const inputs = ['--settlements', f.settlements, ...f.mobile.flatMap((m) => ['--mobile', m]), '--broadband', f.broadband];
  const bytes = [f.settlements, ...f.mobile, f.broadband].reduce((sum, p) => sum + statSync(p).size, 0);
  const rows: ProvinceRow[] = [];
  const row = (what: string, measure: Measure) => {
    rows.push({ what, measure });
    log(`  province: ${what}: ${measure.seconds.toFixed(2)} s, ${measure.peakMB?.toFixed(0)} MB`);
  };
  mkdirSync(work, { recursive: true });
  const json = join(work, 'province.json');
  row('`analyze` from the GeoJSON files, JSON report', measureReport(cli, inputs, json));
  const counted = reportInputs(json);
  row('… rates only (`--format table`)', measureCli(cli, ['analyze', ...inputs, '--format', 'table']));
  const ws = join(work, 'province.gpkg');
  emptyWorkspace(ws);
  row('import the settlements GeoJSON', measureCli(cli, ['import', ws, '--role', 'settlements', f.settlements, '--quiet']));
  for (const m of f.mobile) measureCli(cli, ['import', ws, '--role', 'mobile', m, '--quiet']);
  measureCli(cli, ['import', ws, '--role', 'broadband', f.broadband, '--quiet']);
  clearCache(ws);
  row('`analyze WORKSPACE.gpkg`, first run (JSON report)', measureReport(cli, [ws], json));
  row('… re-run (cached settlement columns and masks)', measureReport(cli, [ws], json));
  rmSync(work, { recursive: true, force: true });
  return { rows, bytes, inputs: counted };
}

export function formatProvince({ rows, bytes, inputs }: ProvinceFigures): string {
  const count = (n: number) => n.toLocaleString('en');
  return [
    `| ${count(inputs.settlements)} settlements × ${count(inputs.mobilePolygons)} mobile × ${count(inputs.broadbandPolygons)} broadband polygons (${(bytes / 1e6).toFixed(0)} MB of GeoJSON) | wall | CPU | peak RSS |`,
    '|---|---|---|---|',
    ...rows.map(({ what, measure: m }) => `| ${what} | ${m.seconds.toFixed(2)} s | ${m.cpuSeconds?.toFixed(2) ?? '?'} s | ${m.peakMB?.toFixed(0) ?? '?'} MB |`),
  ].join('\n');
}
