// Shapefile reader: a .zip holding .shp/.dbf/.prj/.cpg (first shapefile inside), or a bare .shp with its siblings.
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { decodeText, looksUtf8 } from '../encoding';
import { abortError, FileProblem } from '../issues';
import type { Source, SourceOptions, SourceRecord } from '../source';
import { extract, listZip } from '../zip';
import { readDbf } from './dbf';
import { readShpHeader, SHAPE_TYPES, shpRecords } from './shp';

interface Parts { shp: Uint8Array; dbf?: Uint8Array; prj?: Uint8Array; cpg?: Uint8Array; shpName: string; warnings: string[] }

const stem = (name: string): string => name.slice(0, name.length - extname(name).length);

async function fromZip(path: string): Promise<Parts> {
  const zip = await readFile(path);
  const entries = listZip(zip).filter((e) => !e.name.endsWith('/') && !/(^|\/)__MACOSX\//.test(e.name));
  const shps = entries.filter((e) => /\.shp$/i.test(e.name));
  if (shps.length === 0) {
    throw new FileProblem(`the ZIP holds no .shp file (found: ${entries.map((e) => e.name).slice(0, 8).join(', ') || 'nothing'}); expected a zipped Shapefile`);
  }
  const warnings: string[] = [];
  if (shps.length > 1) warnings.push(`压缩包内有 ${shps.length} 个 Shapefile，只导入了第一个 ${shps[0].name} / the ZIP holds ${shps.length} shapefiles; imported ${shps[0].name} only`);
  const base = stem(shps[0].name).toLowerCase();
  const siblings = entries.filter((e) => stem(e.name).toLowerCase() === base && /\.(shp|dbf|prj|cpg)$/i.test(e.name));
  const files = extract(zip, siblings);
  const get = (ext: string): Uint8Array | undefined => {
    const e = siblings.find((s) => extname(s.name).toLowerCase() === ext);
    return e ? files.get(e.name) : undefined;
  };
  return { shp: get('.shp') as Uint8Array, dbf: get('.dbf'), prj: get('.prj'), cpg: get('.cpg'), shpName: shps[0].name, warnings };
}

/** The files beside a .shp with its name (any case), by lower-case extension: `.dbf` → its path. */
export async function shapefileSiblings(path: string): Promise<Map<string, string>> {
  const dir = dirname(path);
  const base = stem(basename(path)).toLowerCase();
  const names = await readdir(dir);
  return new Map(names.filter((x) => stem(x).toLowerCase() === base).map((x) => [extname(x).toLowerCase(), join(dir, x)]));
}

async function fromDisk(path: string): Promise<Parts> {
  const siblings = await shapefileSiblings(path);
  const find = async (ext: string): Promise<Uint8Array | undefined> => {
    const sibling = siblings.get(ext);
    return sibling ? readFile(sibling) : undefined;
  };
  return { shp: await readFile(path), dbf: await find('.dbf'), prj: await find('.prj'), cpg: await find('.cpg'), shpName: basename(path), warnings: [] };
}

export async function open(path: string, options: SourceOptions): Promise<Source> {
  const parts = /\.zip$/i.test(path) || !/\.shp$/i.test(path) ? await fromZip(path) : await fromDisk(path);
  const header = readShpHeader(parts.shp, parts.shpName);
  if (!parts.dbf) throw new FileProblem(`${parts.shpName}: the .dbf beside it is missing; expected .shp, .dbf (and .prj) with the same name`);
  const cpg = parts.cpg ? decodeText(parts.cpg, looksUtf8(parts.cpg) ? 'utf8' : 'gbk') : null;
  const dbf = readDbf(parts.dbf, parts.shpName.replace(/\.shp$/i, '.dbf'), cpg, options.encoding);
  const prj = parts.prj ? decodeText(parts.prj, 'utf8').trim() : undefined;
  const warnings = [...parts.warnings];
  if (!(header.shapeType in SHAPE_TYPES) || header.shapeType === 31) {
    throw new FileProblem(`${parts.shpName}: shape type ${SHAPE_TYPES[header.shapeType] ?? header.shapeType} is not supported; expected Point, MultiPoint or Polygon (Z/M allowed)`, 'geometry');
  }
  let done = 0;
  let total = dbf.count;
  let shpCount = 0;
  let ended = false;
  const shapes = shpRecords(parts.shp, parts.shpName);

  /** The next record; undefined after the last. Both files are in memory: nothing to await. */
  const nextRecord = (): SourceRecord | undefined => {
    for (let next = shapes.next(); !next.done; next = shapes.next()) {
      const rec = next.value;
      shpCount++;
      done = rec.index;
      if (rec.index % 1000 === 0 && options.signal?.aborted) throw abortError(options.signal);
      const attrs = rec.index < dbf.count ? dbf.row(rec.index) : { deleted: false, values: {} };
      if (attrs.deleted) continue;
      return rec.problem
        ? { row: rec.index, properties: attrs.values, problem: { field: 'geometry', message: rec.problem } }
        : { row: rec.index, geometry: rec.geometry, properties: attrs.values };
    }
    if (!ended) {
      ended = true;
      if (shpCount !== dbf.count) warnings.push(`.shp has ${shpCount} records but .dbf has ${dbf.count}; attributes were paired by position`);
      total = shpCount;
      done = total;
    }
    return undefined;
  };

  async function* records(): AsyncGenerator<SourceRecord> {
    for (let r = nextRecord(); r; r = nextRecord()) yield r;
  }

  return {
    format: 'shapefile', kind: 'features', columns: dbf.fields.map((f) => f.name),
    encoding: `${dbf.encoding === 'utf8' ? 'utf-8' : 'gb18030'} (${dbf.encodingReason})`,
    prj, warnings, records: records(), takeRecord: nextRecord, progress: () => (total ? done / total : null),
  };
}
