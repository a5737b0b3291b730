// Writes a large settlements FeatureCollection for the memory check: `tsx tests/import/make-big-geojson.ts out.geojson 100`
// (size in MB). Also used by geojson-stream.test.ts with a smaller size.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export async function writeBigGeoJson(path: string, megabytes: number): Promise<number> {
  const out = createWriteStream(path);
  const target = megabytes * 1024 * 1024;
  let written = 0;
  let count = 0;
  const write = async (s: string): Promise<void> => {
    written += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('{"type":"FeatureCollection","name":"big","features":[\n');
  while (written < target) {
    const parts: string[] = [];
    for (let k = 0; k < 1000; k++, count++) {
      const lon = 114 + ((count * 7919) % 250000) / 100000;
      const lat = 24.6 + ((count * 104729) % 250000) / 100000;
      parts.push(`${count ? ',' : ''}{"type":"Feature","properties":{"编号":"S${count}","自然村":"自然村${count % 997}",` +
        `"户数":${25 + (count % 80)},"行政村":"村${count % 331}","乡镇":"镇${count % 41}","县区":"于都县","备注":"${'x'.repeat(count % 40)}"},` +
        `"geometry":{"type":"Point","coordinates":[${lon.toFixed(6)},${lat.toFixed(6)}]}}\n`);
    }
    await write(parts.join(''));
  }
  await write(']}\n');
  out.end();
  await once(out, 'finish');
  return count;
}

if (process.argv[1]?.endsWith('make-big-geojson.ts')) {
  const [path, mb] = process.argv.slice(2);
  writeBigGeoJson(path, Number(mb ?? 100)).then((n) => console.log(`${n} features → ${path}`));
}
