import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../../infra/db/transaction';
import { partitionName } from './day-partitions';

/**
 * Event rollups per hour, day, week (ISO, from Monday) and month, all UTC: what TimescaleDB's
 * continuous aggregates gave the seed, refreshed incrementally. Each ingest marks the hours it
 * added to (event_rollup_dirty); a refresh recomputes just those hours from raw events, plus what
 * archival sealed for them, and then the days, weeks and months that contain them from the hours.
 */

export const ROLLUP_GRAINS = ['hour', 'day', 'week', 'month'] as const;
export type RollupGrain = (typeof ROLLUP_GRAINS)[number];

export interface RollupRefresh {
  /** Hours recomputed, oldest first (ISO). */
  readonly hours: string[];
  /** Rollup rows written, all grains. */
  readonly rows: number;
}

/** Refreshes run one at a time, and not while archival seals a day from its rollups; ingest never waits for them. */
const REFRESH_LOCK = 7_353_003;

/** The hour aggregates of the events in one range: the definition every rollup row derives from. */
const HOUR_AGGREGATES = `
  SELECT date_trunc('hour', at, 'UTC') AS hour, app_id, entity_type, status,
         count(*) AS events,
         count(*) FILTER (WHERE status IN ('succeeded', 'failed', 'cancelled')) AS finished,
         count(*) FILTER (WHERE jsonb_typeof(metrics->'duration_s') = 'number') AS durations,
         coalesce(sum((metrics->>'duration_s')::float8) FILTER (WHERE jsonb_typeof(metrics->'duration_s') = 'number'), 0) AS duration_sum,
         max((metrics->>'duration_s')::float8) FILTER (WHERE jsonb_typeof(metrics->'duration_s') = 'number') AS duration_max`;

export async function refreshRollups(pool: Pool): Promise<RollupRefresh> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [REFRESH_LOCK]);
    // Deleting, not reading: rows of ingests that commit after this statement stay for the next
    // refresh, and if this transaction fails the rows come back.
    const { rows: taken } = await client.query<{ hour: Date }>('DELETE FROM event_rollup_dirty RETURNING hour');
    const hours = [...new Set(taken.map(({ hour }) => hour.toISOString()))].sort();
    if (hours.length === 0) return { hours, rows: 0 };
    let rows = await recomputeHours(client, hours);
    for (const grain of ['day', 'week', 'month'] as const) rows += await recomputeFromHours(client, grain, hours);
    return { hours, rows };
  });
}

async function recomputeHours(client: PoolClient, hours: string[]): Promise<number> {
  await client.query(`DELETE FROM event_rollups WHERE grain = 'hour' AND bucket = ANY($1::timestamptz[])`, [hours]);
  const { rowCount } = await client.query(
    `INSERT INTO event_rollups (grain, bucket, app_id, entity_type, status, events, finished, durations, duration_sum, duration_max)
     SELECT 'hour', hour, app_id, entity_type, status, sum(events), sum(finished), sum(durations), sum(duration_sum), max(duration_max)
       FROM (
         ${HOUR_AGGREGATES}
           FROM unnest($1::timestamptz[]) AS h(start)
           JOIN events ON events.at >= h.start AND events.at < h.start + interval '1 hour'
          GROUP BY 1, 2, 3, 4
         UNION ALL
         SELECT hour, app_id, entity_type, status, events, finished, durations, duration_sum, duration_max
           FROM event_rollups_sealed WHERE hour = ANY($1::timestamptz[])
       ) parts
      GROUP BY hour, app_id, entity_type, status`,
    [hours],
  );
  return rowCount ?? 0;
}

/** Day, week and month rows are sums of the hour rows inside them. */
async function recomputeFromHours(client: PoolClient, grain: Exclude<RollupGrain, 'hour'>, hours: string[]): Promise<number> {
  const { rows } = await client.query<{ bucket: Date }>(`SELECT DISTINCT date_trunc($1, h, 'UTC') AS bucket FROM unnest($2::timestamptz[]) AS h`, [grain, hours]);
  const buckets = rows.map(({ bucket }) => bucket.toISOString());
  await client.query('DELETE FROM event_rollups WHERE grain = $1 AND bucket = ANY($2::timestamptz[])', [grain, buckets]);
  const { rowCount } = await client.query(
    `INSERT INTO event_rollups (grain, bucket, app_id, entity_type, status, events, finished, durations, duration_sum, duration_max)
     SELECT $1, date_trunc($1, bucket, 'UTC'), app_id, entity_type, status, sum(events), sum(finished), sum(durations), sum(duration_sum), max(duration_max)
       FROM event_rollups
      WHERE grain = 'hour' AND date_trunc($1, bucket, 'UTC') = ANY($2::timestamptz[])
      GROUP BY 2, 3, 4, 5`,
    [grain, buckets],
  );
  return rowCount ?? 0;
}

