/**
 * Builds small GRIB2 messages byte by byte, for tests that need shapes no fixture has: huge
 * grids, odd templates, grids around a pole. Independent of the reader: it writes octets as the
 * WMO template tables number them.
 */

/** Big-endian unsigned integer of `width` bytes. */
export function uint(value: number, width: number): Buffer {
  const bytes = Buffer.alloc(width);
  let rest = value;
  for (let i = width - 1; i >= 0; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return bytes;
}

/** GRIB2's signed integers: sign bit, then magnitude. */
export function int(value: number, width: number): Buffer {
  const bytes = uint(Math.abs(value), width);
  if (value < 0) bytes[0]! |= 0x80;
  return bytes;
}

export function float32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeFloatBE(value);
  return bytes;
}

/** A section: its 4-byte length and number, then the template octets from 6 on. */
export function section(number: number, ...body: Buffer[]): Buffer {
  const content = Buffer.concat(body);
  return Buffer.concat([uint(content.length + 5, 4), uint(number, 1), content]);
}

const micro = (degrees: number) => int(Math.round(degrees * 1e6), 4);
/** Octets 15–30: shape of the earth, with the producer-specified radius and axes missing. */
const earth = (shape: number) => Buffer.concat([uint(shape, 1), Buffer.alloc(15, 0xff)]);

export interface LatLonGridOptions {
  ni: number;
  nj: number;
  numberOfPoints?: number;
  first: [lat: number, lon: number];
  last: [lat: number, lon: number];
  increments: [di: number, dj: number];
  scanningMode?: number;
  template?: number;
}

export function latLonGridSection(o: LatLonGridOptions): Buffer {
  return section(
    3,
    uint(0, 1),
    uint(o.numberOfPoints ?? o.ni * o.nj, 4),
    uint(0, 1),
    uint(0, 1),
    uint(o.template ?? 0, 2),
    earth(6),
    uint(o.ni, 4),
    uint(o.nj, 4),
    uint(0, 4),
    Buffer.alloc(4, 0xff),
    micro(o.first[0]),
    micro(o.first[1]),
    uint(48, 1),
    micro(o.last[0]),
    micro(o.last[1]),
    micro(o.increments[0]),
    micro(o.increments[1]),
    uint(o.scanningMode ?? 0, 1),
  );
}

export interface LambertGridOptions {
  nx: number;
  ny: number;
  first: [lat: number, lon: number];
  lad: number;
  lov: number;
  latin1: number;
  latin2: number;
  /** Metres. */
  dx: number;
  dy: number;
  scanningMode?: number;
  shapeOfTheEarth?: number;
}

export function lambertGridSection(o: LambertGridOptions): Buffer {
  return section(
    3,
    uint(0, 1),
    uint(o.nx * o.ny, 4),
    uint(0, 1),
    uint(0, 1),
    uint(30, 2),
    earth(o.shapeOfTheEarth ?? 6),
    uint(o.nx, 4),
    uint(o.ny, 4),
    micro(o.first[0]),
    micro(o.first[1]),
    uint(8, 1),
    micro(o.lad),
    micro(o.lov),
    uint(Math.round(o.dx * 1000), 4),
    uint(Math.round(o.dy * 1000), 4),
    uint(0, 1),
    uint(o.scanningMode ?? 64, 1),
    micro(o.latin1),
    micro(o.latin2),
    micro(-90),
    micro(0),
  );
}

export interface SimpleMessageOptions {
  grid: Buffer;
  /** The packed integers X, each stored in `bitsPerValue` bits. */
  packed: readonly number[];
  bitsPerValue: number;
  referenceValue?: number;
  binaryScaleFactor?: number;
  decimalScaleFactor?: number;
  /** Overrides octets 6–9 of section 5 (number of packed values). */
  numberOfValues?: number;
  dataTemplate?: number;
  productTemplate?: number;
}

/** A whole message: TMP 2 m above ground, 2024-05-01 12 UTC + 6 h, simple packing. */
export function simpleMessage(o: SimpleMessageOptions): Buffer {
  const identification = section(1, uint(7, 2), uint(0, 2), uint(2, 1), uint(1, 1), uint(1, 1), uint(2024, 2), uint(5, 1), uint(1, 1), uint(12, 1), uint(0, 1), uint(0, 1), uint(0, 1), uint(1, 1));
  const product = section(4, uint(0, 2), uint(o.productTemplate ?? 0, 2), uint(0, 1), uint(0, 1), uint(2, 1), uint(0, 1), uint(96, 1), uint(0, 2), uint(0, 1), uint(1, 1), int(6, 4), uint(103, 1), int(0, 1), uint(2, 4), uint(255, 1), Buffer.alloc(5, 0xff));
  const representation = section(
    5,
    uint(o.numberOfValues ?? o.packed.length, 4),
    uint(o.dataTemplate ?? 0, 2),
    float32(o.referenceValue ?? 0),
    int(o.binaryScaleFactor ?? 0, 2),
    int(o.decimalScaleFactor ?? 0, 2),
    uint(o.bitsPerValue, 1),
    uint(0, 1),
  );
  const bitmap = section(6, uint(255, 1));
  const data = section(7, packBits(o.packed, o.bitsPerValue));
  return message(0, [identification, o.grid, product, representation, bitmap, data]);
}

/** Section 0 (with the total length), the sections, and "7777". */
export function message(discipline: number, sections: Buffer[]): Buffer {
  const body = Buffer.concat(sections);
  const total = 16 + body.length + 4;
  return Buffer.concat([Buffer.from('GRIB'), Buffer.alloc(2), uint(discipline, 1), uint(2, 1), uint(total, 8), body, Buffer.from('7777')]);
}

/** Big-endian bit packing, as simple packing stores values. */
export function packBits(values: readonly number[], width: number): Buffer {
  const bytes = Buffer.alloc(Math.ceil((values.length * width) / 8));
  let position = 0;
  for (const value of values) {
    for (let bit = width - 1; bit >= 0; bit--) {
      if (Math.floor(value / 2 ** bit) % 2) bytes[position >> 3]! |= 0x80 >> (position & 7);
      position++;
    }
  }
  return bytes;
}
