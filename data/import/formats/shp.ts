// .shp record reader (ESRI Shapefile Technical Description, 1998). Geometry comes out GeoJSON-shaped, source CRS.
import type { Geometry, Position } from '../../../gis/types';
import { ringContains, signedArea2 } from '../geometry';
import { FileProblem } from '../issues';
import { HeldBytes } from './held-bytes';

export const SHAPE_TYPES: Record<number, string> = {
  0: 'Null', 1: 'Point', 3: 'PolyLine', 5: 'Polygon', 8: 'MultiPoint',
  11: 'PointZ', 13: 'PolyLineZ', 15: 'PolygonZ', 18: 'MultiPointZ',
  21: 'PointM', 23: 'PolyLineM', 25: 'PolygonM', 28: 'MultiPointM', 31: 'MultiPatch',
};

export interface ShpHeader { shapeType: number; fileLength: number }

export function readShpHeader(shp: Uint8Array, name: string): ShpHeader {
  if (shp.length < 100) throw new FileProblem(`${name}: shorter than the 100-byte .shp header`);
  const v = new DataView(shp.buffer, shp.byteOffset, shp.byteLength);
  if (v.getInt32(0, false) !== 9994) throw new FileProblem(`${name}: not a .shp file (file code ${v.getInt32(0, false)}, expected 9994)`);
  return { shapeType: v.getInt32(32, true), fileLength: v.getInt32(24, false) * 2 };
}

/**
 * Groups rings into polygons. The spec draws outer rings clockwise and holes counter-clockwise; each hole goes to the
 * smallest outer ring containing it. Output follows RFC 7946 (outer counter-clockwise, holes clockwise).
 */
export function assemblePolygons(rings: Position[][]): Geometry | null {
  const valid = rings.filter((r) => r.length >= 4);
  if (valid.length === 0) return null;
  const area = valid.map((r) => signedArea2(r));
  let outerIdx = valid.map((_, i) => i).filter((i) => area[i] < 0);
  let holeIdx = valid.map((_, i) => i).filter((i) => area[i] >= 0);
  // Writers that ignore the spec and draw every ring counter-clockwise: read the orientation the other way.
  if (outerIdx.length === 0) [outerIdx, holeIdx] = [holeIdx, outerIdx];
  const polygons = outerIdx.map((i) => ({ outer: i, size: Math.abs(area[i]), holes: [] as number[] }));
  for (const h of holeIdx) {
    const [x, y] = valid[h][0];
    const host = polygons.filter((p) => ringContains(valid[p.outer], x, y)).sort((a, b) => a.size - b.size)[0];
    if (host) host.holes.push(h);
    else polygons.push({ outer: h, size: Math.abs(area[h]), holes: [] });
  }
  const ccw = (r: Position[]): Position[] => (signedArea2(r) >= 0 ? r : [...r].reverse());
  const cw = (r: Position[]): Position[] => (signedArea2(r) < 0 ? r : [...r].reverse());
  const coords = polygons.map((p) => [ccw(valid[p.outer]), ...p.holes.map((h) => cw(valid[h]))]);
  return coords.length === 1 ? { type: 'Polygon', coordinates: coords[0] } : { type: 'MultiPolygon', coordinates: coords };
}

/** A record whose bytes are complete but whose shape cannot be a valid geometry. */
class ShapeProblem extends Error {}

export interface ShpRecord { index: number; geometry: Geometry | null; problem?: string }

/**
 * A .shp read a piece at a time, records in file order (Z and M values ignored): a province's coverage polygons are
 * hundreds of megabytes of coordinates, and only the records being handed on are held. Each record is read from its
 * own bytes only: a shape that reads past its declared length is a problem of that record.
 */
export class ShpReader {
  /** The file offset of the first byte not read yet. */
  private at = 100;
  private index = 0;
  private finished = false;

  private constructor(readonly header: ShpHeader, private readonly name: string, private readonly held: HeldBytes) {}

