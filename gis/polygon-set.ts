// Coverage polygons flattened into typed arrays: one allocation per layer, none per point later.
import { normalizeOperator } from './operators';
import { IssueList } from './issues';
import type { Feature, Operator } from './types';
import { OPERATORS } from './types';

/** Bit of each operator in a coverage mask. */
export const OPERATOR_BIT: Record<Operator, number> = { CMCC: 1, CT: 2, CU: 4 };
/** OPERATOR_BIT for the builder's loop: V8 specialized the object's keyed lookup to the first file's operator. */
const BIT_OF = new Map(Object.entries(OPERATOR_BIT));

/** The operators of each mask value, built once: a province has millions of settlements and eight masks. */
const MASK_OPERATORS: Operator[][] = Array.from({ length: 8 }, (_, mask) => OPERATORS.filter((op) => (mask & OPERATOR_BIT[op]) !== 0));

/** The operators whose bits are set (other bits name no operator). Shared by every caller: read it, never change it. */
export function maskOperators(mask: number): Operator[] {
  return MASK_OPERATORS[mask & 7];
}

/**
 * Polygons of one kind of coverage. Each part of a MultiPolygon is its own polygon.
 * Polygon p owns rings ringOffsets[p]..ringOffsets[p+1]; ring r owns vertices
 * vertexOffsets[r]..vertexOffsets[r+1] (the closing vertex repeats the first), stored as x,y pairs in coords.
 */
export interface PolygonSet {
  polygonCount: number;
  ringOffsets: Uint32Array;
  vertexOffsets: Uint32Array;
  coords: Float64Array;
  /** minX, minY, maxX, maxY per polygon. */
  bboxes: Float64Array;
  /** Operator bit per polygon. */
  mask: Uint8Array;
  /** Index of the source feature in its collection, per polygon. */
  feature: Uint32Array;
  /** Which source collection each polygon came from (position in the list given to buildPolygonSet). */
  source: Uint16Array;
}

export interface CoverageSource {
  /** Name used in messages, usually the file path. */
  name: string;
  features: readonly Feature[];
}

export interface BuildPolygonOptions {
  /** Keep only features whose `tech` is in this list (case-insensitive); others are validated, then skipped. */
  techs?: readonly string[];
  /** Tech assumed when a feature has none. */
  defaultTech: string;
}

/**
 * Read access to a geometry's `coordinates` value. One validator serves both parsed JSON (JSON_COORDINATES)
 * and the byte scanner's packed coordinates (gis/scan), so both paths report the same problems in the same words.
 */
export interface CoordinateReader<N> {
  isArray(node: N): boolean;
  /** Element count of an array node. */
  length(node: N): number;
  item(node: N, i: number): N;
  /** The value when the node is a number, NaN otherwise (JSON has no NaN, so NaN means "not a number"). */
  number(node: N): number;
  /** String(value), for messages. */
  text(node: N): string;
  /**
   * Writes x, y of each position of a validated ring into out from index 2 * at, and widens
   * box (minX, minY, maxX, maxY) to them: the packing hot loop.
   */
  copyXY(ring: N, out: Float64Array, at: number, box: Float64Array): void;
  /**
   * Validation's fast path, where the reader can answer it cheaply: true when every item of `ring` is a
   * [longitude, latitude] pair in range. False means "check position by position" (for the message), not "invalid".
   */
  lonLatPairs?(ring: N): boolean;
}

