/** Summary of a decoded field over its present (non-NaN) points. */
export interface FieldStatistics {
  /** NaN when every point is missing. */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Points with no value: left out by the bitmap, or coded missing in complex packing. */
  readonly missing: number;
}

export function statisticsOf(values: Float64Array): FieldStatistics {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let present = 0;
  for (let k = 0; k < values.length; k++) {
    const value = values[k]!;
    if (Number.isNaN(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
    present++;
  }
  if (present === 0) return { min: NaN, max: NaN, mean: NaN, missing: values.length };
  return { min, max, mean: sum / present, missing: values.length - present };
}
