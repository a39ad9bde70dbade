import type { Pool } from 'pg';
import { checkEventBody, EVENT_STATUSES, type EventBody } from '../../activities/events/event-body';
import { eventDigest } from '../../activities/events/event-digest';
import { dropDayPartition, partitionName } from '../../activities/events/day-partitions';
import { refreshRollups, sealDayRollups } from '../../activities/events/event-rollups';
import { storeEvents, type IncomingEvent } from '../../activities/events/event-store';
import { inTransaction } from '../../infra/db/transaction';
import { useIsolatedTest } from '../harness/isolated-test';
import { seededRandom } from '../harness/seeded-random';
import { markEveryRollupHourChanged } from './rollup-fixtures';

const bounds = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') };

function randomEvents(count: number, seed: number, keyPrefix: string, days: string[]): IncomingEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(Date.parse(`${pick(days)}T00:00:00Z`) + Math.floor(random() * 86_400_000)).toISOString();
    const subjob = random() < 0.3;
    const body = {
      idempotency_key: `${keyPrefix}-${i}`,
      site_id: 'site-a',
      app: { app_id: pick(['etch', 'litho']) },
      entity: subjob ? { type: 'subjob', id: `s-${i}`, parent_id: `job-${i % 7}` } : { type: 'job', id: `job-${i % 7}` },
      event: { kind: 'update', at, status: pick(EVENT_STATUSES), metrics: random() < 0.5 ? { duration_s: Math.round(random() * 1000) / 10 } : {} },
    };
    const checked = checkEventBody(body, bounds);
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    return { event: checked.event as EventBody, digest: eventDigest(checked.event) };
  });
}

/**
 * Every grain computed straight from raw events, the way the rollups are defined: the events table
 * and the copies keepDroppedDay made of days dropped since. Not from what was sealed, which is
 * the code under test.
 */
async function recomputed(pool: Pool) {
  const { rows: copies } = await pool.query(`SELECT to_regclass('dropped_events') IS NOT NULL AS made`);
  const raw = `SELECT at, app_id, entity_type, status, metrics FROM events${copies[0].made ? ' UNION ALL SELECT at, app_id, entity_type, status, metrics FROM dropped_events' : ''}`;
  const { rows } = await pool.query(`
    WITH hours AS (
      SELECT hour, app_id, entity_type, status, sum(events)::bigint AS events, sum(finished)::bigint AS finished,
             sum(durations)::bigint AS durations, sum(duration_sum) AS duration_sum, max(duration_max) AS duration_max
        FROM (SELECT date_trunc('hour', at, 'UTC') AS hour, app_id, entity_type, status, count(*) AS events,
                     count(*) FILTER (WHERE status IN ('succeeded', 'failed', 'cancelled')) AS finished,
                     count(metrics->'duration_s') AS durations, coalesce(sum((metrics->>'duration_s')::float8), 0) AS duration_sum,
                     max((metrics->>'duration_s')::float8) AS duration_max
                FROM (${raw}) AS e GROUP BY 1, 2, 3, 4) p
       GROUP BY 1, 2, 3, 4)
    SELECT g.grain, date_trunc(g.grain, hour, 'UTC') AS bucket, app_id, entity_type, status, sum(events)::text AS events, sum(finished)::text AS finished,
           sum(durations)::text AS durations, round(sum(duration_sum)::numeric, 6)::text AS duration_sum, max(duration_max) AS duration_max
      FROM hours, (VALUES ('hour'), ('day'), ('week'), ('month')) AS g(grain)
     GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`);
  return rows;
}

/** A copy of a day's events, taken before the test drops them, for recomputed(). */
async function keepDroppedDay(pool: Pool, day: string) {
  await pool.query('CREATE TABLE IF NOT EXISTS dropped_events AS SELECT * FROM events WITH NO DATA');
  await pool.query(`INSERT INTO dropped_events SELECT * FROM ${partitionName('events', day)}`);
}

/** The rollups with every hour recomputed: a dropped day's hours from what was sealed for it. */
async function rebuilt(pool: Pool) {
  await markEveryRollupHourChanged(pool);
  await refreshRollups(pool);
  return stored(pool);
}

async function stored(pool: Pool) {
  const { rows } = await pool.query(`
    SELECT grain, bucket, app_id, entity_type, status, events::text, finished::text, durations::text,
           round(duration_sum::numeric, 6)::text AS duration_sum, duration_max
      FROM event_rollups ORDER BY 1, 2, 3, 4, 5`);
  return rows;
}

/** Events counted by the month rollups, all months together. */
const monthTotal = (rows: Awaited<ReturnType<typeof stored>>) => rows.filter((row) => row.grain === 'month').reduce((sum, row) => sum + Number(row.events), 0);

