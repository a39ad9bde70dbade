import type { RollupGrain } from '../../activities/events/event-rollups';

/**
 * Bucket arithmetic in UTC, matching the sites' rollups: hours, days, ISO weeks from Monday, and
 * calendar months. Used for the central API's default window (whole buckets, ending with the
 * current one) and to refuse a range with more buckets than anyone can read.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The start of the bucket of `grain` that contains `at`. */
export function bucketStart(grain: RollupGrain, at: Date): Date {
  const t = at.getTime();
  switch (grain) {
    case 'hour':
      return new Date(Math.floor(t / HOUR_MS) * HOUR_MS);
    case 'day':
      return new Date(Math.floor(t / DAY_MS) * DAY_MS);
    case 'week': {
      const day = new Date(Math.floor(t / DAY_MS) * DAY_MS);
      // getUTCDay: Sunday is 0; days since Monday.
      return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
    }
    case 'month':
      return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  }
}

/** `start` moved back by `n` buckets of `grain` (start must be a bucket start). */
export function bucketsBack(grain: RollupGrain, start: Date, n: number): Date {
  switch (grain) {
    case 'hour':
      return new Date(start.getTime() - n * HOUR_MS);
    case 'day':
      return new Date(start.getTime() - n * DAY_MS);
    case 'week':
      return new Date(start.getTime() - n * 7 * DAY_MS);
    case 'month':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - n, 1));
  }
}

/** How many buckets the central API shows when no ?from is given. */
export const DEFAULT_BUCKETS: Record<RollupGrain, number> = { hour: 24, day: 30, week: 12, month: 12 };

/** The shortest length of a bucket of each grain, so bucketCount never underestimates. */
const SHORTEST_MS: Record<RollupGrain, number> = { hour: HOUR_MS, day: DAY_MS, week: 7 * DAY_MS, month: 28 * DAY_MS };

/** At most how many bucket starts can fall in [from, to). */
export function bucketCount(grain: RollupGrain, fromMs: number, toMs: number): number {
  return Math.ceil((toMs - fromMs) / SHORTEST_MS[grain]);
}
