import { GribFormatError, GribUnsupportedError } from './errors';
import type { Octets } from './octets';

/** The part every supported packing shares (octets 12–21): Y = (R + X·2^E) / 10^D. */
export interface PackingParameters {
  /** Number of values actually packed in section 7 (without the points a bitmap leaves out). */
  readonly numberOfValues: number;
  /** R, the reference value (an IEEE 32-bit float in the file). */
  readonly referenceValue: number;
  /** E */
  readonly binaryScaleFactor: number;
  /** D */
  readonly decimalScaleFactor: number;
  /** Bits per packed value; 0 means every value equals R (a constant field). */
  readonly bitsPerValue: number;
  /** Code table 5.1: were the original values floating point or integers. */
  readonly originalValues: 'float' | 'integer';
}

export interface SimplePacking extends PackingParameters {
  readonly template: 0;
  readonly packingType: 'grid_simple';
}

/** Template 5.2: values split into groups, each with its own reference and bit width. */
export interface ComplexPacking extends PackingParameters {
  readonly template: 2;
  readonly packingType: 'grid_complex';
  readonly groups: GroupDescriptors;
  readonly missingValues: MissingValueManagement;
}

/** Template 5.3: complex packing of the 1st or 2nd order differences between neighbours. */
export interface SpatialDifferencingPacking extends PackingParameters {
  readonly template: 3;
  readonly packingType: 'grid_complex_spatial_differencing';
  readonly groups: GroupDescriptors;
  readonly missingValues: MissingValueManagement;
  /** 1 or 2; 0 (written by ecCodes) means no differencing at all. */
  readonly order: 0 | 1 | 2;
  /** Octets for each of the first values and the overall minimum at the head of section 7. */
  readonly extraDescriptorOctets: number;
}

/** Template 5.40: the packed integers are a JPEG 2000 codestream image. */
export interface Jpeg2000Packing extends PackingParameters {
  readonly template: 40;
  readonly packingType: 'grid_jpeg';
  readonly lossy: boolean;
  readonly targetCompressionRatio: number;
}

/** Template 5.41: the packed integers are the pixels of a PNG image. */
export interface PngPacking extends PackingParameters {
  readonly template: 41;
  readonly packingType: 'grid_png';
}

export type DataRepresentation = SimplePacking | ComplexPacking | SpatialDifferencingPacking | Jpeg2000Packing | PngPacking;
export type GroupedPacking = ComplexPacking | SpatialDifferencingPacking;

/** How the group layout of complex packing is described (octets 32–47). */
export interface GroupDescriptors {
  readonly splittingMethod: number;
  readonly numberOfGroups: number;
  readonly widthReference: number;
  readonly widthBits: number;
  readonly lengthReference: number;
  readonly lengthIncrement: number;
  readonly lastGroupLength: number;
  readonly lengthBits: number;
}

/**
 * Code table 5.5. With management 1 (or 2), a packed value of all one bits (or all ones minus 1)
 * marks a missing point inside the data itself, instead of in a bitmap. The substitutes are the
 * values the producer used for those points; decoded, they become NaN.
 */
export interface MissingValueManagement {
  readonly mode: 0 | 1 | 2;
  readonly primarySubstitute: number | undefined;
  readonly secondarySubstitute: number | undefined;
}

/** The widest value a bit reader (and ecCodes) handles; wider means a corrupt section 5. */
export const MAX_BITS_PER_VALUE = 32;

