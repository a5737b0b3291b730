// KML and KMZ, read as a stream: the document (a KMZ's inflated by zlib) goes through xml-stream's tokenizer a piece
// at a time and a placemark becomes a record at its </Placemark>, so memory holds a piece and the records not yet
// taken, never the document. Placemarks in the kml root and its Documents and Folders, in document order; Point,
// LineString, Polygon and MultiGeometry; name, description, ExtendedData's Data and SchemaData/SimpleData as
// attributes. Entities other than XML's own are left as written and no DTD is read.
import { readFile } from 'node:fs/promises';
import type { Geometry, Position } from '../../../gis/types';
import { detectEncoding, latin1Slice, type TextEncoding } from '../encoding';
import { FileProblem } from '../issues';
import { readRecords, takeFrom, type Source, type SourceOptions, type SourceRecord } from '../source';
import { filePieces } from '../file-pieces';
import { checkDeclared, inflatePieces, listZip } from '../zip';
import { xmlName, xmlText, XmlStream, type XmlHandler, type XmlTag } from './xml-stream';

/** Deepest element nesting accepted: real KML nests a few Folders; thousands is an attack on the reader. */
export const MAX_KML_DEPTH = 256;
/** Bytes read before the encoding is chosen, as the table readers sniff theirs. */
const SNIFF = 1 << 20;

/** What an open element is to the reader, decided from its name and its parent's role. */
const enum Role {
  Other, Container, Placemark, Name, Description, Extended, Data, Value, Schema, Simple,
  Multi, Point, LineString, Polygon, Outer, Inner, Ring, Coordinates,
}

/** Roles whose text is kept. */
const TEXT_ROLES = new Set<Role>([Role.Name, Role.Description, Role.Value, Role.Simple, Role.Coordinates]);

const GEOMETRY_ROLES: Record<string, Role> = { Point: Role.Point, LineString: Role.LineString, Polygon: Role.Polygon, MultiGeometry: Role.Multi };

function childRole(parent: Role | undefined, name: string): Role {
  switch (parent) {
    case undefined:
    case Role.Container:
      if (name === 'Document' || name === 'Folder') return Role.Container;
      if (name === 'Placemark') return Role.Placemark;
      return Role.Other;
    case Role.Placemark:
      if (name === 'name') return Role.Name;
      if (name === 'description') return Role.Description;
      if (name === 'ExtendedData') return Role.Extended;
      return GEOMETRY_ROLES[name] ?? Role.Other;
    case Role.Multi:
      return GEOMETRY_ROLES[name] ?? Role.Other;
    case Role.Extended:
      return name === 'Data' ? Role.Data : name === 'SchemaData' ? Role.Schema : Role.Other;
    case Role.Data:
      return name === 'value' ? Role.Value : Role.Other;
    case Role.Schema:
      return name === 'SimpleData' ? Role.Simple : Role.Other;
    case Role.Point:
    case Role.LineString:
    case Role.Ring:
      return name === 'coordinates' ? Role.Coordinates : Role.Other;
    case Role.Polygon:
      return name === 'outerBoundaryIs' ? Role.Outer : name === 'innerBoundaryIs' ? Role.Inner : Role.Other;
    case Role.Outer:
    case Role.Inner:
      return name === 'LinearRing' ? Role.Ring : Role.Other;
    default:
      return Role.Other;
  }
}

const NAME_SLOTS = 1024;

/**
 * Element names read once each: a document repeats a few dozen names millions of times, and a string made for each
 * tag was a tenth of reading it. The same bytes give the same string; names past the table's half are made afresh.
 */
class NameTable {
  private readonly slots = new Int32Array(NAME_SLOTS).fill(-1);
  private readonly bytes: Uint8Array[] = [];
  private readonly strings: string[] = [];

  name(b: Uint8Array, start: number, end: number): string {
    let h = end - start;
    for (let k = start; k < end; k++) h = (Math.imul(h, 31) + b[k]) | 0;
    for (let slot = h & (NAME_SLOTS - 1); ; slot = (slot + 1) & (NAME_SLOTS - 1)) {
      const id = this.slots[slot];
      if (id < 0) {
        const name = latin1Slice.call(b, start, end);
        if (this.strings.length < NAME_SLOTS / 2) {
          this.slots[slot] = this.strings.length;
          this.bytes.push(b.slice(start, end));
          this.strings.push(name);
        }
        return name;
      }
      const known = this.bytes[id];
      if (known.length === end - start) {
        let k = 0;
        while (k < known.length && known[k] === b[start + k]) k++;
        if (k === known.length) return this.strings[id];
      }
    }
  }
}

