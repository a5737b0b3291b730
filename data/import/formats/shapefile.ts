// Shapefile reader: a .zip holding .shp/.dbf/.prj/.cpg (first shapefile inside), or a bare .shp with its siblings.
// The .shp and the .dbf are read a piece at a time side by side (from the files, or inflated from the ZIP by zlib).
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { decodeText, looksUtf8 } from '../encoding';
import { abortError, FileProblem } from '../issues';
import { readRecords, type Source, type SourceOptions, type SourceRecord } from '../source';
import { filePieces } from '../file-pieces';
import { checkDeclared, extract, inflatePieces, listZip } from '../zip';
import { DbfReader } from './dbf';
import { SHAPE_TYPES, ShpReader, type ShpRecord } from './shp';

/** A .dbf to read: its pieces in order, and its size. */
interface DbfBytes { pieces: AsyncIterator<Uint8Array>; bytes: number }

interface Parts { shp: AsyncIterator<Uint8Array>; dbf?: DbfBytes; prj?: Uint8Array; cpg?: Uint8Array; shpName: string; warnings: string[] }

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
  const entry = (ext: string) => siblings.find((s) => extname(s.name).toLowerCase() === ext);
  const dbfEntry = entry('.dbf');
  // The .shp and the .dbf are inflated as they are read: what all of them declare is checked first.
  checkDeclared(siblings);
  const files = extract(zip, siblings.filter((e) => e !== dbfEntry && e !== shps[0]));
  const get = (ext: string): Uint8Array | undefined => {
    const e = entry(ext);
    return e ? files.get(e.name) : undefined;
  };
  const dbf = dbfEntry ? { pieces: mapPieces(inflatePieces(zip, dbfEntry)), bytes: dbfEntry.size } : undefined;
  return { shp: mapPieces(inflatePieces(zip, shps[0])), dbf, prj: get('.prj'), cpg: get('.cpg'), shpName: shps[0].name, warnings };
}

/** The files beside a .shp with its name (any case), by lower-case extension: `.dbf` → its path. */
export async function shapefileSiblings(path: string): Promise<Map<string, string>> {
  const dir = dirname(path);
  const base = stem(basename(path)).toLowerCase();
  const names = await readdir(dir);
  return new Map(names.filter((x) => stem(x).toLowerCase() === base).map((x) => [extname(x).toLowerCase(), join(dir, x)]));
}

/** The pieces alone, as the .shp and .dbf readers take them. */
async function* mapPieces(pieces: AsyncIterable<{ piece: Uint8Array }>): AsyncGenerator<Uint8Array> {
  for await (const { piece } of pieces) yield piece;
}

async function fromDisk(path: string): Promise<Parts> {
  const siblings = await shapefileSiblings(path);
  const find = async (ext: string): Promise<Uint8Array | undefined> => {
    const sibling = siblings.get(ext);
    return sibling ? readFile(sibling) : undefined;
  };
  const dbfPath = siblings.get('.dbf');
  const dbf = dbfPath ? { pieces: mapPieces(filePieces(dbfPath)), bytes: (await stat(dbfPath)).size } : undefined;
  return { shp: mapPieces(filePieces(path)), dbf, prj: await find('.prj'), cpg: await find('.cpg'), shpName: basename(path), warnings: [] };
}

export async function open(path: string, options: SourceOptions): Promise<Source> {
  const parts = /\.zip$/i.test(path) || !/\.shp$/i.test(path) ? await fromZip(path) : await fromDisk(path);
  let dbf: DbfReader;
  let shapes: ShpReader;
  try {
    shapes = await ShpReader.open(parts.shp, parts.shpName);
    const { header } = shapes;
    if (!parts.dbf) throw new FileProblem(`${parts.shpName}: the .dbf beside it is missing; expected .shp, .dbf (and .prj) with the same name`);
    const cpg = parts.cpg ? decodeText(parts.cpg, looksUtf8(parts.cpg) ? 'utf8' : 'gbk') : null;
    dbf = await DbfReader.open(parts.dbf.pieces, parts.dbf.bytes, parts.shpName.replace(/\.shp$/i, '.dbf'), cpg, options.encoding);
    if (!(header.shapeType in SHAPE_TYPES) || header.shapeType === 31) {
      throw new FileProblem(`${parts.shpName}: shape type ${SHAPE_TYPES[header.shapeType] ?? header.shapeType} is not supported; expected Point, MultiPoint or Polygon (Z/M allowed)`, 'geometry');
    }
  } catch (e) {
    await parts.dbf?.pieces.return?.();
    await parts.shp.return?.();
    throw e;
  }
  const prj = parts.prj ? decodeText(parts.prj, 'utf8').trim() : undefined;
  const warnings = [...parts.warnings];
  let done = 0;
  let total = dbf.count;
  let shpCount = 0;
  let ended = false;
  /** A .shp record read whose attributes are still to be read from the .dbf. */
  let waiting: ShpRecord | null = null;
  /** Whether the .shp, not the .dbf, has to read on for the next record. */
  let shapesShort = false;
  const noAttributes = { deleted: false, values: {} };

  /** The next record; undefined after the last, or while its bytes are still to be read (records() reads on). */
  const nextRecord = (): SourceRecord | undefined => {
    for (;;) {
      let rec = waiting;
      if (rec === null) {
        rec = shapes.next() ?? null;
        if (rec === null) {
          if (!shapes.done) {
            shapesShort = true;
            return undefined;
          }
          break;
        }
        shpCount++;
        done = rec.index;
        if (rec.index % 1000 === 0 && options.signal?.aborted) throw abortError(options.signal);
      }
      const attrs = rec.index < dbf.count ? dbf.row(rec.index) : noAttributes;
      if (!attrs) {
        waiting = rec;
        shapesShort = false;
        return undefined;
      }
      waiting = null;
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

  const readOn = async (): Promise<boolean> => {
    if (ended) return false;
    if (shapesShort) await shapes.more();
    else await dbf.more();
    return true;
  };

  return {
    format: 'shapefile', kind: 'features', columns: dbf.fields.map((f) => f.name),
    encoding: `${dbf.encoding === 'utf8' ? 'utf-8' : 'gb18030'} (${dbf.encodingReason})`,
    prj, warnings, records: readRecords(nextRecord, readOn, async () => { await dbf.close(); await shapes.close(); }), takeRecord: nextRecord, progress: () => (total ? done / total : null),
  };
}