describe('event rollups (real Postgres)', () => {
  const t = useIsolatedTest();

  it('equal a recomputation from raw events, and a refresh recomputes only the hours ingests touched', async () => {
    const pool = t.pool();
    // Across a month and an ISO week boundary: Sunday 2026-02-28 … Tuesday 2026-03-03.
    await storeEvents(pool, randomEvents(3000, 1, 'a', ['2026-02-28', '2026-03-01', '2026-03-02', '2026-03-03']), { conflicts: 'reject-all' });
    const first = await refreshRollups(pool);
    expect(first.hours.length).toBeGreaterThan(90);
    expect(await stored(pool)).toEqual(await recomputed(pool));

    expect(await refreshRollups(pool)).toEqual({ hours: [], rows: 0 });

    await storeEvents(pool, randomEvents(50, 2, 'b', ['2026-03-02']), { conflicts: 'reject-all' });
    const second = await refreshRollups(pool);
    expect(second.hours.length).toBeGreaterThan(0);
    expect(second.hours.every((hour) => hour.startsWith('2026-03-02T'))).toBe(true);
    expect(await stored(pool)).toEqual(await recomputed(pool));
  });

  it('keep counting a day archival dropped, and add a late event that comes for it', async () => {
    const pool = t.pool();
    await storeEvents(pool, randomEvents(500, 3, 'a', ['2026-03-01', '2026-03-02']), { conflicts: 'reject-all' });
    await refreshRollups(pool);
    const before = await stored(pool);

    await keepDroppedDay(pool, '2026-03-01');
    await inTransaction(pool, async (client) => {
      expect(await sealDayRollups(client, '2026-03-01')).toBe('aggregated');
      await dropDayPartition(client, 'events', '2026-03-01');
      // Sealing a partition that is gone adds nothing (a retried drop step).
      expect(await sealDayRollups(client, '2026-03-01')).toBe('gone');
    });
    expect(await refreshRollups(pool)).toEqual({ hours: [], rows: 0 });
    expect(await stored(pool)).toEqual(before);
    expect(await rebuilt(pool)).toEqual(await recomputed(pool));

    // A late event for the dropped day recreates its partition and is added to what was sealed.
    await storeEvents(pool, randomEvents(1, 4, 'late', ['2026-03-01']), { conflicts: 'reject-all' });
    const late = await refreshRollups(pool);
    expect(late.hours).toHaveLength(1);
    const after = await stored(pool);
    expect(after).toEqual(await recomputed(pool));
    expect(monthTotal(after)).toBe(monthTotal(before) + 1);
  });

  it('seal a day from its refreshed rollups when they count exactly its rows, and aggregate the partition when not', async () => {
    const pool = t.pool();
    await storeEvents(pool, randomEvents(400, 5, 'a', ['2026-03-01', '2026-03-02']), { conflicts: 'reject-all' });
    const rowsOf = async (day: string) => Number((await pool.query(`SELECT count(*) FROM events_p${day.replaceAll('-', '')}`)).rows[0].count);
    const sealedRows = async () => (await pool.query('SELECT hour, app_id, entity_type, status, events, finished, durations, round(duration_sum::numeric, 6)::text AS duration_sum, duration_max FROM event_rollups_sealed ORDER BY 1, 2, 3, 4')).rows;
    const seal = (day: string, rows: number) => inTransaction(pool, (client) => sealDayRollups(client, day, rows));

    // Hours waiting for a refresh: the rollups are not the partition's yet.
    expect(await seal('2026-03-01', await rowsOf('2026-03-01'))).toBe('aggregated');
    const fromPartition = await sealedRows();
    await pool.query('DELETE FROM event_rollups_sealed');

    await refreshRollups(pool);
    // A wrong row count (rows written around the ingest, which marks no hour) proves nothing either.
    expect(await seal('2026-03-01', (await rowsOf('2026-03-01')) + 1)).toBe('aggregated');
    await pool.query('DELETE FROM event_rollups_sealed');
    // Refreshed and counting exactly the partition's rows: the same sealed rows, without reading the partition.
    expect(await seal('2026-03-01', await rowsOf('2026-03-01'))).toBe('from-rollups');
    expect(await sealedRows()).toEqual(fromPartition);

    // Dropped, then a late event for the day, refreshed and sealed again from the rollups: the
    // rollups count every event, archived or live, as a recomputation does.
    const before = await stored(pool);
    await keepDroppedDay(pool, '2026-03-01');
    await inTransaction(pool, (client) => dropDayPartition(client, 'events', '2026-03-01'));
    await storeEvents(pool, randomEvents(1, 6, 'late', ['2026-03-01']), { conflicts: 'reject-all' });
    await refreshRollups(pool);
    expect(await seal('2026-03-01', 1)).toBe('from-rollups');
    await keepDroppedDay(pool, '2026-03-01');
    await inTransaction(pool, (client) => dropDayPartition(client, 'events', '2026-03-01'));
    expect(await refreshRollups(pool)).toEqual({ hours: [], rows: 0 });
    expect(monthTotal(await stored(pool))).toBe(monthTotal(before) + 1);
    expect(await rebuilt(pool)).toEqual(await recomputed(pool));
  });
});
