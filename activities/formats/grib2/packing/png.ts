import type { PngPacking } from '../data-representation';
import { GribFormatError, type GribLocation } from '../errors';
import { readPngHeader, readPngPixels, PngFormatError } from './png-image';
import { applyScaling, constantField, scalingOf } from './scaling';

/**
 * Template 5.41: section 7 is a PNG whose pixels are the packed integers, one per value. The
 * image size is checked against the value count before anything is inflated.
 */
export function unpackPng(data: Uint8Array, packing: PngPacking, where: GribLocation): Float64Array {
  // A constant field has no image at all.
  if (packing.bitsPerValue === 0) return constantField(packing.numberOfValues, packing.referenceValue);
  const scaling = scalingOf(packing.referenceValue, packing.binaryScaleFactor, packing.decimalScaleFactor);
  try {
    const header = readPngHeader(data);
    if (header.width * header.height !== packing.numberOfValues) {
      throw new GribFormatError(where, `the PNG is ${header.width}×${header.height} pixels, but section 5 says ${packing.numberOfValues} values`);
    }
    return applyScaling(readPngPixels(data, header), scaling);
  } catch (err) {
    if (err instanceof PngFormatError) throw new GribFormatError(where, err.message);
    throw err;
  }
}
