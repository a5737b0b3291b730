// analyzeGeoJsonFiles on worker threads gives the report one thread gives, and the same problems in the same
// order, whichever thread happened to scan which file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeCoverage, InputError, ISSUE_CAP, resolveOptions, type AnalysisOptions, type AnalysisReport } from '../../gis';
import { analyzeGeoJsonFiles, writeGeoJsonAnalysisJson, type AnalysisFiles } from '../../data/analyze-files';
import { crewWorkerCount, prestartCrewWorkers, takeSpareWorker, waitForSpareBoot } from '../../data/crew-start';
import { readGeoJsonFile } from '../../data/read-geojson';
import { campaignSeeds } from '../../seeds/campaign';
import { writeDemoFiles } from '../../seeds/demo';

let dir: string;
let demo: AnalysisFiles;
const campaign = campaignSeeds();
const options: AnalysisOptions = resolveOptions({});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-parallel-'));
  const { files } = await writeDemoFiles(join(dir, 'demo'), { seed: 7, settlements: 4000, mobilePolygons: 5000, broadbandPolygons: 2000 });
  demo = { settlements: files.settlements, mobile: files.mobile, broadband: [files.broadband] };
}, 60_000);

async function problems(run: Promise<unknown>): Promise<InputError> {
  const e = await run.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

const fc = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });
const polygon = (operator: unknown, x = 114) =>
  ({ type: 'Feature', properties: { operator }, geometry: { type: 'Polygon', coordinates: [[[x, 25], [x + 1, 25], [x + 1, 26], [x, 25]]] } });