class KmlGeometryError extends Error {}

/** Whether a UTF-16 code is white space as JavaScript's `\s` and `trim()` have it. */
function isSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Positions from a <coordinates> text: tuples "lon,lat[,alt]" separated by white space, each part read by Number()
 * (an empty part is 0). Read in place: splitting the text into arrays of strings was a tenth of reading a document.
 */
function coordinates(s: string | null, where: string): Position[] {
  if (s === null) throw new KmlGeometryError(`${where}: <coordinates> is missing`);
  const out: Position[] = [];
  const n = s.length;
  for (let i = 0; i < n;) {
    if (isSpace(s.charCodeAt(i))) {
      i++;
      continue;
    }
    let end = i;
    let first = -1;
    let second = -1;
    for (; end < n; end++) {
      const c = s.charCodeAt(end);
      if (c === 0x2c) {
        if (first < 0) first = end;
        else if (second < 0) second = end;
      } else if (isSpace(c)) break;
    }
    const x = first < 0 ? NaN : Number(s.slice(i, first));
    const y = first < 0 ? NaN : Number(s.slice(first + 1, second < 0 ? end : second));
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new KmlGeometryError(`${where}: "${s.slice(i, end)}" is not "lon,lat[,alt]"`);
    out.push([x, y]);
    i = end;
  }
  return out;
}

/** One geometry per placemark: single members as is, several points → MultiPoint, several polygons → MultiPolygon. */
function combine(list: Geometry[]): Geometry | null {
  if (list.length === 0) return null;
  if (list.length === 1) return list[0];
  if (list.every((g) => g.type === 'Polygon')) return { type: 'MultiPolygon', coordinates: list.map((g) => (g as { coordinates: Position[][] }).coordinates) };
  if (list.every((g) => g.type === 'Point')) return { type: 'MultiPoint', coordinates: list.map((g) => (g as { coordinates: Position }).coordinates) };
  return { type: 'GeometryCollection', geometries: list };
}

const ID = xmlName('id');
const NAME = xmlName('name');

/** The placemark being read. */
class Placemark {
  name: string | null = null;
  description: string | null = null;
  readonly data: [string, unknown][] = [];
  readonly geometries: Geometry[] = [];
  problem: string | null = null;
  /** The Data or SimpleData being read: its name (null when it has none: it is dropped) and its value. */
  key: string | null = null;
  value: string | null = null;
  /** The geometry being read: its last <coordinates>, a polygon's outer ring and inner rings. */
  coords: string | null = null;
  outer: Position[] | null = null;
  readonly inner: Position[][] = [];

  constructor(readonly id: string | undefined) {}

  /** A geometry's reading that failed: the placemark keeps its first problem and reads on to its end. */
  fail(e: unknown): void {
    if (!(e instanceof KmlGeometryError)) throw e;
    this.problem ??= e.message;
  }

  record(row: number): SourceRecord {
    const properties: Record<string, unknown> = {};
    if (this.name !== null) properties.name = this.name;
    if (this.description !== null) properties.description = this.description;
    for (const [key, value] of this.data) properties[key] = value;
    if (this.problem !== null) return { row, properties, problem: { field: 'geometry', message: this.problem } };
    return { row, geometry: combine(this.geometries), properties, id: this.id };
  }
}

/** The tokenizer's handler: checks the document's nesting and turns placemarks into records. */
class KmlReader implements XmlHandler {
  private readonly names: string[] = [];
  private readonly roles: Role[] = [];
  private readonly table = new NameTable();
  private rootClosed = false;
  /** The text of the element being kept (Role in TEXT_ROLES), null outside one. */
  private kept: string | null = null;
  private pm: Placemark | null = null;
  readonly queue: SourceRecord[] = [];
  placemarks = 0;

  constructor(private readonly file: string, private readonly encoding: TextEncoding) {}

