// Writes a large settlements FeatureCollection for the memory check: `tsx tests/import/make-big-geojson.ts out.geojson 100`
// (size in MB). Also used by geojson-stream.test.ts with a smaller size, and by the bench, which writes the same
// settlements as a CSV table, an Excel workbook, a zipped Shapefile and a KML document too (writeBigCsv, writeBigXlsx,
// writeBigShapefile, writeBigKml).
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { dbf, shp, zip } from '../fixtures/bad/build';

/** Settlement `count` of the generated files: its attributes (Chinese names) in column order, then lon, lat. */
function settlement(count: number): [string, string, number, string, string, string, string, string, string] {
  const lon = 114 + ((count * 7919) % 250000) / 100000;
  const lat = 24.6 + ((count * 104729) % 250000) / 100000;
  return [`S${count}`, `自然村${count % 997}`, 25 + (count % 80), `村${count % 331}`, `镇${count % 41}`, '于都县', 'x'.repeat(count % 40), lon.toFixed(6), lat.toFixed(6)];
}

const NAMES = ['编号', '自然村', '户数', '行政村', '乡镇', '县区', '备注'];

/** Writes `head`, then settlements a thousand at a time (`row` gives each one's text) until `done(bytes, count)`, then `tail`. */
async function writeBatches(path: string, head: string, tail: string, row: (count: number) => string, done: (bytes: number, count: number) => boolean): Promise<number> {
  const out = createWriteStream(path);
  let written = 0;
  let count = 0;
  const write = async (s: string): Promise<void> => {
    written += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(head);
  while (!done(written, count)) {
    const parts: string[] = [];
    for (let k = 0; k < 1000; k++, count++) parts.push(row(count));
    await write(parts.join(''));
  }
  await write(tail);
  out.end();
  await once(out, 'finish');
  return count;
}

export function writeBigGeoJson(path: string, megabytes: number): Promise<number> {
  return writeBatches(path, '{"type":"FeatureCollection","name":"big","features":[\n', ']}\n', (count) => {
    const v = settlement(count);
    const properties = NAMES.map((name, k) => `"${name}":${typeof v[k] === 'number' ? v[k] : `"${v[k]}"`}`).join(',');
    return `${count ? ',' : ''}{"type":"Feature","properties":{${properties}},"geometry":{"type":"Point","coordinates":[${v[7]},${v[8]}]}}\n`;
  }, (bytes) => bytes >= megabytes * 1024 * 1024);
}

/** The first `rows` settlements (rounded up to a thousand) of writeBigGeoJson's file as a CSV table with 经度/纬度 columns. */
export function writeBigCsv(path: string, rows: number): Promise<number> {
  return writeBatches(path, `${[...NAMES, '经度', '纬度'].join(',')}\n`, '', (count) => `${settlement(count).join(',')}\n`, (_, count) => count >= rows);
}

/** The first `rows` settlements as one worksheet with 经度/纬度 columns, its texts shared strings, as Excel and WPS write them. */
export async function writeBigXlsx(path: string, rows: number): Promise<number> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true });
  const sheet = book.addWorksheet('聚居区');
  sheet.addRow([...NAMES, '经度', '纬度']).commit();
  for (let count = 0; count < rows; count++) {
    const v = settlement(count);
    sheet.addRow([...v.slice(0, 7), Number(v[7]), Number(v[8])]).commit();
  }
  sheet.commit();
  await book.commit();
  return rows;
}

/** The first `rows` settlements as KML placemarks, their attributes ExtendedData, as Google Earth and 奥维地图 export them. */
export function writeBigKml(path: string, rows: number): Promise<number> {
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document><name>聚居区</name>\n<Folder><name>于都县</name>\n';
  return writeBatches(path, head, '</Folder>\n</Document>\n</kml>\n', (count) => {
    const v = settlement(count);
    const data = NAMES.map((name, k) => `<Data name="${name}"><value>${v[k]}</value></Data>`).join('');
    return `<Placemark id="${v[0]}"><name>${v[1]}</name><ExtendedData>${data}</ExtendedData><Point><coordinates>${v[7]},${v[8]},0</coordinates></Point></Placemark>\n`;
  }, (_, count) => count >= rows);
}

const WGS84_PRJ = 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';

/**
 * The first `rows` settlements as a zipped Shapefile: points, and a UTF-8 .dbf whose text fields are as wide as
 * GIS departments make them.
 */
export function writeBigShapefile(path: string, rows: number): number {
  const values = Array.from({ length: rows }, (_, count) => settlement(count));
  const widths = [20, 40, 6, 40, 40, 20, 80];
  const fields = NAMES.map((name, k) => ({ name, type: k === 2 ? 'N' as const : 'C' as const, length: widths[k] }));
  const { shp: points, shx } = shp({ type: 1, points: values.map((v) => [Number(v[7]), Number(v[8])]) });
  writeFileSync(path, zip([
    { name: 'settlements.shp', data: points },
    { name: 'settlements.shx', data: shx },
    { name: 'settlements.dbf', data: dbf(fields, values.map((v) => v.slice(0, 7))) },
    { name: 'settlements.cpg', data: Buffer.from('UTF-8') },
    { name: 'settlements.prj', data: Buffer.from(WGS84_PRJ) },
  ]));
  return rows;
}

if (process.argv[1]?.endsWith('make-big-geojson.ts')) {
  const [path, mb] = process.argv.slice(2);
  writeBigGeoJson(path, Number(mb ?? 100)).then((n) => console.log(`${n} features → ${path}`));
}
