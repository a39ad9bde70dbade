import { expandKeyTemplate } from './key-template';
import { checkLookback } from './model-schedule';
import type { GoesSource, MrmsSource } from './sources';
import { DAY_MS, HOUR_MS, requireValidDate, startOfUtcDay, startOfUtcHour, timeTokens } from './utc';

/** One S3 ListObjectsV2 prefix to page through. */
export interface ListingPrefix {
  readonly bucket: string;
  readonly prefix: string;
}

/**
 * The prefixes that hold every file of the last `lookbackHours`: GOES directories are per hour
 * (ABI-L2-CMIPC/2024/122/12/), MRMS ones per product and day. Each hour or day is named from its
 * own date, so a window across midnight, 31 December or 29 February lists the right directories
 * (the seed took the year and day of year from "now" for every hour, missing yesterday's files).
 * Oldest first. Listings can hold files older than the window; filter by scanStart.
 */
export function listingPrefixes(source: GoesSource | MrmsSource, now: Date, lookbackHours: number): ListingPrefix[] {
  requireValidDate(now, 'now');
  checkLookback(source, lookbackHours);
  const earliest = new Date(now.getTime() - lookbackHours * HOUR_MS);
  const prefixes: ListingPrefix[] = [];
  if (source.kind === 'goes') {
    for (let hour = startOfUtcHour(earliest).getTime(); hour <= now.getTime(); hour += HOUR_MS) {
      const prefix = expandKeyTemplate(source.prefixTemplate, { ...timeTokens(new Date(hour)), product: source.product });
      prefixes.push({ bucket: source.bucket, prefix });
    }
    return prefixes;
  }
  for (let day = startOfUtcDay(earliest).getTime(); day <= now.getTime(); day += DAY_MS) {
    for (const product of source.products) {
      const prefix = expandKeyTemplate(source.prefixTemplate, { ...timeTokens(new Date(day)), region: source.region, product: product.name, level: product.level });
      prefixes.push({ bucket: source.bucket, prefix });
    }
  }
  return prefixes;
}