describe('analyzeGeoJsonFiles', () => {
  it('one thread and three threads give the same report as the object path over the same files', async () => {
    const one = await analyzeGeoJsonFiles(demo, options, campaign, { threads: 1 });
    const three = await analyzeGeoJsonFiles(demo, options, campaign, { threads: 3, minParallelBytes: 0 });
    expect(three).toEqual(one);
    const read = (path: string) => ({ name: path, features: readGeoJsonFile(path).features });
    const objects: AnalysisReport = analyzeCoverage({
      settlements: read(demo.settlements),
      mobile: demo.mobile.map(read),
      broadband: demo.broadband.map(read),
      campaign,
      options,
    });
    expect(one).toEqual(objects);
    expect(one.inputs.settlements).toBe(4000);
    expect(one.rates.city.mobile.covered).toBeGreaterThan(0);
  }, 120_000);

  it('classifying in small ranges claimed by three threads gives the one-thread report', async () => {
    const one = await analyzeGeoJsonFiles(demo, options, campaign, { threads: 1 });
    // 4000 points in ranges of 97: every file's ranges are spread over the threads, the last one short.
    const ranged = await analyzeGeoJsonFiles(demo, options, campaign, { threads: 3, minParallelBytes: 0, rangePoints: 97 });
    expect(ranged).toEqual(one);
    const single = await analyzeGeoJsonFiles(demo, options, campaign, { threads: 1, rangePoints: 97 });
    expect(single).toEqual(one);
  }, 120_000);

  it('problems come in file order with the same cap, whichever thread scanned each file', async () => {
    const settlements = join(dir, 'bad-settlements.geojson');
    writeFileSync(settlements, fc([
      { type: 'Feature', geometry: { type: 'Point', coordinates: [114.5, 25.5] }, properties: { id: 'a', households: 30, county: '于都县' } },
      { type: 'Feature', geometry: { type: 'Point', coordinates: [114.5, 25.5] }, properties: { id: 'a', households: '二十', county: '于都县' } },
    ]));
    // Big enough that the worker takes it first; 150 bad features, so the cap falls inside the next file.
    const mobileBig = join(dir, 'bad-mobile-big.geojson');
    writeFileSync(mobileBig, fc([...Array.from({ length: 2000 }, () => polygon('移动')), ...Array.from({ length: 150 }, () => polygon('中国铁塔'))]));
    const mobileSmall = join(dir, 'bad-mobile-small.geojson');
    writeFileSync(mobileSmall, fc(Array.from({ length: 120 }, () => polygon(null))));
    const broadband = join(dir, 'bad-broadband.geojson');
    writeFileSync(broadband, fc([polygon('电信'), { type: 'Feature', properties: { operator: '电信' }, geometry: { type: 'Point', coordinates: [1, 2] } }]));
    const files = { settlements, mobile: [mobileSmall, mobileBig], broadband: [broadband] };

    const one = await problems(analyzeGeoJsonFiles(files, options, campaign, { threads: 1 }));
    const two = await problems(analyzeGeoJsonFiles(files, options, campaign, { threads: 2, minParallelBytes: 0 }));
    expect(two.issues).toEqual(one.issues);
    expect(two.message).toBe(one.message);
    expect(one.message).toMatch(/more problems not shown/);
    expect(one.issues).toHaveLength(ISSUE_CAP);
    expect(one.issues.slice(0, 2).map((i) => [i.feature, i.field])).toEqual([[1, 'id'], [1, 'households']]);
    expect(one.issues[2]).toMatchObject({ source: mobileSmall, feature: 0, field: 'operator' });
    expect(one.issues[122]).toMatchObject({ source: mobileBig, feature: 2000, field: 'operator' });
  }, 120_000);

  it('written as JSON, the report is the one-thread report, whichever thread computed the rates', async () => {
    const expected = JSON.stringify(await analyzeGeoJsonFiles(demo, options, campaign, { threads: 1 })) + '\n';
    for (const threads of [1, 2, 3]) {
      const out = join(dir, `report-${threads}.json`);
      await writeGeoJsonAnalysisJson(demo, options, campaign, out, { threads, minParallelBytes: 0, rangePoints: 997 });
      expect(readFileSync(out, 'utf8')).toBe(expected);
    }
  }, 120_000);

  it('written as JSON, problems are the same and an earlier report at the path is left as it was', async () => {
    const notJson = join(dir, 'not-json-2.geojson');
    writeFileSync(notJson, '{"type":"FeatureCollection","features":[{"type":');
    const bad = join(dir, 'bad-settlements-2.geojson');
    writeFileSync(bad, fc([{ type: 'Feature', geometry: { type: 'Point', coordinates: [114.5, 25.5] }, properties: { id: 'a', households: -1, county: '于都县' } }]));
    for (const files of [{ ...demo, broadband: [notJson] }, { ...demo, settlements: bad }]) {
      const one = await problems(analyzeGeoJsonFiles(files, options, campaign, { threads: 1 }));
      const out = join(dir, 'earlier.json');
      writeFileSync(out, 'earlier report');
      const two = await problems(writeGeoJsonAnalysisJson(files, options, campaign, out, { threads: 2, minParallelBytes: 0 }));
      expect(two.issues).toEqual(one.issues);
      expect(readFileSync(out, 'utf8')).toBe('earlier report');
    }
  }, 120_000);

  it('workers started before the analysis get their part by message and give the same report', async () => {
    const one = await analyzeGeoJsonFiles(demo, options, campaign, { threads: 1 });
    prestartCrewWorkers(2);
    // They say so once Node has started them, before they load the analysis (a generous bound for a loaded machine).
    expect(waitForSpareBoot(30_000)).toBe(true);
    const out = join(dir, 'prestarted.json');
    await writeGeoJsonAnalysisJson(demo, options, campaign, out, { threads: 3, minParallelBytes: 0 });
    expect(readFileSync(out, 'utf8')).toBe(JSON.stringify(one) + '\n');
    // Both were taken; one left over would not keep the process alive (unref'd) and is taken by the next analysis.
    expect(takeSpareWorker()).toBeUndefined();
    prestartCrewWorkers(1);
    expect(await analyzeGeoJsonFiles(demo, options, campaign, { threads: 2, minParallelBytes: 0 })).toEqual(one);
    expect(takeSpareWorker()).toBeUndefined();
  }, 120_000);

  it('counts the workers an analysis starts: one per coverage file at most, none for small inputs', () => {
    const files = [demo.settlements, ...demo.mobile, ...demo.broadband];
    expect(crewWorkerCount(files, 4, 3, 0)).toBe(2);
    expect(crewWorkerCount(files, 1, 8, 0)).toBe(1);
    expect(crewWorkerCount(files, 4, 1, 0)).toBe(0);
    expect(crewWorkerCount(files, 4, 3)).toBe(0);
    expect(crewWorkerCount([join(dir, 'missing.geojson')], 1, 2, 1)).toBe(0);
  });

  it('whole-file problems are reported alone, in file order', async () => {
    const notJson = join(dir, 'not-json.geojson');
    writeFileSync(notJson, '{"type":"FeatureCollection","features":[{"type":');
    const files = { settlements: demo.settlements, mobile: [join(dir, 'missing.geojson'), ...demo.mobile], broadband: [notJson] };
    const one = await problems(analyzeGeoJsonFiles(files, options, campaign, { threads: 1 }));
    const two = await problems(analyzeGeoJsonFiles(files, options, campaign, { threads: 2, minParallelBytes: 0 }));
    expect(two.issues).toEqual(one.issues);
    expect(one.issues.map((i) => [i.source, i.field])).toEqual([[files.mobile[0], 'file'], [notJson, 'file']]);
  }, 120_000);
});