/** How a day was sealed: from its refreshed rollups, by aggregating its partition, or not at all (the partition is gone). */
export type Sealed = 'from-rollups' | 'aggregated' | 'gone';

/**
 * Adds one day's events to the sealed hour rollups; archival calls it in the transaction that
 * drops that day's events partition, so the rollups keep counting what the archive now holds.
 * A partition that is already gone adds nothing.
 *
 * `rowsInPartition`, when the caller knows it (archival, under a lock that stops writes), lets
 * the seal skip re-aggregating the partition (most of the drop's time: 9 s for 5M rows): if none
 * of the day's hours waits for a refresh, each hour's rollup is already its sealed part plus its
 * live events, so the new sealed part is the rollup itself. The refresh lock keeps a refresh from
 * changing them meanwhile, and the day's rollups must count exactly the partition's rows more than
 * what is sealed; if anything does not add up (rows written around the ingest, which marks no
 * hour), the partition is aggregated as before.
 */
export async function sealDayRollups(client: PoolClient, day: string, rowsInPartition?: number): Promise<Sealed> {
  const partition = partitionName('events', day);
  const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [partition]);
  if (!rows[0]?.exists) return 'gone';
  if (rowsInPartition !== undefined && (await sealFromRefreshedRollups(client, day, rowsInPartition))) return 'from-rollups';
  await client.query(
    `INSERT INTO event_rollups_sealed AS s (hour, app_id, entity_type, status, events, finished, durations, duration_sum, duration_max)
     ${HOUR_AGGREGATES} FROM ${partition} GROUP BY 1, 2, 3, 4
     ON CONFLICT (hour, app_id, entity_type, status) DO UPDATE SET
       events = s.events + excluded.events,
       finished = s.finished + excluded.finished,
       durations = s.durations + excluded.durations,
       duration_sum = s.duration_sum + excluded.duration_sum,
       duration_max = greatest(s.duration_max, excluded.duration_max)`,
  );
  return 'aggregated';
}

/** The day's hours, [start, end) in UTC. */
const DAY_RANGE = `($1::date::timestamp AT TIME ZONE 'UTC') AS start, (($1::date + 1)::timestamp AT TIME ZONE 'UTC') AS "end"`;

async function sealFromRefreshedRollups(client: PoolClient, day: string, rowsInPartition: number): Promise<boolean> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [REFRESH_LOCK]);
  const { rows } = await client.query<{ dirty: boolean; live: string }>(
    `WITH d AS (SELECT ${DAY_RANGE})
     SELECT EXISTS (SELECT 1 FROM event_rollup_dirty, d WHERE hour >= d.start AND hour < d."end") AS dirty,
            ((SELECT coalesce(sum(events), 0) FROM event_rollups, d WHERE grain = 'hour' AND bucket >= d.start AND bucket < d."end")
             - (SELECT coalesce(sum(events), 0) FROM event_rollups_sealed, d WHERE hour >= d.start AND hour < d."end"))::text AS live`,
    [day],
  );
  if (rows[0]!.dirty || Number(rows[0]!.live) !== rowsInPartition) return false;
  await client.query(`DELETE FROM event_rollups_sealed USING (SELECT ${DAY_RANGE}) d WHERE hour >= d.start AND hour < d."end"`, [day]);
  await client.query(
    `INSERT INTO event_rollups_sealed (hour, app_id, entity_type, status, events, finished, durations, duration_sum, duration_max)
     SELECT bucket, app_id, entity_type, status, events, finished, durations, duration_sum, duration_max
       FROM event_rollups, (SELECT ${DAY_RANGE}) d
      WHERE grain = 'hour' AND bucket >= d.start AND bucket < d."end"`,
    [day],
  );
  return true;
}