  private invalid(what: string): FileProblem {
    return new FileProblem(`${this.file}: invalid XML: ${what}${this.pm ? ` (in placemark ${this.placemarks + 1})` : ''}`);
  }

  doctype(bytes: Uint8Array, start: number, end: number): void {
    const external = /\b(SYSTEM|PUBLIC)\s*("[^"]*"|'[^']*')/.exec(latin1Slice.call(bytes, start, end));
    if (external) throw this.invalid(`the DOCTYPE names an external DTD or entity (${external[1]} ${external[2]}), which is never read; a KML document needs none`);
  }

  open(tag: XmlTag): void {
    const name = this.table.name(tag.bytes, tag.nameStart, tag.nameEnd);
    const depth = this.names.length;
    if (depth === 0) {
      if (this.rootClosed) throw this.invalid(`a second root element <${name}> after </kml>`);
      if (name !== 'kml') throw new FileProblem(`${this.file}: no <kml> root element (the root is <${name}>); expected a KML document`);
    }
    if (depth >= MAX_KML_DEPTH) throw this.invalid(`elements nested more than ${MAX_KML_DEPTH} deep`);
    const role = depth === 0 ? Role.Container : childRole(this.roles[depth - 1], name);
    if (role !== Role.Other) this.begin(role, tag);
    if (tag.selfClosing) {
      if (role !== Role.Other) this.end(role);
      if (depth === 0) this.rootClosed = true;
      return;
    }
    this.names.push(name);
    this.roles.push(role);
  }

  close(tag: XmlTag): void {
    const name = this.table.name(tag.bytes, tag.nameStart, tag.nameEnd);
    const depth = this.names.length;
    if (depth === 0) throw this.invalid(`</${name}> closes no open element`);
    const open = this.names[depth - 1];
    if (name !== open) throw this.invalid(`</${name}> where </${open}> was expected`);
    const role = this.roles[depth - 1];
    this.names.pop();
    this.roles.pop();
    if (role !== Role.Other) this.end(role);
    if (depth === 1) this.rootClosed = true;
  }

  text(bytes: Uint8Array, start: number, end: number, cdata: boolean): void {
    if (this.kept !== null) this.kept += xmlText(bytes, start, end, cdata, this.encoding);
  }

  /** The document's end: every element must be closed. */
  finish(): void {
    const depth = this.names.length;
    if (depth > 0) throw this.invalid(`the document ends inside <${this.names[depth - 1]}>; expected </${this.names[depth - 1]}>, then the rest of the file (is it cut short?)`);
    if (!this.rootClosed) throw new FileProblem(`${this.file}: no <kml> root element; expected a KML document`);
  }

  private begin(role: Role, tag: XmlTag): void {
    if (TEXT_ROLES.has(role)) this.kept = '';
    const pm = this.pm;
    switch (role) {
      case Role.Placemark: {
        this.pm = new Placemark(tag.attr(ID, this.encoding));
        return;
      }
      case Role.Data:
      case Role.Simple:
        pm!.key = tag.attr(NAME, this.encoding) ?? null;
        pm!.value = null;
        return;
      case Role.Point:
      case Role.LineString:
        pm!.coords = null;
        return;
      case Role.Polygon:
        pm!.outer = null;
        pm!.inner.length = 0;
        return;
      case Role.Outer:
      case Role.Inner:
        pm!.coords = null;
        return;
      default:
    }
  }

