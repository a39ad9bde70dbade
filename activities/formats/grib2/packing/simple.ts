import { BitReader } from '../bit-reader';
import type { PackingParameters } from '../data-representation';
import { GribFormatError, type GribLocation } from '../errors';
import { applyScaling, constantField, scalingOf } from './scaling';

/**
 * Template 5.0, simple packing: section 7 is `numberOfValues` integers of `bitsPerValue` bits
 * each, back to back. With 0 bits per value the field is constant and section 7 is empty.
 */
export function unpackSimple(data: Uint8Array, packing: PackingParameters, where: GribLocation): Float64Array {
  const { numberOfValues: count, bitsPerValue: width } = packing;
  if (width === 0) return constantField(count, packing.referenceValue);
  const needed = count * width;
  if (needed > data.length * 8) {
    throw new GribFormatError(where, `${count} values of ${width} bits need ${Math.ceil(needed / 8)} bytes, but section 7 holds ${data.length}`);
  }
  const values = new Float64Array(count);
  new BitReader(data).readInto(values, 0, count, width);
  return applyScaling(values, scalingOf(packing.referenceValue, packing.binaryScaleFactor, packing.decimalScaleFactor));
}
