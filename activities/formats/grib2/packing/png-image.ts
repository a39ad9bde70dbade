import { inflateSync } from 'node:zlib';
import { BitReader } from '../bit-reader';

/** A decoded PNG, reduced to what GRIB2 uses: one integer per pixel. */
export interface PngImage {
  readonly width: number;
  readonly height: number;
  /** Bits per pixel over all channels: gray 1–16, gray+alpha 16, RGB 24, RGBA 32. */
  readonly bitsPerPixel: number;
}

export interface PngHeader extends PngImage {
  readonly bitDepth: number;
  readonly colorType: number;
}

/** What went wrong, for the caller to report with its own GRIB location. */
export class PngFormatError extends Error {
  override name = 'PngFormatError';
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Channels per PNG colour type; 3 (palette) has no place in GRIB, whose pixels are numbers. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/**
 * Reads the PNG header (IHDR). GRIB2 5.41 takes its bit depth from here, not from section 5:
 * ecCodes, for one, writes 12-bit data as a 16-bit PNG and says 12 in section 5.
 */
export function readPngHeader(png: Uint8Array): PngHeader {
  if (png.length < 33 || SIGNATURE.some((byte, i) => png[i] !== byte)) throw new PngFormatError('section 7 does not hold a PNG image (no PNG signature)');
  const view = new DataView(png.buffer, png.byteOffset, png.length);
  if (view.getUint32(8) !== 13 || chunkType(png, 12) !== 'IHDR') throw new PngFormatError('the PNG does not start with its IHDR header');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = png[24]!;
  const colorType = png[25]!;
  const channels = CHANNELS[colorType];
  if (channels === undefined) throw new PngFormatError(`PNG colour type ${colorType} (palette or unknown) cannot hold GRIB values`);
  if (png[26] !== 0 || png[27] !== 0) throw new PngFormatError('the PNG uses an unknown compression or filter method');
  if (png[28] !== 0) throw new PngFormatError('the PNG is interlaced (Adam7), which GRIB2 writers never produce');
  const bitsPerPixel = bitDepth * channels;
  if (![1, 2, 4, 8, 16].includes(bitDepth) || bitsPerPixel > 32) throw new PngFormatError(`PNG bit depth ${bitDepth} with ${channels} channels does not give an integer of at most 32 bits`);
  return { width, height, bitDepth, colorType, bitsPerPixel };
}

/**
 * Decodes the pixels of a PNG whose header was checked, as unsigned integers in image order:
 * each pixel's channels read together, big-endian (an RGB pixel is R·2^16 + G·2^8 + B), the
 * way GRIB2 writers (g2c, ecCodes) pack values wider than 16 bits.
 */
export function readPngPixels(png: Uint8Array, header: PngHeader): Float64Array {
  const rowBytes = Math.ceil((header.width * header.bitsPerPixel) / 8);
  const expected = header.height * (rowBytes + 1);
  const compressed = concatenatedIdat(png);
  let raw: Buffer;
  try {
    // The cap stops a forged image from inflating past what its own header promises.
    raw = inflateSync(compressed, { maxOutputLength: Math.max(expected, 1) });
  } catch (err) {
    throw new PngFormatError(`the PNG's compressed data does not inflate: ${(err as Error).message}`);
  }
  if (raw.length !== expected) throw new PngFormatError(`the PNG's pixel data has ${raw.length} bytes where a ${header.width}×${header.height} image needs ${expected}`);
  unfilterInPlace(raw, header.height, rowBytes, Math.max(1, Math.floor(header.bitsPerPixel / 8)));

  const pixels = new Float64Array(header.width * header.height);
  const reader = new BitReader(raw);
  for (let y = 0; y < header.height; y++) {
    reader.skip(8); // the row's filter-type byte
    reader.readInto(pixels, y * header.width, header.width, header.bitsPerPixel);
    reader.alignToByte(); // rows end on a byte
  }
  return pixels;
}

function chunkType(png: Uint8Array, at: number): string {
  return String.fromCharCode(png[at]!, png[at + 1]!, png[at + 2]!, png[at + 3]!);
}

/** The image data may be split across several IDAT chunks; zlib wants it in one piece. */
function concatenatedIdat(png: Uint8Array): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset, png.length);
  const parts: Uint8Array[] = [];
  let at = SIGNATURE.length;
  for (;;) {
    if (at + 12 > png.length) throw new PngFormatError('the PNG ends without an IEND chunk');
    const length = view.getUint32(at);
    const type = chunkType(png, at + 4);
    if (at + 12 + length > png.length) throw new PngFormatError(`the PNG's ${type} chunk claims ${length} bytes, past the end of section 7`);
    if (type === 'IDAT') parts.push(png.subarray(at + 8, at + 8 + length));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Undoes PNG's per-row filters (PNG specification §9) in place: each row is a filter-type byte
 * then `rowBytes` bytes, and filtering only looks at bytes already restored (left, up, up-left).
 */
function unfilterInPlace(raw: Uint8Array, height: number, rowBytes: number, bpp: number): void {
  const stride = rowBytes + 1;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * stride]!;
    const row = raw.subarray(y * stride + 1, (y + 1) * stride);
    // The row above; for the first row, PNG defines it as zeros.
    const up = y > 0 ? raw.subarray((y - 1) * stride + 1, y * stride) : new Uint8Array(rowBytes);
    // One loop per filter type, not a switch per byte: this runs over every byte of the image.
    switch (filter) {
      case 0:
        break;
      case 1:
        for (let x = bpp; x < rowBytes; x++) row[x] = (row[x]! + row[x - bpp]!) & 0xff;
        break;
      case 2:
        for (let x = 0; x < rowBytes; x++) row[x] = (row[x]! + up[x]!) & 0xff;
        break;
      case 3:
        for (let x = 0; x < rowBytes; x++) row[x] = (row[x]! + (((x >= bpp ? row[x - bpp]! : 0) + up[x]!) >>> 1)) & 0xff;
        break;
      case 4:
        for (let x = 0; x < rowBytes; x++) {
          const left = x >= bpp ? row[x - bpp]! : 0;
          const upLeft = x >= bpp ? up[x - bpp]! : 0;
          row[x] = (row[x]! + paeth(left, up[x]!, upLeft)) & 0xff;
        }
        break;
      default:
        throw new PngFormatError(`row ${y} of the PNG uses unknown filter type ${filter}`);
    }
  }
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}