export function readDataRepresentation(octets: Octets): DataRepresentation {
  octets.require(11, 'the data representation header (11 octets)');
  const template = octets.uint(10, 2);
  switch (template) {
    case 0:
      return { template, packingType: 'grid_simple', ...readPackingParameters(octets) };
    case 2:
      octets.require(47, 'data representation template 5.2 (47 octets)');
      return { template, packingType: 'grid_complex', ...readPackingParameters(octets), ...readComplexParameters(octets) };
    case 3: {
      octets.require(49, 'data representation template 5.3 (49 octets)');
      const order = octets.uint(48, 1);
      // Code table 5.6 defines orders 1 and 2; ecCodes writes 0 (no differencing, plain complex
      // packing) when it finds differencing does not pay, and reads such files back.
      if (order !== 0 && order !== 1 && order !== 2) throw new GribUnsupportedError(octets.where, `order of spatial differencing ${order} (code table 5.6 defines 1 and 2)`);
      const extraDescriptorOctets = octets.uint(49, 1);
      if (order > 0 && (extraDescriptorOctets < 1 || extraDescriptorOctets > 4)) {
        throw new GribFormatError(octets.where, `spatial differencing descriptors of ${extraDescriptorOctets} octets each (expected 1 to 4)`);
      }
      const base = { ...readPackingParameters(octets), ...readComplexParameters(octets) };
      return { template, packingType: 'grid_complex_spatial_differencing', ...base, order, extraDescriptorOctets };
    }
    case 40:
      octets.require(23, 'data representation template 5.40 (23 octets)');
      return { template, packingType: 'grid_jpeg', ...readPackingParameters(octets), lossy: octets.uint(22, 1) === 1, targetCompressionRatio: octets.uint(23, 1) };
    case 41:
      return { template, packingType: 'grid_png', ...readPackingParameters(octets) };
    default:
      throw new GribUnsupportedError(octets.where, `unsupported data representation template 5.${template}`);
  }
}

function readPackingParameters(octets: Octets): PackingParameters {
  octets.require(21, 'the packing parameters (21 octets)');
  const referenceValue = octets.float32(12);
  if (!Number.isFinite(referenceValue)) octets.fail(`the reference value R is ${referenceValue}, not a finite number`);
  const bitsPerValue = octets.uint(20, 1);
  if (bitsPerValue > MAX_BITS_PER_VALUE) octets.fail(`${bitsPerValue} bits per value is more than the ${MAX_BITS_PER_VALUE} GRIB2 packings allow`);
  return {
    numberOfValues: octets.uint(6, 4),
    referenceValue,
    binaryScaleFactor: octets.int(16, 2),
    decimalScaleFactor: octets.int(18, 2),
    bitsPerValue,
    originalValues: octets.uint(21, 1) === 1 ? 'integer' : 'float',
  };
}

function readComplexParameters(octets: Octets): { groups: GroupDescriptors; missingValues: MissingValueManagement } {
  const mode = octets.uint(23, 1);
  if (mode > 2) throw new GribUnsupportedError(octets.where, `missing value management ${mode} (code table 5.5 defines 0, 1 and 2)`);
  const groups: GroupDescriptors = {
    splittingMethod: octets.uint(22, 1),
    numberOfGroups: octets.uint(32, 4),
    widthReference: octets.uint(36, 1),
    widthBits: octets.uint(37, 1),
    lengthReference: octets.uint(38, 4),
    lengthIncrement: octets.uint(42, 1),
    lastGroupLength: octets.uint(43, 4),
    lengthBits: octets.uint(47, 1),
  };
  if (groups.widthBits > MAX_BITS_PER_VALUE || groups.lengthBits > MAX_BITS_PER_VALUE) {
    octets.fail(`group widths of ${groups.widthBits} bits or lengths of ${groups.lengthBits} bits: more than ${MAX_BITS_PER_VALUE}`);
  }
  // The substitutes are stored like the original values: an IEEE float, or an integer.
  const floats = octets.uint(21, 1) === 0;
  const substitute = (octet: number) => (octets.isMissing(octet, 4) ? undefined : floats ? octets.float32(octet) : octets.int(octet, 4));
  return {
    groups,
    missingValues: {
      mode: mode as 0 | 1 | 2,
      primarySubstitute: mode >= 1 ? substitute(24) : undefined,
      secondarySubstitute: mode === 2 ? substitute(28) : undefined,
    },
  };
}
