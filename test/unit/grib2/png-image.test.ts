import { deflateSync } from 'node:zlib';
import { PngFormatError, readPngHeader, readPngPixels } from '../../../activities/formats/grib2/packing/png-image';

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  // The reader does not check CRCs (zlib's own checksum guards the pixels); any value will do.
  return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
}

/** PNG filters (specification §9.2) applied to one row, given the row above. */
function filterRow(filter: number, row: Buffer, above: Buffer, bpp: number): Buffer {
  const out = Buffer.alloc(row.length);
  for (let x = 0; x < row.length; x++) {
    const left = x >= bpp ? row[x - bpp]! : 0;
    const up = above[x]!;
    const upLeft = x >= bpp ? above[x - bpp]! : 0;
    const paeth = (() => {
      const p = left + up - upLeft;
      const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
      return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
    })();
    const predictor = [0, left, up, (left + up) >> 1, paeth][filter]!;
    out[x] = (row[x]! - predictor) & 0xff;
  }
  return out;
}

/** Encodes pixels (unsigned integers of bitDepth × channels bits) as a PNG, cycling the filters. */
function encodePng(width: number, height: number, bitDepth: number, colorType: number, pixels: number[]): Buffer {
  const bitsPerPixel = bitDepth * CHANNELS[colorType]!;
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel / 8);
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(rowBytes);
    for (let x = 0; x < width; x++) {
      const value = pixels[y * width + x]!;
      for (let bit = 0; bit < bitsPerPixel; bit++) {
        if (Math.floor(value / 2 ** (bitsPerPixel - 1 - bit)) % 2) {
          const at = x * bitsPerPixel + bit;
          row[at >> 3]! |= 0x80 >> (at & 7);
        }
      }
    }
    rows.push(row);
  }
  const filtered = rows.map((row, y) => {
    const filter = y % 5;
    return Buffer.concat([Buffer.from([filter]), filterRow(filter, row, y > 0 ? rows[y - 1]! : Buffer.alloc(rowBytes), Math.floor(bpp))]);
  });
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = colorType;
  const compressed = deflateSync(Buffer.concat(filtered));
  // Split the pixel data over two IDAT chunks, as large images are.
  const half = Math.floor(compressed.length / 2);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', compressed.subarray(0, half)),
    chunk('IDAT', compressed.subarray(half)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('the PNG reader behind template 5.41', () => {
  it.each([
    ['gray 1-bit', 1, 0],
    ['gray 2-bit', 2, 0],
    ['gray 4-bit', 4, 0],
    ['gray 8-bit', 8, 0],
    ['gray 16-bit', 16, 0],
    ['gray+alpha 8-bit (16 bits a pixel)', 8, 4],
    ['RGB 8-bit (24 bits a pixel)', 8, 2],
    ['RGBA 8-bit (32 bits a pixel)', 8, 6],
  ] as const)('%s, every filter type, odd width', (_label, bitDepth, colorType) => {
    const width = 13;
    const height = 10;
    const bitsPerPixel = bitDepth * CHANNELS[colorType]!;
    const pixels = Array.from({ length: width * height }, (_, k) => Math.floor(((k * 2654435761) % 2 ** 32) / 2 ** (32 - bitsPerPixel)));
    const png = encodePng(width, height, bitDepth, colorType, pixels);
    const header = readPngHeader(png);
    expect(header).toMatchObject({ width, height, bitDepth, colorType, bitsPerPixel });
    expect(Array.from(readPngPixels(png, header))).toEqual(pixels);
  });

  it('refuses what GRIB never holds: palettes, interlacing, bad signatures, inflated data of the wrong size', () => {
    const png = encodePng(4, 4, 8, 0, new Array(16).fill(7));
    const withByte = (at: number, value: number) => {
      const copy = Buffer.from(png);
      copy[at] = value;
      return copy;
    };
    expect(() => readPngHeader(withByte(25, 3))).toThrow(/colour type 3/);
    expect(() => readPngHeader(withByte(28, 1))).toThrow(/interlaced/);
    expect(() => readPngHeader(withByte(1, 0))).toThrow(/no PNG signature/);
    expect(() => readPngHeader(withByte(24, 3))).toThrow(PngFormatError);
    // A header claiming 5 rows where the data holds 4.
    const taller = withByte(23, 5);
    expect(() => readPngPixels(taller, readPngHeader(taller))).toThrow(/pixel data has 20 bytes where a 4×5 image needs 25/);
  });
});
