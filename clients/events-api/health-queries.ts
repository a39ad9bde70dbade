import type { Pool } from 'pg';
import type { RollupGrain } from '../../activities/events/event-rollups';
import { microsecondIso } from '../../activities/events/event-timestamp';
import { isoMicros } from '../../activities/events/sql-instant';

/** The site's health at a glance, and its rollups: what the central API gathers from each site. */

export interface HealthSummary {
  /** The window the counts and slowest jobs cover. */
  readonly from: string;
  readonly to: string;
  /** Jobs active in the window, by their latest status. */
  readonly jobs: Record<string, number>;
  /** Job events of the last hour that ended a job, and how many of those failed. */
  readonly recent: { readonly from: string; readonly finished: number; readonly failed: number; readonly failure_rate: number | null };
  /** Finished jobs of the window that took longest, first to last event. */
  readonly slowest: { job_id: string; app_id: string; status: string; seconds: number; first_at: string; last_at: string }[];
}

export async function healthSummary(pool: Pool, from: Date, to: Date, slowest = 10): Promise<HealthSummary> {
  const recentFrom = new Date(to.getTime() - 3_600_000);
  const window = [microsecondIso(from), microsecondIso(to)];
  const merged = `
    WITH days AS (
      SELECT * FROM jobs WHERE day >= ($1::timestamptz AT TIME ZONE 'UTC')::date AND day <= ($2::timestamptz AT TIME ZONE 'UTC')::date
    ), latest AS (
      SELECT DISTINCT ON (job_id) job_id, app_id, status, last_at FROM days ORDER BY job_id, last_at DESC, last_event_id DESC
    ), spans AS (SELECT job_id, min(first_at) AS first_at FROM days GROUP BY job_id)`;
  const [counts, recent, slow] = await Promise.all([
    pool.query<{ status: string; n: number }>(`${merged} SELECT status, count(*)::int AS n FROM latest WHERE last_at >= $1 AND last_at < $2 GROUP BY status ORDER BY status`, window),
    pool.query<{ finished: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE status IN ('succeeded', 'failed', 'cancelled'))::int AS finished, count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM events WHERE entity_type = 'job' AND at >= $1 AND at < $2`,
      [microsecondIso(recentFrom), window[1]],
    ),
    pool.query(
      `${merged}
       SELECT latest.job_id, latest.app_id, latest.status, extract(epoch FROM latest.last_at - spans.first_at)::float8 AS seconds,
              ${isoMicros('spans.first_at')} AS first_at, ${isoMicros('latest.last_at')} AS last_at
         FROM latest JOIN spans USING (job_id)
        WHERE latest.last_at >= $1 AND latest.last_at < $2 AND latest.status IN ('succeeded', 'failed', 'cancelled')
        ORDER BY latest.last_at - spans.first_at DESC, latest.job_id LIMIT $3`,
      [...window, slowest],
    ),
  ]);
  const { finished, failed } = recent.rows[0] ?? { finished: 0, failed: 0 };
  return {
    from: window[0]!,
    to: window[1]!,
    jobs: Object.fromEntries(counts.rows.map(({ status, n }) => [status, n])),
    recent: { from: microsecondIso(recentFrom), finished, failed, failure_rate: finished === 0 ? null : failed / finished },
    slowest: slow.rows,
  };
}

export interface RollupRow {
  bucket: string;
  app_id: string;
  entity_type: string;
  status: string;
  events: number;
  finished: number;
  durations: number;
  duration_sum: number;
  duration_max: number | null;
}

/** Rollup rows of one grain whose bucket starts in [from, to). Counts are JSON numbers: a site's stay far below 2^53. */
export async function rollupRows(pool: Pool, grain: RollupGrain, from: string, to: string, appId?: string): Promise<RollupRow[]> {
  const { rows } = await pool.query<RollupRow>(
    `SELECT ${isoMicros('bucket')} AS bucket, app_id, entity_type, status, events::float8 AS events, finished::float8 AS finished,
            durations::float8 AS durations, duration_sum, duration_max
       FROM event_rollups
      WHERE grain = $1 AND bucket >= $2 AND bucket < $3 AND ($4::text IS NULL OR app_id = $4)
      ORDER BY bucket, app_id, entity_type, status`,
    [grain, from, to, appId ?? null],
  );
  return rows;
}
