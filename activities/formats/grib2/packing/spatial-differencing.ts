import type { BitReader } from '../bit-reader';

/** The head of a 5.3 section 7: what is needed to turn differences back into values. */
export interface SpatialDifferencingHead {
  readonly order: 1 | 2;
  /** The first 1 or 2 original (scaled integer) values, which the differences cannot give. */
  readonly firstValues: readonly number[];
  /** Subtracted from every difference before packing so they are all non-negative. */
  readonly overallMinimum: number;
}

/**
 * Reads the extra descriptors at the start of section 7: `order` first values, then the overall
 * minimum, each in `extraDescriptorOctets` octets as a sign-and-magnitude integer.
 */
export function readSpatialDifferencingHead(reader: BitReader, order: 1 | 2, octetsEach: number, fail: (problem: string) => never): SpatialDifferencingHead {
  const bits = octetsEach * 8;
  if ((order + 1) * bits > reader.remaining) fail('section 7 is too short for the spatial differencing descriptors');
  const signed = () => {
    const raw = reader.read(bits);
    const signBit = 2 ** (bits - 1);
    return raw >= signBit ? -(raw - signBit) : raw;
  };
  const firstValues: number[] = [];
  for (let k = 0; k < order; k++) firstValues.push(signed());
  return { order, firstValues, overallMinimum: signed() };
}

/**
 * Rebuilds the values in place from their 1st or 2nd order differences (WMO notes to template
 * 5.3): v[n] = d[n] + min + v[n−1], or d[n] + min + 2·v[n−1] − v[n−2]. Missing points (NaN) take
 * no part: the differences run over the present values only, as the writers computed them.
 */
export function undoSpatialDifferencing(values: Float64Array, head: SpatialDifferencingHead): void {
  const { order, firstValues, overallMinimum } = head;
  let seen = 0;
  let previous = 0;
  let beforePrevious = 0;
  for (let k = 0; k < values.length; k++) {
    const difference = values[k]!;
    if (Number.isNaN(difference)) continue;
    let value: number;
    if (seen < order) value = firstValues[seen]!;
    else if (order === 1) value = difference + overallMinimum + previous;
    else value = difference + overallMinimum + 2 * previous - beforePrevious;
    values[k] = value;
    beforePrevious = previous;
    previous = value;
    seen++;
  }
}