  /** Reads the 100-byte header; throws FileProblem when there is none. */
  static async open(pieces: AsyncIterator<Uint8Array>, name: string): Promise<ShpReader> {
    const held = new HeldBytes(pieces);
    await held.readTo(100);
    const header = readShpHeader(held.buf, name);
    held.pos = 100;
    return new ShpReader(header, name, held);
  }

  /** Whether every record has been read. */
  get done(): boolean {
    return this.finished;
  }

  /**
   * The next record once its bytes are held; undefined when more() must read on, or after the last one (done). The
   * header's file length only bounds the records: those past the bytes present are not read.
   */
  next(): ShpRecord | undefined {
    if (this.finished) return undefined;
    const { at, held } = this;
    const { buf, pos, ended } = held;
    const left = buf.length - pos;
    if ((this.header.fileLength > 0 && at + 8 > this.header.fileLength) || (left < 8 && ended)) {
      this.finished = true;
      return undefined;
    }
    if (left < 8) return undefined;
    const length = ((buf[pos + 4] << 24) | (buf[pos + 5] << 16) | (buf[pos + 6] << 8) | buf[pos + 7]) * 2;
    if (length < 4 || (left < 8 + length && ended)) throw new FileProblem(`${this.name}: record ${this.index} at byte ${at} runs past the end of the file (truncated .shp?)`);
    if (left < 8 + length) return undefined;
    const v = new DataView(buf.buffer, buf.byteOffset + pos + 8, length);
    held.pos += 8 + length;
    this.at += 8 + length;
    const index = this.index++;
    const type = v.getInt32(0, true);
    try {
      return { index, geometry: readShape(v, 0, type, length) };
    } catch (e) {
      if (e instanceof ShapeProblem) return { index, geometry: null, problem: e.message };
      if (!(e instanceof RangeError)) throw e;
      return { index, geometry: null, problem: `${SHAPE_TYPES[type] ?? type} record is shorter than its declared content (${length} bytes)` };
    }
  }

  /** Reads the next piece of the file, after the records not yet read. */
  more(): Promise<void> {
    return this.held.more();
  }

  /** Stops reading (an import that ends early). */
  close(): Promise<void> {
    return this.held.close();
  }
}

function readShape(v: DataView, c: number, type: number, length: number): Geometry | null {
  const point = (o: number): Position => [v.getFloat64(o, true), v.getFloat64(o + 8, true)];
  switch (type) {
    case 0: return null;
    case 1: case 11: case 21: return { type: 'Point', coordinates: point(c + 4) };
    case 8: case 18: case 28: {
      const n = v.getInt32(c + 36, true);
      const pts = Array.from({ length: n }, (_, i) => point(c + 40 + 16 * i));
      return { type: 'MultiPoint', coordinates: pts };
    }
    case 3: case 13: case 23: case 5: case 15: case 25: {
      const numParts = v.getInt32(c + 36, true);
      const numPoints = v.getInt32(c + 40, true);
      if (numParts < 0 || numPoints < 0 || 44 + 4 * numParts + 16 * numPoints > length) throw new RangeError('short record');
      const partsAt = c + 44;
      const pointsAt = partsAt + 4 * numParts;
      const parts: Position[][] = [];
      for (let k = 0; k < numParts; k++) {
        const from = v.getInt32(partsAt + 4 * k, true);
        const to = k + 1 < numParts ? v.getInt32(partsAt + 4 * (k + 1), true) : numPoints;
        const ring: Position[] = [];
        for (let i = from; i < to; i++) ring.push(point(pointsAt + 16 * i));
        parts.push(ring);
      }
      if (type === 3 || type === 13 || type === 23) {
        return parts.length === 1 ? { type: 'LineString', coordinates: parts[0] } : { type: 'MultiLineString', coordinates: parts };
      }
      const polygon = assemblePolygons(parts);
      if (!polygon && parts.length > 0) {
        throw new ShapeProblem(`Polygon ring 0 has ${parts[0].length} positions; a ring needs at least 4 (3 distinct, closed)`);
      }
      return polygon;
    }
    default:
      return { type: 'GeometryCollection', geometries: [] };
  }
}
