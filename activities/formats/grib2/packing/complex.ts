import { BitReader } from '../bit-reader';
import type { GroupedPacking } from '../data-representation';
import { GribFormatError, type GribLocation } from '../errors';
import { applyScaling, scalingOf } from './scaling';
import { readSpatialDifferencingHead, undoSpatialDifferencing } from './spatial-differencing';

/** Group layout read from section 7: per group, its reference, bit width and value count. */
interface Groups {
  readonly references: Float64Array;
  readonly widths: Float64Array;
  readonly lengths: Float64Array;
}

/**
 * Templates 5.2 and 5.3, complex packing (WMO regulation 92.9.5 and notes to template 5.2).
 * Section 7 holds, each block starting on a byte: [5.3 only: the first values and the overall
 * minimum of the differences], the group references, the group widths, the group lengths, then
 * every group's values at its own width. A value is its group's reference plus its packed bits.
 * Missing points may be coded inside the data (management 1 and 2); they decode to NaN.
 */
export function unpackComplex(data: Uint8Array, packing: GroupedPacking, where: GribLocation): Float64Array {
  const count = packing.numberOfValues;
  const scaling = scalingOf(packing.referenceValue, packing.binaryScaleFactor, packing.decimalScaleFactor);
  // Writers may leave section 7 empty for a constant field. Unlike simple packing, ecCodes
  // applies the decimal scale here (R / 10^D), so this does too.
  if (count === 0 || (packing.bitsPerValue === 0 && data.length === 0)) return applyScaling(new Float64Array(count), scaling);

  const reader = new BitReader(data);
  const fail = (problem: string): never => {
    throw new GribFormatError(where, problem);
  };
  const spatial = packing.template === 3 && packing.order !== 0 ? readSpatialDifferencingHead(reader, packing.order, packing.extraDescriptorOctets, fail) : undefined;
  const groups = readGroups(reader, packing, fail);
  const values = unpackGroups(reader, groups, packing, fail);
  if (spatial) undoSpatialDifferencing(values, spatial);
  return applyScaling(values, scaling);
}

function readGroups(reader: BitReader, packing: GroupedPacking, fail: (problem: string) => never): Groups {
  const { numberOfGroups: count, widthReference, widthBits, lengthReference, lengthIncrement, lastGroupLength, lengthBits } = packing.groups;
  // Every group holds at least one value, so more groups than values is corruption; this also
  // bounds the allocations below by the value count, which the caller has already capped.
  if (count === 0 || count > packing.numberOfValues) fail(`${count} groups for ${packing.numberOfValues} values`);
  const block = (width: number, what: string): Float64Array => {
    if (count * width > reader.remaining) fail(`the ${count} group ${what} (${width} bits each) run past the end of section 7`);
    const values = new Float64Array(count);
    reader.readInto(values, 0, count, width);
    reader.alignToByte();
    return values;
  };
  const references = block(packing.bitsPerValue, 'references');
  const widths = block(widthBits, 'widths');
  const lengths = block(lengthBits, 'lengths');

  let totalLength = 0;
  let totalBits = 0;
  for (let g = 0; g < count; g++) {
    widths[g] = widths[g]! + widthReference;
    if (widths[g]! > 32) fail(`group ${g + 1} is ${widths[g]} bits wide, more than 32`);
    // The last group's true length is given separately: the scaled lengths cannot express it.
    lengths[g] = g === count - 1 ? lastGroupLength : lengthReference + lengths[g]! * lengthIncrement;
    totalLength += lengths[g]!;
    totalBits += widths[g]! * lengths[g]!;
  }
  if (totalLength !== packing.numberOfValues) fail(`the group lengths add up to ${totalLength} values, but section 5 says ${packing.numberOfValues}`);
  if (totalBits > reader.remaining) fail(`the groups' values need ${totalBits} bits, but only ${reader.remaining} remain in section 7`);
  return { references, widths, lengths };
}

/** The packed integers of every group, as numbers; NaN where the data codes a missing value. */
function unpackGroups(reader: BitReader, groups: Groups, packing: GroupedPacking, fail: (problem: string) => never): Float64Array {
  const values = new Float64Array(packing.numberOfValues);
  const mode = packing.missingValues.mode;
  // A group of width 0 is all its reference; with management on, an all-ones reference (or
  // all-ones minus 1 for the secondary) says the whole group is missing.
  const missingReference = 2 ** packing.bitsPerValue - 1;
  let at = 0;
  for (let g = 0; g < groups.widths.length; g++) {
    const width = groups.widths[g]!;
    const length = groups.lengths[g]!;
    const reference = groups.references[g]!;
    if (at + length > values.length) fail('the groups hold more values than section 5 says');
    if (width === 0) {
      const missing = mode >= 1 && (reference === missingReference || (mode === 2 && reference === missingReference - 1));
      values.fill(missing ? NaN : reference, at, at + length);
    } else {
      reader.readInto(values, at, length, width);
      if (mode === 0) {
        for (let k = at; k < at + length; k++) values[k] = values[k]! + reference;
      } else {
        const primary = 2 ** width - 1;
        const secondary = mode === 2 ? primary - 1 : -1;
        for (let k = at; k < at + length; k++) {
          const packed = values[k]!;
          values[k] = packed === primary || packed === secondary ? NaN : packed + reference;
        }
      }
    }
    at += length;
  }
  return values;
}
