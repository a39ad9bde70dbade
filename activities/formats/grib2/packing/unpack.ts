import type { DataRepresentation } from '../data-representation';
import type { GribLocation } from '../errors';
import { unpackComplex } from './complex';
import { unpackJpeg2000 } from './jpeg2000';
import { unpackPng } from './png';
import { unpackSimple } from './simple';

/**
 * Decodes section 7 (without its 5-byte header) into `numberOfValues` values, R, E and D applied.
 * Values coded missing inside the data (complex packing's missing value management) are NaN.
 */
export async function unpackValues(data: Uint8Array, packing: DataRepresentation, where: GribLocation): Promise<Float64Array> {
  switch (packing.template) {
    case 0:
      return unpackSimple(data, packing, where);
    case 2:
    case 3:
      return unpackComplex(data, packing, where);
    case 40:
      return unpackJpeg2000(data, packing, where);
    case 41:
      return unpackPng(data, packing, where);
  }
}
