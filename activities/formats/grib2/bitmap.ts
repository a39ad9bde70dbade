import { GribFormatError, GribUnsupportedError, type GribLocation } from './errors';

/**
 * Section 6, octet 6 (code table 6.0): 0 = a bitmap follows; 254 = reuse the last bitmap defined
 * in this message; 255 = no bitmap, every grid point has a value; 1–253 = a bitmap predefined by
 * the centre, which the file does not carry.
 */
export const BITMAP_PRESENT = 0;
export const BITMAP_PREVIOUS = 254;
export const BITMAP_NONE = 255;

/** How many points the bitmap marks present (bit set), among the first `numberOfPoints`. */
export function countPresent(bitmap: Uint8Array, numberOfPoints: number): number {
  let present = 0;
  const fullBytes = numberOfPoints >>> 3;
  for (let b = 0; b < fullBytes; b++) present += BITS_SET[bitmap[b]!]!;
  for (let k = fullBytes * 8; k < numberOfPoints; k++) present += (bitmap[k >>> 3]! >>> (7 - (k & 7))) & 1;
  return present;
}

/**
 * Checks a bitmap against the grid and the packed data before anything is unpacked: it must
 * cover every point, and mark exactly as many present as there are packed values.
 */
export function checkBitmap(bitmap: Uint8Array, numberOfPoints: number, numberOfValues: number, where: GribLocation): void {
  if (bitmap.length * 8 < numberOfPoints) {
    throw new GribFormatError(where, `the bitmap has ${bitmap.length * 8} bits for a grid of ${numberOfPoints} points`);
  }
  const present = countPresent(bitmap, numberOfPoints);
  if (present !== numberOfValues) {
    throw new GribFormatError(where, `the bitmap marks ${present} points present, but section 5 packs ${numberOfValues} values`);
  }
}

/** Spreads the packed values over the grid: present points take the next value, the others NaN. */
export function spreadOverBitmap(packed: Float64Array, bitmap: Uint8Array, numberOfPoints: number): Float64Array {
  const values = new Float64Array(numberOfPoints);
  let next = 0;
  for (let k = 0; k < numberOfPoints; k++) {
    values[k] = (bitmap[k >>> 3]! >>> (7 - (k & 7))) & 1 ? packed[next++]! : NaN;
  }
  return values;
}

export function unsupportedBitmap(indicator: number, where: GribLocation): GribUnsupportedError {
  return new GribUnsupportedError(where, `bitmap indicator ${indicator}: a bitmap predefined by the originating centre, which the file does not include`);
}

const BITS_SET = Uint8Array.from({ length: 256 }, (_, byte) => {
  let bits = 0;
  for (let b = byte; b; b >>= 1) bits += b & 1;
  return bits;
});
