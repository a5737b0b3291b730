import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeGpkgGeometry, decodeWkb, encodeGpkgGeometry, encodeWkb, GeometryFormatError, gpkgEnvelope, gpkgIsEmpty, gpkgSrsId,
} from '../../data/workspace/gpkg-geometry';
import type { Geometry } from '../../gis/types';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('GeoPackage binary: golden bytes', () => {
  it('writes a point as GP header (no envelope) + little-endian ISO WKB', () => {
    const { bytes, envelope, hasZ } = encodeGpkgGeometry({ type: 'Point', coordinates: [1, 2] });
    // 'GP', version 0, flags 0x01 (LE, no envelope), srs 4326 LE, then WKB 01 01000000 x y
    expect(hex(bytes)).toBe('47500001e6100000' + '0101000000' + '000000000000f03f' + '0000000000000040');
    expect(envelope).toEqual([1, 1, 2, 2]);
    expect(hasZ).toBe(false);
  });

  it('writes a polygon with an XY envelope [minx, maxx, miny, maxy]', () => {
    const poly: Geometry = { type: 'Polygon', coordinates: [[[0, 0], [4, 0], [4, 3], [0, 0]]] };
    const { bytes } = encodeGpkgGeometry(poly);
    expect(hex(bytes.subarray(0, 8))).toBe('47500003e6100000'); // flags 0x03: LE + envelope indicator 1
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    expect([v.getFloat64(8, true), v.getFloat64(16, true), v.getFloat64(24, true), v.getFloat64(32, true)]).toEqual([0, 4, 0, 3]);
    // WKB: type 3, 1 ring, 4 points
    expect(hex(bytes.subarray(40, 49))).toBe('01' + '03000000' + '01000000');
    expect(bytes.byteLength).toBe(40 + 9 + 4 + 4 * 16);
    expect(gpkgEnvelope(bytes)).toEqual([0, 4, 0, 3]);
  });

  it('marks empty geometries empty, with no envelope, and writes an empty point as NaN NaN', () => {
    const e = encodeGpkgGeometry({ type: 'Point', coordinates: [] });
    expect(e.bytes[3]).toBe(0x11);
    expect(e.envelope).toBeNull();
    expect(gpkgIsEmpty(e.bytes)).toBe(true);
    expect(gpkgEnvelope(e.bytes)).toBeNull();
    expect(decodeGpkgGeometry(e.bytes)).toEqual({ type: 'Point', coordinates: [] });
    const mp = encodeGpkgGeometry({ type: 'MultiPolygon', coordinates: [] });
    expect(mp.bytes[3]).toBe(0x11);
    expect(decodeGpkgGeometry(mp.bytes)).toEqual({ type: 'MultiPolygon', coordinates: [] });
  });
});

describe('round trips', () => {
  const samples: Geometry[] = [
    { type: 'Point', coordinates: [115.123456789012, 25.987654321098] },
    { type: 'Point', coordinates: [115, 25, 312.5] },
    { type: 'LineString', coordinates: [[115, 25], [115.5, 25.25], [116, 26]] },
    { type: 'Polygon', coordinates: [[[115, 25], [116, 25], [116, 26], [115, 25]], [[115.2, 25.2], [115.3, 25.2], [115.3, 25.3], [115.2, 25.2]]] },
    { type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] },
    { type: 'MultiLineString', coordinates: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]] },
    { type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[2, 2], [3, 2], [3, 3], [2, 2]]]] },
    { type: 'MultiPolygon', coordinates: [[[[0, 0, 1], [1, 0, 2], [1, 1, 3], [0, 0, 1]]]] },
    { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [1, 2] }, { type: 'LineString', coordinates: [[0, 0], [1, 1]] }] },
  ];
  samples.forEach((g, i) => {
    it(`#${i} ${g.type}`, () => {
      expect(decodeGpkgGeometry(encodeGpkgGeometry(g).bytes)).toEqual(g);
      expect(decodeWkb(encodeWkb(g))).toEqual(g);
    });
  });

  it('uses ISO Z type codes (1000 + type) when every position has z', () => {
    const wkb = encodeWkb({ type: 'Point', coordinates: [1, 2, 3] });
    expect(new DataView(wkb.buffer, wkb.byteOffset).getUint32(1, true)).toBe(1001);
    expect(encodeGpkgGeometry({ type: 'Point', coordinates: [1, 2, 3] }).hasZ).toBe(true);
  });

  it('drops z when only some positions carry it (never invents values)', () => {
    const g: Geometry = { type: 'LineString', coordinates: [[0, 0, 5], [1, 1]] };
    expect(decodeWkb(encodeWkb(g))).toEqual({ type: 'LineString', coordinates: [[0, 0], [1, 1]] });
  });

  it('round-trips arbitrary finite coordinates exactly (property)', () => {
    const coord = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 });
    const pos = fc.tuple(coord, coord).map((p) => [p[0], p[1]]);
    const ring = fc.array(pos, { minLength: 4, maxLength: 12 });
    const polygon = fc.array(ring, { minLength: 1, maxLength: 3 }).map((c): Geometry => ({ type: 'Polygon', coordinates: c }));
    const multi = fc.array(fc.array(ring, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 })
      .map((c): Geometry => ({ type: 'MultiPolygon', coordinates: c }));
    const point = pos.map((c): Geometry => ({ type: 'Point', coordinates: c }));
    fc.assert(fc.property(fc.oneof(point, polygon, multi), (g) => {
      const enc = encodeGpkgGeometry(g);
      expect(decodeGpkgGeometry(enc.bytes)).toEqual(g);
    }), { numRuns: 300 });
  });
});