  private end(role: Role): void {
    const pm = this.pm;
    if (pm === null) return;
    const text = this.kept;
    if (TEXT_ROLES.has(role)) this.kept = null;
    switch (role) {
      case Role.Placemark:
        this.queue.push(pm.record(this.placemarks++));
        this.pm = null;
        return;
      case Role.Name:
        pm.name = text!.trim();
        return;
      case Role.Description:
        pm.description = text!.trim();
        return;
      case Role.Value:
        pm.value = text!.trim();
        return;
      case Role.Simple:
        pm.value = text!.trim();
        if (pm.key !== null) pm.data.push([pm.key, pm.value]);
        return;
      case Role.Data:
        if (pm.key !== null) pm.data.push([pm.key, pm.value]);
        return;
      case Role.Coordinates:
        pm.coords = text;
        return;
      case Role.Point:
        this.geometry(pm, () => {
          const pts = coordinates(pm.coords, 'Point');
          if (pts.length !== 1) throw new KmlGeometryError(`Point: expected one coordinate tuple, found ${pts.length}`);
          return { type: 'Point', coordinates: pts[0] };
        });
        return;
      case Role.LineString:
        this.geometry(pm, () => ({ type: 'LineString', coordinates: coordinates(pm.coords, 'LineString') }));
        return;
      case Role.Outer:
        this.ring(pm, 'outerBoundaryIs', (ring) => { pm.outer = ring; });
        return;
      case Role.Inner:
        this.ring(pm, 'innerBoundaryIs', (ring) => { pm.inner.push(ring); });
        return;
      case Role.Polygon:
        this.geometry(pm, () => {
          if (pm.outer === null) throw new KmlGeometryError('Polygon outerBoundaryIs: <coordinates> is missing');
          return { type: 'Polygon', coordinates: [pm.outer, ...pm.inner] };
        });
        return;
      default:
    }
  }

  private geometry(pm: Placemark, read: () => Geometry): void {
    if (pm.problem !== null) return;
    try {
      pm.geometries.push(read());
    } catch (e) {
      pm.fail(e);
    }
  }

  /** A boundary's ring (its LinearRing's coordinates), its messages naming the boundary. */
  private ring(pm: Placemark, boundary: string, keep: (ring: Position[]) => void): void {
    if (pm.problem !== null) return;
    try {
      keep(coordinates(pm.coords, `Polygon ${boundary}`));
    } catch (e) {
      pm.fail(e);
    }
  }
}

/** The KMZ's main document, inflated a piece at a time: doc.kml by convention, otherwise the first .kml at the top level. */
async function kmzPieces(path: string): Promise<{ pieces: AsyncGenerator<{ piece: Uint8Array; read: number }>; name: string }> {
  const zip = await readFile(path);
  const entries = listZip(zip).filter((e) => /\.kml$/i.test(e.name));
  const main = entries.find((e) => e.name.toLowerCase() === 'doc.kml') ?? entries.find((e) => !e.name.includes('/')) ?? entries[0];
  if (!main) throw new FileProblem('the KMZ holds no .kml document');
  checkDeclared([main]);
  return { pieces: inflatePieces(zip, main), name: main.name };
}

function opener(format: 'kml' | 'kmz') {
  /** `displayName` names the file in messages: the path on disk may be a private upload file of the browser-mode server. */
  return async (path: string, options: SourceOptions): Promise<Source> => {
    const { pieces, name } = format === 'kml' ? { pieces: filePieces(path), name: options.displayName } : await kmzPieces(path);
    let read = 0;
    let done = false;
    let reader: KmlReader;
    let stream: XmlStream;
    try {
      // The encoding is chosen from the document's first bytes, before any is read as XML.
      const first: Uint8Array[] = [];
      let have = 0;
      while (have < SNIFF) {
        const next = await pieces.next();
        if (next.done) {
          done = true;
          break;
        }
        first.push(next.value.piece);
        have += next.value.piece.length;
        read = next.value.read;
      }
      const head = first.length === 1 ? first[0] : Buffer.concat(first);
      reader = new KmlReader(name, detectEncoding(head, options.encoding));
      stream = new XmlStream(reader, `${name}: invalid XML: the document`, 'KML document (is the file cut short?)');
      stream.push(head);
      if (done) {
        stream.end();
        reader.finish();
      }
    } catch (e) {
      await pieces.return(undefined);
      throw e;
    }

    const takeRecord = takeFrom(reader.queue);
    const readOn = async (): Promise<boolean> => {
      if (done) return false;
      const next = await pieces.next();
      if (next.done) {
        done = true;
        stream.end();
        reader.finish();
        read = 1;
      } else {
        read = next.value.read;
        stream.push(next.value.piece);
      }
      return true;
    };
    return {
      format, kind: 'features', columns: [], warnings: [], takeRecord,
      records: readRecords(takeRecord, readOn, async () => void (await pieces.return(undefined))),
      declaredCrs: { choice: 'wgs84', reason: 'KML coordinates are WGS-84 by definition' },
      progress: () => read,
    };
  };
}

export const openKml = opener('kml');
export const openKmz = opener('kmz');
