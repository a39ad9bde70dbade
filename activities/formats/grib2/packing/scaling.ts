/**
 * Turns packed integers X into values Y = (R + X·2^E) / 10^D (WMO regulation 92.9.4), with the
 * same floating-point steps as ecCodes, so results match its output bit for bit: it computes
 * `(X·2^E + R) · 10^-D`, with both powers built by repeated multiplication or division
 * (its `grib_power`), and R widened from the section's 32-bit float.
 */
export interface Scaling {
  readonly referenceValue: number;
  readonly binaryScale: number;
  readonly decimalScale: number;
}

export function scalingOf(referenceValue: number, binaryScaleFactor: number, decimalScaleFactor: number): Scaling {
  return {
    referenceValue,
    binaryScale: repeatedPower(2, binaryScaleFactor),
    decimalScale: repeatedPower(10, -decimalScaleFactor),
  };
}

/** Scales `packed` in place; NaN (a missing value) stays NaN. */
export function applyScaling(packed: Float64Array, { referenceValue, binaryScale, decimalScale }: Scaling): Float64Array {
  for (let k = 0; k < packed.length; k++) packed[k] = (packed[k]! * binaryScale + referenceValue) * decimalScale;
  return packed;
}

/** base^exponent the way ecCodes computes it: 10^-2 is (1/10)/10, not the literal 0.01. */
function repeatedPower(base: number, exponent: number): number {
  let result = 1;
  for (let e = exponent; e < 0; e++) result /= base;
  for (let e = exponent; e > 0; e--) result *= base;
  return result;
}

/**
 * A field packed with 0 bits per value: every value is R. ecCodes returns R itself, without the
 * decimal scaling the formula would apply (R / 10^D), for simple, JPEG 2000 and PNG packing;
 * this reader does the same so both agree on such files.
 */
export function constantField(count: number, referenceValue: number): Float64Array {
  return new Float64Array(count).fill(referenceValue);
}
