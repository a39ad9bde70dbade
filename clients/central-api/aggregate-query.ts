import { ROLLUP_GRAINS, type RollupGrain } from '../../activities/events/event-rollups';
import { microsecondIso } from '../../activities/events/event-timestamp';
import { ApiError } from '../events-api/api-error';
import { QueryParams } from '../events-api/query-params';
import { bucketCount, bucketsBack, bucketStart, DEFAULT_BUCKETS } from './grain-buckets';

/** The question GET /v1/jobs/aggregate asks every site, with every default filled in. */
export interface AggregateQuery {
  readonly grain: RollupGrain;
  /** Buckets whose start is in [from, to), as each site's /v1/stats selects them. */
  readonly from: string;
  readonly to: string;
  readonly appId?: string;
  /** Rows of only jobs or only subjobs; both when absent. Sites' /v1/stats has no such filter, so it is applied here. */
  readonly entityType?: EntityType;
}

export const ENTITY_TYPES = ['job', 'subjob'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** More buckets than this in one answer is a mistake (hourly over years), not a view anyone reads. */
export const MAX_BUCKETS = 10_000;

/**
 * Reads the query strictly (QueryParams: an unknown or repeated parameter is a 400). One window is
 * fixed here and sent to every site, so no two sites answer for different ranges even if their
 * clocks differ. Without ?from the window is the last DEFAULT_BUCKETS whole buckets up to ?to.
 */
export function readAggregateQuery(query: unknown, now: Date = new Date()): AggregateQuery {
  const params = QueryParams.read(query, ['grain', 'from', 'to', 'app_id', 'entity_type']);
  const grain = params.oneOf('grain', ROLLUP_GRAINS, 'hour');
  const toInstant = params.time('to');
  const to = toInstant?.iso ?? microsecondIso(now);
  const toDate = new Date(toInstant?.epochMs ?? now.getTime());
  const fromInstant = params.time('from');
  const from = fromInstant?.iso ?? microsecondIso(bucketsBack(grain, bucketStart(grain, toDate), DEFAULT_BUCKETS[grain] - 1));
  if (from >= to) throw invalid(`?from (${from}) must be before ?to (${to})`);
  const buckets = bucketCount(grain, Date.parse(from), Date.parse(to));
  if (buckets > MAX_BUCKETS) {
    throw invalid(`?from ${from} to ?to ${to} spans up to ${buckets} ${grain} buckets; at most ${MAX_BUCKETS} are answered at once. Use a coarser ?grain or a shorter range.`);
  }
  const entityType = params.text('entity_type');
  if (entityType !== undefined && !(ENTITY_TYPES as readonly string[]).includes(entityType)) throw invalid(`?entity_type must be one of ${ENTITY_TYPES.join(', ')} (or absent for both)`);
  return { grain, from, to, appId: params.text('app_id'), entityType: entityType as EntityType | undefined };
}

/** The query string each site's GET /v1/stats receives. */
export function statsPath({ grain, from, to, appId }: AggregateQuery): string {
  const search = new URLSearchParams({ grain, from, to });
  if (appId !== undefined) search.set('app_id', appId);
  return `/v1/stats?${search.toString()}`;
}

function invalid(message: string): ApiError {
  return new ApiError(400, 'invalid_query', message);
}
