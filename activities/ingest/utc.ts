import { IngestPlanError } from './errors';

/**
 * UTC calendar arithmetic on epoch milliseconds. NOAA keys are all UTC; going through Date's UTC
 * getters (never local ones) keeps the results independent of the worker's TZ.
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** 1-based day of the year: 1 January is 1, 31 December is 365 or 366. */
export function dayOfYear(time: Date): number {
  return Math.floor((startOfUtcDay(time).getTime() - Date.UTC(time.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function startOfUtcDay(time: Date): Date {
  return new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
}

export function startOfUtcHour(time: Date): Date {
  return new Date(Math.floor(time.getTime() / HOUR_MS) * HOUR_MS);
}

/** The tokens key templates use, for one instant: YYYY, MM, DD, DDD (day of year), HH, mm, YYYYMMDD. */
export function timeTokens(time: Date): Record<string, string> {
  const yyyy = pad(time.getUTCFullYear(), 4);
  const mm = pad(time.getUTCMonth() + 1, 2);
  const dd = pad(time.getUTCDate(), 2);
  return { YYYY: yyyy, MM: mm, DD: dd, DDD: pad(dayOfYear(time), 3), HH: pad(time.getUTCHours(), 2), YYYYMMDD: `${yyyy}${mm}${dd}` };
}

/** Refuses an Invalid Date: its arithmetic is NaN everywhere and would silently yield nothing. */
export function requireValidDate(time: Date, what: string): void {
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) {
    throw new IngestPlanError(`${what} is not a valid date`, 'Pass a Date built from an ISO timestamp or epoch milliseconds.');
  }
}