describe('decoding foreign blobs', () => {
  it('reads big-endian WKB and EWKB-style Z flags', () => {
    const be = Buffer.from('00' + '00000001' + '3ff0000000000000' + '4000000000000000', 'hex');
    expect(decodeWkb(be)).toEqual({ type: 'Point', coordinates: [1, 2] });
    const ewkbZ = Buffer.alloc(1 + 4 + 24);
    ewkbZ.writeUInt8(1, 0);
    ewkbZ.writeUInt32LE(0x80000001, 1);
    ewkbZ.writeDoubleLE(1, 5); ewkbZ.writeDoubleLE(2, 13); ewkbZ.writeDoubleLE(3, 21);
    expect(decodeWkb(ewkbZ)).toEqual({ type: 'Point', coordinates: [1, 2, 3] });
  });

  it('skips 3D/4D envelopes and drops M values', () => {
    // GP header with XYZ envelope (indicator 2, 48 bytes), then WKB PointZM (3001)
    const wkb = Buffer.alloc(5 + 32);
    wkb.writeUInt8(1, 0); wkb.writeUInt32LE(3001, 1);
    [1, 2, 3, 4].forEach((v, i) => wkb.writeDoubleLE(v, 5 + i * 8));
    const head = Buffer.alloc(8 + 48);
    head.write('GP', 0, 'latin1'); head.writeUInt8(0, 2); head.writeUInt8(0x05, 3); head.writeInt32LE(4490, 4);
    const blob = Buffer.concat([head, wkb]);
    expect(gpkgSrsId(blob)).toBe(4490);
    expect(decodeGpkgGeometry(blob)).toEqual({ type: 'Point', coordinates: [1, 2, 3] });
  });

  it('rejects bad magic, truncated WKB, impossible counts and unknown types with a located message', () => {
    expect(() => decodeGpkgGeometry(Buffer.from('XX000000000000000000', 'hex'))).toThrow(/GP/);
    const poly = encodeGpkgGeometry({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] }).bytes;
    expect(() => decodeGpkgGeometry(poly.subarray(0, poly.length - 3))).toThrow(GeometryFormatError);
    const huge = Buffer.from(encodeWkb({ type: 'LineString', coordinates: [] }));
    huge.writeUInt32LE(0x7fffffff, 5);
    expect(() => decodeWkb(huge)).toThrow(/exceeds/);
    const unknown = Buffer.from('0109000000', 'hex');
    expect(() => decodeWkb(unknown)).toThrow(/unsupported WKB geometry type 9/);
  });
});

describe('encoding errors name the member', () => {
  it('names the position and what was expected', () => {
    const bad = { type: 'Polygon', coordinates: [[[0, 0], [1, 'x'], [1, 1], [0, 0]]] } as unknown as Geometry;
    expect(() => encodeGpkgGeometry(bad)).toThrow('geometry.coordinates[0][1]: expected finite numbers, got [1, x]');
    expect(() => encodeGpkgGeometry({ type: 'Point', coordinates: [NaN, 1] })).toThrow(/finite/);
    expect(() => encodeGpkgGeometry({ type: 'Circle' } as unknown as Geometry)).toThrow(/geometry.type: expected Point/);
  });
});

describe('speed', () => {
  it('round-trips 100,000 small polygons exactly (its speed is the import bench\'s)', () => {
    const polys: Geometry[] = [];
    for (let i = 0; i < 100_000; i++) {
      const x = 114 + (i % 1000) / 500, y = 24.5 + Math.floor(i / 1000) / 50;
      polys.push({ type: 'Polygon', coordinates: [[[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]] });
    }
    const back = polys.map((p) => decodeGpkgGeometry(encodeGpkgGeometry(p).bytes));
    expect(back).toEqual(polys);
  });
});
