// Coverage as a raster: tens of thousands of coverage polygons (about a million vertices) would make every
// vector map page megabytes heavy, so they are scan-converted into a small RGBA image that the SVG and the
// PDF embed beneath the vector boundaries and settlements. Pure JS: even-odd scanline fill + a PNG encoder.
import { deflateSync } from 'node:zlib';

export interface Raster { width: number; height: number; rgba: Uint8Array }

/**
 * ORs `bit` into `mask` (width × height) for every pixel whose centre lies inside the polygon (even-odd over
 * its rings). Rings are in pixel coordinates.
 */
export function fillPolygon(mask: Uint8Array, width: number, height: number, rings: readonly Float64Array[], bit: number): void {
  let minY = Infinity;
  let maxY = -Infinity;
  for (const r of rings) {
    for (let i = 1; i < r.length; i += 2) {
      if (r[i] < minY) minY = r[i];
      if (r[i] > maxY) maxY = r[i];
    }
  }
  const y0 = Math.max(0, Math.ceil(minY - 0.5));
  const y1 = Math.min(height - 1, Math.floor(maxY - 0.5));
  const xs: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const cy = y + 0.5;
    xs.length = 0;
    for (const r of rings) {
      const n = r.length / 2;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const ay = r[2 * j + 1];
        const by = r[2 * i + 1];
        if ((ay > cy) === (by > cy)) continue;
        const ax = r[2 * j];
        xs.push(ax + ((cy - ay) / (by - ay)) * (r[2 * i] - ax));
      }
    }
    xs.sort((a, b) => a - b);
    const row = y * width;
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil(xs[k] - 0.5));
      const to = Math.min(width - 1, Math.floor(xs[k + 1] - 0.5));
      for (let x = from; x <= to; x++) mask[row + x] |= bit;
    }
  }
}

/** Colours a bit mask: `palette[value]` as [r, g, b, a] (value 0 stays transparent unless given). */
export function colourMask(mask: Uint8Array, width: number, height: number, palette: Record<number, readonly number[]>): Raster {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < mask.length; i++) {
    const c = palette[mask[i]];
    if (!c) continue;
    rgba.set(c, i * 4);
  }
  return { width, height, rgba };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** RGBA 8-bit PNG, filter 0 on every row. */
export function encodePng(r: Raster): Buffer {
  const stride = r.width * 4;
  const raw = Buffer.alloc((stride + 1) * r.height);
  for (let y = 0; y < r.height; y++) raw.set(r.rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(r.width, 0);
  ihdr.writeUInt32BE(r.height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
