import { addDays, dayOf, keyMonthName, listDayPartitions } from '../../activities/events/day-partitions';
import { checkEventBody, type EventBody } from '../../activities/events/event-body';
import { eventDigest } from '../../activities/events/event-digest';
import { storeEvents } from '../../activities/events/event-store';
import { desiredSchedules } from '../../clients/schedules/desired-schedules';
import { eventRollups, eventsUpkeep } from '../../workflows/events-upkeep';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { recordHistory } from '../harness/record-history';
import { useIsolatedTest } from '../harness/isolated-test';
import { markEveryRollupHourChanged } from './rollup-fixtures';

const DAY_MS = 86_400_000;

function eventAt(key: string, at: Date) {
  const checked = checkEventBody(
    { idempotency_key: key, site_id: 'site-1', app: { app_id: 'etch' }, entity: { type: 'job', id: key }, event: { kind: 'finished', at: at.toISOString(), status: 'succeeded', metrics: { duration_s: 2 } } },
    { notBefore: new Date(0), notAfter: new Date(Date.now() + DAY_MS) },
  );
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return { event: checked.event as EventBody, digest: eventDigest(checked.event) };
}

describe('event table upkeep workflows (real Temporal, Postgres)', () => {
  const t = useIsolatedTest();

  it('creates the coming days\' partitions and drops days past retention whole, sealing their rollups first', async () => {
    const settings = t.settings({ events: { enabled: true, retention: '30d', partitionsAhead: 3, archive: { enabled: false } } });
    const pool = t.pool();
    const today = dayOf(Date.now());
    // Past retention, and alone in its month: two months back, while the recent day is at most one month back.
    const old = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 2, 1, 12));
    const recent = new Date(Date.now() - 29 * DAY_MS);
    await storeEvents(pool, [eventAt('old', old), eventAt('recent', recent)], { conflicts: 'reject-all' });
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    const client = await t.client(settings);

    const rollups = await client.workflow.execute(eventRollups, { taskQueue: CONTROL_QUEUE, workflowId: `event-rollups-${Date.now()}` });
    expect(rollups.hours).toHaveLength(2);
    const monthTotal = async () => (await pool.query(`SELECT coalesce(sum(events), 0)::int AS n FROM event_rollups WHERE grain = 'hour'`)).rows[0].n;
    expect(await monthTotal()).toBe(2);

    const workflowId = `events-upkeep-${Date.now()}`;
    const result = await client.workflow.execute(eventsUpkeep, { taskQueue: CONTROL_QUEUE, workflowId });
    await recordHistory(client, workflowId, 'events-upkeep');
    const ahead = [0, 1, 2, 3].map((n) => addDays(today, n));
    // Each day's partitions, then the key partition of its month if that is new (the stored events made those of theirs).
    const expected: string[] = [];
    const months = new Set([old, recent].map((at) => keyMonthName(dayOf(at))));
    for (const day of ahead) {
      expected.push(...['events', 'jobs', 'subjobs'].map((table) => `${table}_p${day.replaceAll('-', '')}`));
      if (!months.has(keyMonthName(day))) expected.push(keyMonthName(day));
      months.add(keyMonthName(day));
    }
    expect(result.created).toEqual(expected);
    expect(result.dropped).toEqual(['events', 'jobs', 'subjobs'].map((table) => `${table}_p${dayOf(old).replaceAll('-', '')}`));
    // The old day was the last of its month: the month's keys went with it.
    const keyMonths = (await pool.query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'event_keys'::regclass`)).rows.map((row) => row.relname);
    expect(keyMonths).not.toContain(keyMonthName(dayOf(old)));
    expect(keyMonths).toContain(keyMonthName(dayOf(recent)));
    expect(result.awaitingArchive).toEqual([]);

    const days = new Set((await listDayPartitions(pool)).map((partition) => partition.day));
    expect([...days].sort()).toEqual([dayOf(recent), ...ahead]);
    expect((await pool.query('SELECT idempotency_key FROM events')).rows).toEqual([{ idempotency_key: 'recent' }]);
    // The dropped day's events still count in the rollups: recomputed, its hour counts what was sealed for it.
    await markEveryRollupHourChanged(pool);
    const again = await client.workflow.execute(eventRollups, { taskQueue: CONTROL_QUEUE, workflowId: `event-rollups-again-${Date.now()}` });
    expect(again.hours).toHaveLength(2);
    expect(await monthTotal()).toBe(2);

    // Run again: nothing left to create or drop.
    const upkeepAgain = await client.workflow.execute(eventsUpkeep, { taskQueue: CONTROL_QUEUE, workflowId: `events-upkeep-again-${Date.now()}` });
    expect(upkeepAgain).toEqual({ created: [], dropped: [], awaitingArchive: [] });
  });

  it('with archival on, keeps a day past retention until it is archived, and says so', async () => {
    const settings = t.settings({ events: { enabled: true, retention: '30d', partitionsAhead: 1 } });
    const pool = t.pool();
    const old = new Date(Date.now() - 40 * DAY_MS);
    await storeEvents(pool, [eventAt('old', old)], { conflicts: 'reject-all' });
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    const client = await t.client(settings);
    const result = await client.workflow.execute(eventsUpkeep, { taskQueue: CONTROL_QUEUE, workflowId: `events-upkeep-archive-${Date.now()}` });
    expect(result.dropped).toEqual([]);
    expect(result.awaitingArchive).toEqual(['events', 'jobs', 'subjobs'].map((table) => `${table}_p${dayOf(old).replaceAll('-', '')}`));
    expect((await pool.query('SELECT count(*)::int AS n FROM events')).rows).toEqual([{ n: 1 }]);
  });

  it('puts the upkeep and rollups on Schedules only where the data plane is enabled', () => {
    expect(Object.keys(desiredSchedules(t.settings({ events: { enabled: false } })))).not.toContain('events-upkeep');
    const schedules = desiredSchedules(t.settings({ events: { enabled: true, upkeepEvery: '30m', rollupEvery: '1m' } }));
    expect(schedules['events-upkeep']).toMatchObject({ workflow: 'eventsUpkeep', every: '30m', overlap: 'skip' });
    expect(schedules['events-rollups']).toMatchObject({ workflow: 'eventRollups', every: '1m', overlap: 'skip' });
  });
});