/** Coordinates as parsed by JSON.parse. */
export const JSON_COORDINATES: CoordinateReader<unknown> = {
  isArray: (node) => Array.isArray(node),
  length: (node) => (node as unknown[]).length,
  item: (node, i) => (node as unknown[])[i],
  number: (node) => (typeof node === 'number' ? node : NaN),
  text: (node) => String(node),
  copyXY: (ring, out, at, box) => {
    const positions = ring as number[][];
    let minX = box[0], minY = box[1], maxX = box[2], maxY = box[3];
    for (let k = 0; k < positions.length; k++) {
      const x = positions[k][0], y = positions[k][1];
      out[2 * (at + k)] = x;
      out[2 * (at + k) + 1] = y;
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
    box[0] = minX;
    box[1] = minY;
    box[2] = maxX;
    box[3] = maxY;
  },
};

export type CoverageKind = 'mobile' | 'broadband';

/** How each kind of layer is packed: mobile keeps the analysed techs (4G where a feature names none), broadband all. */
export function coverageBuildOptions(kind: CoverageKind, mobileTechs?: readonly string[]): BuildPolygonOptions {
  return kind === 'mobile' ? { techs: mobileTechs, defaultTech: '4G' } : { defaultTech: 'FTTH' };
}

/** The properties buildPolygonSet reads; a scanner may drop the others. */
export const COVERAGE_FIELDS: ReadonlySet<string> = new Set(['operator', 'tech']);

/** The geometry members the validators read; `coordinates` is a node of the reader used with it. */
interface GeometryLike { type?: unknown; coordinates?: unknown }

/**
 * Validates coverage features and packs their polygons. Every problem is collected (capped) into `issues`;
 * the returned set is only meaningful when `issues.count === 0`.
 */
export function buildPolygonSet(
  sources: readonly CoverageSource[],
  options: BuildPolygonOptions,
  issues: IssueList,
): PolygonSet {
  const builder = new PolygonSetBuilder(options, issues);
  sources.forEach((src, s) => {
    src.features.forEach((f, i) => builder.add(s, src.name, i, f, JSON_COORDINATES));
  });
  return builder.finish();
}

/** Validates and packs coverage features one at a time into growing typed arrays (no per-feature objects kept). */
export class PolygonSetBuilder {
  private readonly techs: string[] | undefined;
  private n = 0;
  private rings = 0;
  private vertices = 0;
  private ringOffsets: Uint32Array;
  private vertexOffsets: Uint32Array;
  private coords: Float64Array;
  private bboxes: Float64Array;
  private mask: Uint8Array;
  private feature: Uint32Array;
  private source: Uint16Array;
  private readonly box = new Float64Array(4);

  /**
   * `shared`: grow the arrays in shared memory where the engine has growable SharedArrayBuffers, so that the
   * packed set can be handed to other threads without a copy (at province scale, hundreds of MB).
   */
  constructor(private readonly options: BuildPolygonOptions, private readonly issues: IssueList, shared = false) {
    this.techs = options.techs?.map((t) => t.toUpperCase());
    this.ringOffsets = growable(Uint32Array, 64, shared);
    this.vertexOffsets = growable(Uint32Array, 256, shared);
    this.coords = growable(Float64Array, 4096, shared);
    this.bboxes = growable(Float64Array, 256, shared);
    this.mask = growable(Uint8Array, 64, shared);
    this.feature = growable(Uint32Array, 64, shared);
    this.source = growable(Uint16Array, 64, shared);
  }

  /** Validates feature `index` of source `sourceName` (number `source`); keeps its polygons when valid and wanted. */
  add<N>(source: number, sourceName: string, index: number, f: unknown, reader: CoordinateReader<N>): void {
    const issues = this.issues;
    const feature = f as { type?: unknown; properties?: Record<string, unknown> | null; geometry?: unknown } | null;
    const props = (feature && typeof feature === 'object' && feature.properties) || {};
    const op = normalizeOperator(props.operator);
    if (!feature || typeof feature !== 'object' || feature.type !== 'Feature') {
      issues.add(sourceName, index, 'type', 'expected a GeoJSON Feature');
      return;
    }
    if (op === null) {
      issues.add(sourceName, index, 'operator',
        props.operator === undefined || props.operator === null || props.operator === ''
          ? 'missing; expected an operator (移动/电信/联通 or CMCC/CT/CU)'
          : `unknown operator ${JSON.stringify(props.operator)}; expected 移动/电信/联通 or CMCC/CT/CU`);
    }
    const tech = props.tech === undefined || props.tech === null || props.tech === '' ? this.options.defaultTech : props.tech;
    if (typeof tech !== 'string') issues.add(sourceName, index, 'tech', `expected a string such as "4G", found ${JSON.stringify(tech)}`);
    const parts = polygonParts(feature.geometry, sourceName, index, issues, reader);
    if (!parts || op === null || typeof tech !== 'string') return;
    if (this.techs && !this.techs.includes(tech.toUpperCase())) return;
    for (const rings of parts) this.pack(rings, reader, BIT_OF.get(op)!, index, source);
  }

  /** The packed set; the builder must not be used afterwards. */
  finish(): PolygonSet {
    const n = this.n;
    this.ringOffsets = grow(this.ringOffsets, n + 1);
    this.vertexOffsets = grow(this.vertexOffsets, this.rings + 1);
    this.ringOffsets[n] = this.rings;
    this.vertexOffsets[this.rings] = this.vertices;
    const set: PolygonSet = {
      polygonCount: n,
      ringOffsets: trim(this.ringOffsets, n + 1),
      vertexOffsets: trim(this.vertexOffsets, this.rings + 1),
      coords: trim(this.coords, 2 * this.vertices),
      bboxes: trim(this.bboxes, 4 * n),
      mask: trim(this.mask, n),
      feature: trim(this.feature, n),
      source: trim(this.source, n),
    };
    // Let go of the arrays, so that they are freed with the set.
    this.ringOffsets = this.vertexOffsets = this.feature = new Uint32Array(0);
    this.coords = this.bboxes = new Float64Array(0);
    this.mask = new Uint8Array(0);
    this.source = new Uint16Array(0);
    return set;
  }

  private pack<N>(rings: N, reader: CoordinateReader<N>, bit: number, index: number, source: number): void {
    const p = this.n++;
    if (p + 1 >= this.mask.length) {
      const size = 2 * (p + 1);
      this.ringOffsets = grow(this.ringOffsets, size);
      this.mask = grow(this.mask, size);
      this.feature = grow(this.feature, size);
      this.source = grow(this.source, size);
      this.bboxes = grow(this.bboxes, 4 * size);
    }
    this.ringOffsets[p] = this.rings;
    this.mask[p] = bit;
    this.feature[p] = index;
    this.source[p] = source;
    const box = this.box;
    box[0] = box[1] = Infinity;
    box[2] = box[3] = -Infinity;
    const ringCount = reader.length(rings);
    if (this.rings + ringCount + 1 > this.vertexOffsets.length) {
      this.vertexOffsets = grow(this.vertexOffsets, 2 * (this.rings + ringCount + 1));
    }
    for (let r = 0; r < ringCount; r++) {
      const ring = reader.item(rings, r);
      const len = reader.length(ring);
      this.vertexOffsets[this.rings++] = this.vertices;
      if (2 * (this.vertices + len) > this.coords.length) this.coords = grow(this.coords, 4 * (this.vertices + len));
      reader.copyXY(ring, this.coords, this.vertices, box);
      this.vertices += len;
    }
    const b = this.bboxes;
    b[4 * p] = box[0];
    b[4 * p + 1] = box[1];
    b[4 * p + 2] = box[2];
    b[4 * p + 3] = box[3];
  }
}

type Typed = Uint8Array | Uint16Array | Uint32Array | Float64Array;
type TypedConstructor<T extends Typed> = {
  new (n: number): T;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T;
  BYTES_PER_ELEMENT: number;
};

// Resizable ArrayBuffers (ES2024; Node 20, Chromium 111) grow in place: no copy, and no old and new array
// alive at once, which is what bounds peak memory at province scale. Elsewhere arrays grow by copying.
// Growable SharedArrayBuffers grow in place too, and never shrink: a fixed-length view of one stays valid and
// reads as fast as a plain array (a length-tracking view, or any view of a resizable buffer, reads slower).
const MAX_BYTES = 2 ** 32;
const ResizableBuffer = ArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => ArrayBuffer & {
  readonly resizable: boolean;
  readonly maxByteLength: number;
  resize(bytes: number): void;
};
type GrowableShared = SharedArrayBuffer & { readonly growable: boolean; readonly maxByteLength: number; grow(bytes: number): void };
const GrowableSharedBuffer = (typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : undefined) as unknown as
  | (new (bytes: number, options: { maxByteLength: number }) => GrowableShared)
  | undefined;

function growable<T extends Typed>(Ctor: TypedConstructor<T>, n: number, shared: boolean): T {
  try {
    if (shared && GrowableSharedBuffer) {
      const buffer = new GrowableSharedBuffer(n * Ctor.BYTES_PER_ELEMENT, { maxByteLength: MAX_BYTES });
      if (buffer.growable) return new Ctor(buffer, 0, n);
    }
    const buffer = new ResizableBuffer(n * Ctor.BYTES_PER_ELEMENT, { maxByteLength: MAX_BYTES });
    if (buffer.resizable) return new Ctor(buffer);
  } catch {
    // No resizable buffers here (or no address space to reserve): plain arrays.
  }
  return new Ctor(n);
}

function resizable(a: Typed) {
  const buffer = a.buffer as InstanceType<typeof ResizableBuffer>;
  return buffer.resizable ? buffer : null;
}

function growableShared(a: Typed): GrowableShared | null {
  const buffer = a.buffer as GrowableShared;
  return buffer.growable ? buffer : null;
}

/** `a` (grown in place) or a copy of it, with room for at least `size` elements; contents kept. */
function grow<T extends Typed>(a: T, size: number): T {
  if (a.length >= size) return a;
  const wanted = Math.max(size, Math.ceil(a.length * 1.5));
  const bytes = wanted * a.BYTES_PER_ELEMENT;
  const Ctor = a.constructor as TypedConstructor<T>;
  const shared = growableShared(a);
  if (shared && bytes <= shared.maxByteLength) {
    try {
      if (shared.byteLength < bytes) shared.grow(bytes);
      return new Ctor(shared, 0, wanted);
    } catch {
      // As below: copied into a plain array.
    }
  }
  const buffer = resizable(a);
  if (buffer && bytes <= buffer.maxByteLength) {
    try {
      buffer.resize(bytes);
      return a;
    } catch {
      // The reservation could not be committed (memory-limited sandbox): copy into a plain array instead.
    }
  }
  const b = new Ctor(wanted);
  b.set(a);
  return b;
}

/** The first `size` elements: the same array shrunk in place, or a view of its first elements, or a copy. */
function trim<T extends Typed>(a: T, size: number): T {
  const shared = growableShared(a);
  if (shared) return new (a.constructor as TypedConstructor<T>)(shared, 0, size);
  const buffer = resizable(a);
  if (!buffer) return a.slice(0, size) as T;
  buffer.resize(size * a.BYTES_PER_ELEMENT);
  return a;
}

/** The rings node of each polygon part, validated; null (with issues recorded) when the geometry is unusable. */
function polygonParts<N>(geometry: unknown, source: string, index: number, issues: IssueList, reader: CoordinateReader<N>): N[] | null {
  const g = geometry as GeometryLike | null;
  if (!g || typeof g !== 'object') {
    issues.add(source, index, 'geometry', 'missing; expected a Polygon or MultiPolygon');
    return null;
  }
  const coordinates = g.coordinates as N;
  let parts: N[];
  if (g.type === 'Polygon') parts = [coordinates];
  else if (g.type === 'MultiPolygon') {
    if (!reader.isArray(coordinates)) {
      issues.add(source, index, 'geometry', 'MultiPolygon coordinates must be an array of polygons');
      return null;
    }
    parts = [];
    for (let p = 0, n = reader.length(coordinates); p < n; p++) parts.push(reader.item(coordinates, p));
  } else {
    issues.add(source, index, 'geometry', `found ${String(g.type)}; expected a Polygon or MultiPolygon`);
    return null;
  }
  for (let p = 0; p < parts.length; p++) {
    const rings = parts[p];
    const where = g.type === 'MultiPolygon' ? `polygon ${p}, ` : '';
    if (!reader.isArray(rings) || reader.length(rings) === 0) {
      issues.add(source, index, 'geometry', `${where}expected an array of linear rings`);
      return null;
    }
    for (let r = 0, n = reader.length(rings); r < n; r++) {
      const problem = ringProblem(reader, reader.item(rings, r));
      if (problem) {
        issues.add(source, index, 'geometry', `${where}ring ${r}: ${problem}`);
        return null;
      }
    }
  }
  return parts;
}

function ringProblem<N>(reader: CoordinateReader<N>, ring: N): string | null {
  if (!reader.isArray(ring)) return 'expected an array of positions';
  const n = reader.length(ring);
  if (n < 4) return `has ${n} positions; a closed ring needs at least 4`;
  for (let i = reader.lonLatPairs?.(ring) ? n : 0; i < n; i++) {
    const problem = positionProblemIn(reader, reader.item(ring, i));
    if (problem) return `position ${i}: ${problem}`;
  }
  const a = reader.item(ring, 0), b = reader.item(ring, n - 1);
  if (reader.number(reader.item(a, 0)) !== reader.number(reader.item(b, 0)) || reader.number(reader.item(a, 1)) !== reader.number(reader.item(b, 1))) {
    return 'not closed: the first and last positions differ';
  }
  return null;
}

/** Why a position is not a usable WGS-84 longitude/latitude, or null when it is. */
export function positionProblem(pos: unknown): string | null {
  return positionProblemIn(JSON_COORDINATES, pos);
}

/** Whether [x, y] is a position positionProblemIn() finds no problem with: finite, within ±180° and ±90°. */
export function lonLatInRange(x: number, y: number): boolean {
  return x >= -180 && x <= 180 && y >= -90 && y <= 90;
}

/** positionProblem over any coordinate reader. */
export function positionProblemIn<N>(reader: CoordinateReader<N>, pos: N): string | null {
  if (!reader.isArray(pos) || reader.length(pos) < 2) return 'expected [longitude, latitude]';
  const xn = reader.item(pos, 0), yn = reader.item(pos, 1);
  const x = reader.number(xn), y = reader.number(yn);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return `expected finite numbers, found [${reader.text(xn)}, ${reader.text(yn)}]`;
  if (x < -180 || x > 180) return `longitude ${x} out of range; expected -180 to 180`;
  if (y < -90 || y > 90) return `latitude ${y} out of range; expected -90 to 90`;
  return null;
}
