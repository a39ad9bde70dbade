/** Code table 4.4, the unit of a forecast time or time range; months and longer have no fixed length in hours. */
const HOURS_PER_UNIT: Record<number, number | undefined> = {
  0: 1 / 60, // minute
  1: 1, // hour
  2: 24, // day
  10: 3, // 3 hours
  11: 6, // 6 hours
  12: 12, // 12 hours
  13: 1 / 3600, // second
};

const UNIT_NAMES: Record<number, string> = {
  0: 'minute',
  1: 'hour',
  2: 'day',
  3: 'month',
  4: 'year',
  5: 'decade',
  6: 'normal (30 years)',
  7: 'century',
  10: '3 hours',
  11: '6 hours',
  12: '12 hours',
  13: 'second',
};

/** A duration as GRIB writes it: a count of some unit. */
export interface TimeSpan {
  readonly value: number;
  /** Code table 4.4. */
  readonly unit: number;
  readonly unitName: string;
}

export function timeSpanOf(value: number, unit: number): TimeSpan {
  return { value, unit, unitName: UNIT_NAMES[unit] ?? `unit ${unit}` };
}

/** The span in hours; undefined for calendar units (a month is not a fixed number of hours). */
export function hoursOf(span: TimeSpan): number | undefined {
  const perUnit = HOURS_PER_UNIT[span.unit];
  return perUnit === undefined ? undefined : roundHours(span.value * perUnit);
}

/** Minutes and seconds convert with binary noise (90 × 1/60 = 1.5000000000000002). */
export function roundHours(hours: number): number {
  return Number(hours.toPrecision(12));
}
