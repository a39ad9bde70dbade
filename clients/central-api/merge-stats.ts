import { microsecondIso } from '../../activities/events/event-timestamp';
import type { RollupRow } from './site-answers';

/**
 * Merges the sites' rollup rows into one fleet view. Pure: the route fetches, this adds up.
 * Every figure is a sum of the rows' own figures, so the fleet totals equal the sum of what each
 * site reported (the property the tests check), and a bucket's totals the sum of its sites'.
 */

export interface Totals {
  /** Events counted (all statuses). */
  events: number;
  /** Events that ended a job or subjob: succeeded, failed or cancelled. */
  finished: number;
  /** failed / finished; null when nothing finished. */
  failure_rate: number | null;
  /** Events by their status. */
  by_status: Record<string, number>;
  /** Events by entity type (job, subjob). */
  by_entity_type: Record<string, number>;
  /** Over events that carried metrics.duration_s. */
  duration: { count: number; sum: number; max: number | null; mean: number | null };
}

export interface BucketTotals extends Totals {
  /** Start of the bucket (UTC, microseconds as the sites print it). */
  bucket: string;
  /** The sites with events in this bucket; a site without any is absent. */
  by_site: Record<string, Totals>;
}

export interface MergedStats {
  totals: Totals;
  /** Every site that answered, with zeros if it had no rows. */
  by_site: Record<string, Totals>;
  by_app: Record<string, Totals>;
  /** Oldest first. */
  buckets: BucketTotals[];
}

export interface SiteRows {
  readonly site_id: string;
  readonly rows: readonly RollupRow[];
}

export function mergeStats(sites: readonly SiteRows[], entityType?: string): MergedStats {
  const totals = new Accumulator();
  const bySite = new Map<string, Accumulator>();
  const byApp = new Map<string, Accumulator>();
  const buckets = new Map<string, { all: Accumulator; bySite: Map<string, Accumulator> }>();
  // Sites in id order, so float sums come out the same whatever order the sites answered in.
  for (const { site_id, rows } of [...sites].sort((a, b) => compare(a.site_id, b.site_id))) {
    const site = getOr(bySite, site_id, () => new Accumulator());
    for (const row of rows) {
      if (entityType !== undefined && row.entity_type !== entityType) continue;
      const bucketKey = canonicalBucket(row.bucket);
      const bucket = getOr(buckets, bucketKey, () => ({ all: new Accumulator(), bySite: new Map<string, Accumulator>() }));
      for (const into of [totals, site, getOr(byApp, row.app_id, () => new Accumulator()), bucket.all, getOr(bucket.bySite, site_id, () => new Accumulator())]) into.add(row);
    }
  }
  return {
    totals: totals.result(),
    by_site: resultsOf(bySite),
    by_app: resultsOf(byApp),
    buckets: [...buckets.keys()].sort(compare).map((bucket) => {
      const { all, bySite: sitesOfBucket } = buckets.get(bucket)!;
      return { bucket, ...all.result(), by_site: resultsOf(sitesOfBucket) };
    }),
  };
}

/** Sites may print a bucket with more or fewer fractional digits; one bucket must be one key. */
export function canonicalBucket(text: string): string {
  return microsecondIso(Date.parse(text));
}

class Accumulator {
  private events = 0;
  private finished = 0;
  private readonly byStatus = new Map<string, number>();
  private readonly byEntityType = new Map<string, number>();
  private durations = 0;
  private durationSum = 0;
  private durationMax: number | null = null;

  add(row: RollupRow): void {
    this.events += row.events;
    this.finished += row.finished;
    this.byStatus.set(row.status, (this.byStatus.get(row.status) ?? 0) + row.events);
    this.byEntityType.set(row.entity_type, (this.byEntityType.get(row.entity_type) ?? 0) + row.events);
    this.durations += row.durations;
    this.durationSum += row.duration_sum;
    if (row.duration_max !== null) this.durationMax = this.durationMax === null ? row.duration_max : Math.max(this.durationMax, row.duration_max);
  }

  result(): Totals {
    const failed = this.byStatus.get('failed') ?? 0;
    return {
      events: this.events,
      finished: this.finished,
      failure_rate: this.finished === 0 ? null : failed / this.finished,
      by_status: sortedRecord(this.byStatus),
      by_entity_type: sortedRecord(this.byEntityType),
      duration: { count: this.durations, sum: this.durationSum, max: this.durationMax, mean: this.durations === 0 ? null : this.durationSum / this.durations },
    };
  }
}

function resultsOf(accumulators: Map<string, Accumulator>): Record<string, Totals> {
  return Object.fromEntries([...accumulators.keys()].sort(compare).map((key) => [key, accumulators.get(key)!.result()]));
}

function sortedRecord(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => compare(a, b)));
}

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
