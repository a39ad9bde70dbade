import fs from 'node:fs';
import { runner } from 'node-pg-migrate';
import { Pool } from 'pg';
import { checkEventBody, type EventBody } from '../../activities/events/event-body';
import { eventDigest } from '../../activities/events/event-digest';
import { dropDayPartition, listDayPartitions } from '../../activities/events/day-partitions';
import { storeEvents, type IncomingEvent } from '../../activities/events/event-store';
import { COPY_FROM_EVENTS } from '../../activities/events/commit-new-events';
import { migrate, migrationsDir, MIGRATIONS_TABLE } from '../../infra/db/migrate';
import { inTransaction } from '../../infra/db/transaction';
import { databaseUrlFor } from '../harness/isolated-database';
import { useIsolatedTest } from '../harness/isolated-test';
import { testStack } from '../harness/test-stack-info';
import { testLog } from '../harness/test-workers';

const bounds = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') };

function incoming(key: string, overrides: { app?: Record<string, unknown>; entity?: Record<string, unknown>; event?: Record<string, unknown> } = {}): IncomingEvent {
  const body = {
    idempotency_key: key,
    site_id: 'site-a',
    app: overrides.app ?? { app_id: 'etch', name: 'Etcher', version: '2.1.0' },
    entity: { type: 'job', id: 'job-1', business_key: 'LOT-9', ...overrides.entity },
    event: { kind: 'started', at: '2026-03-01T10:00:00Z', status: 'running', metrics: {}, ...overrides.event },
  };
  const checked = checkEventBody(body, bounds);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return { event: checked.event as EventBody, digest: eventDigest(checked.event) };
}

describe('storeEvents (real Postgres, daily partitions)', () => {
  const t = useIsolatedTest();

  it('stores events, creates the partitions a day needs, and derives each job\'s latest state per day', async () => {
    const pool = t.pool();
    const outcomes = await storeEvents(
      pool,
      [
        incoming('k1', { event: { kind: 'started', at: '2026-03-01T10:00:00Z', status: 'running' } }),
        // Out of order: the finish arrives before the progress event that happened earlier.
        incoming('k3', { event: { kind: 'finished', at: '2026-03-01T10:05:00.123456Z', status: 'succeeded', metrics: { duration_s: 300 } } }),
        incoming('k2', { event: { kind: 'progress', at: '2026-03-01T10:02:00Z', status: 'running' } }),
        incoming('k4', { entity: { type: 'subjob', id: 'step-1', parent_id: 'job-1', sub_key: 'chamber-2' }, event: { at: '2026-03-02T00:00:01Z' } }),
      ],
      { conflicts: 'reject-all' },
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['created', 'created', 'created', 'created']);
    const ids = outcomes.map((outcome) => (outcome.status === 'created' ? Number(outcome.eventId) : NaN));
    // Ids ascend in the batch's order (a tie of one instant goes to the later event of the batch).
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(4);

    expect((await listDayPartitions(pool)).map((partition) => partition.name)).toEqual([
      'events_p20260301', 'jobs_p20260301', 'subjobs_p20260301', 'events_p20260302', 'jobs_p20260302', 'subjobs_p20260302',
    ]);
    const { rows: jobs } = await pool.query(`SELECT job_id, day::text, status, kind, business_key, events, metrics, first_at, last_at FROM jobs`);
    expect(jobs).toEqual([
      { job_id: 'job-1', day: '2026-03-01', status: 'succeeded', kind: 'finished', business_key: 'LOT-9', events: 3, metrics: { duration_s: 300 }, first_at: new Date('2026-03-01T10:00:00Z'), last_at: new Date('2026-03-01T10:05:00.123Z') },
    ]);
    const { rows: subjobs } = await pool.query(`SELECT job_id, subjob_id, day::text, sub_key, status, events FROM subjobs`);
    expect(subjobs).toEqual([{ job_id: 'job-1', subjob_id: 'step-1', day: '2026-03-02', sub_key: 'chamber-2', status: 'running', events: 1 }]);
    // Each row names its latest event (k3 for the job, k4 for the subjob), by the id the insert gave it.
    const latest = await pool.query(`SELECT (SELECT last_event_id FROM jobs)::float8 AS job, (SELECT last_event_id FROM subjobs)::float8 AS subjob`);
    expect(latest.rows).toEqual([{ job: ids[1], subjob: ids[3] }]);
    const { rows: micros } = await pool.query(`SELECT to_char(at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS at FROM events WHERE idempotency_key = 'k3'`);
    expect(micros).toEqual([{ at: '10:05:00.123456' }]);
    const { rows: dirty } = await pool.query(`SELECT hour FROM event_rollup_dirty ORDER BY hour`);
    expect(dirty.map((row) => row.hour)).toEqual([new Date('2026-03-01T10:00:00Z'), new Date('2026-03-02T00:00:00Z')]);

    // A later batch with an older event for the job leaves its latest state alone.
    await storeEvents(pool, [incoming('k0', { event: { kind: 'queued', at: '2026-03-01T09:59:00Z', status: 'queued' } })], { conflicts: 'reject-all' });
    const { rows: after } = await pool.query(`SELECT status, events, first_at FROM jobs`);
    expect(after).toEqual([{ status: 'succeeded', events: 4, first_at: new Date('2026-03-01T09:59:00Z') }]);
  });

  it('answers a replay with the first event\'s id, and refuses a whole batch when one key was stored with another body', async () => {
    const pool = t.pool();
    const [first] = await storeEvents(pool, [incoming('k1')], { conflicts: 'reject-all' });
    // Same event, written differently: another offset for the same instant, defaults spelled out.
    const again = incoming('k1', { event: { at: '2026-03-01T11:00:00.000+01:00', metadata: {} } });
    expect(await storeEvents(pool, [again], { conflicts: 'reject-all' })).toEqual([{ status: 'duplicate', eventId: first && 'eventId' in first ? first.eventId : '' }]);

    const batch = [incoming('k2'), incoming('k1', { event: { status: 'failed' } }), incoming('k3')];
    const outcomes = await storeEvents(pool, batch, { conflicts: 'reject-all' });
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'conflict', 'rejected']);
    expect(outcomes[1]).toMatchObject({ storedAt: '2026-03-01T10:00:00.000000Z' });
    expect((await pool.query('SELECT idempotency_key FROM events')).rows).toEqual([{ idempotency_key: 'k1' }]);
    expect((await pool.query('SELECT events FROM jobs')).rows).toEqual([{ events: 1 }]);

    // 'skip' stores the others.
    const skipped = await storeEvents(pool, batch, { conflicts: 'skip' });
    expect(skipped.map((outcome) => outcome.status)).toEqual(['created', 'conflict', 'created']);
    expect((await pool.query('SELECT count(*)::int AS n FROM events')).rows).toEqual([{ n: 3 }]);
  });

  it('lets concurrent posts of one key take turns: one is stored, the other is a duplicate or a conflict', async () => {
    const pool = t.pool();
    const posts = Array.from({ length: 8 }, (_, i) => storeEvents(pool, [incoming('same', { event: { status: i % 2 ? 'running' : 'queued' } })], { conflicts: 'skip' }));
    const statuses = (await Promise.all(posts)).map(([outcome]) => outcome?.status);
    expect(statuses.filter((status) => status === 'created')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'created' || status === 'duplicate' || status === 'conflict')).toHaveLength(8);
    expect((await pool.query('SELECT count(*)::int AS n FROM events')).rows).toEqual([{ n: 1 }]);
  });

  // Small batches go in as parameter arrays, large ones with COPY (commit-new-events.ts): both must store every byte as given.
  it.each([
    ['alone (parameter arrays)', 0],
    [`in a batch of ${COPY_FROM_EVENTS} (COPY, which escapes it)`, COPY_FROM_EVENTS - 1],
  ])('stores text with tabs, newlines, backslashes, quotes, "\\N" and any script exactly as given, %s', async (_, others) => {
    const pool = t.pool();
    const awkward = 'tab\there\nnew line\r\\N \\. back\\slash "quoted", \'single\' Ærø 東京 🚀';
    // Keys and ids are printable ASCII without spaces, which still leaves backslashes to escape.
    const awkwardId = 'a\\N\\.b\\\\c"d\'';
    const event = incoming(`key-${awkwardId}`, {
      app: { app_id: awkwardId, name: awkward, version: awkward },
      entity: { id: `job-${awkwardId}`, business_key: awkward },
      event: { metadata: { [awkward]: awkward, nested: [awkward, { deeper: awkward }] }, metrics: { 'x.y': 1.5e-300 } },
    });
    const plain = Array.from({ length: others }, (_, i) => incoming(`plain-${i}`, { entity: { id: `plain-job-${i}` } }));
    const outcomes = await storeEvents(pool, [event, ...plain], { conflicts: 'reject-all' });
    expect(outcomes.every((outcome) => outcome.status === 'created')).toBe(true);
    // Read back, it has the digest it was stored with: a replay is a duplicate, not a conflict.
    expect((await storeEvents(pool, [event], { conflicts: 'reject-all' }))[0]?.status).toBe('duplicate');
    const { rows } = await pool.query('SELECT idempotency_key, app_id, app_name, app_version, entity_id, business_key, kind, metadata, metrics FROM events WHERE idempotency_key = $1', [`key-${awkwardId}`]);
    expect(rows).toEqual([
      {
        idempotency_key: `key-${awkwardId}`, app_id: awkwardId, app_name: awkward, app_version: awkward, entity_id: `job-${awkwardId}`, business_key: awkward, kind: 'started',
        metadata: { [awkward]: awkward, nested: [awkward, { deeper: awkward }] }, metrics: { 'x.y': 1.5e-300 },
      },
    ]);
    const { rows: jobs } = await pool.query('SELECT job_id, business_key, app_name FROM jobs WHERE job_id = $1', [`job-${awkwardId}`]);
    expect(jobs).toEqual([{ job_id: `job-${awkwardId}`, business_key: awkward, app_name: awkward }]);
    expect((await pool.query('SELECT count(*)::int AS n FROM events')).rows).toEqual([{ n: others + 1 }]);
  });

  // Each path claims keys in its own statement (all in one, or after COPY): both must lose keys to each other correctly.
  it.each([
    ['small batches (one statement each)', 60, 20],
    ['large batches (COPY)', COPY_FROM_EVENTS, 1000],
  ])('stores each key once when overlapping %s race, and answers every event of every batch', async (_, size, step) => {
    const pool = t.pool();
    // Four batches; each shares size - step keys with the next, so every batch loses some keys to another.
    const batches = Array.from({ length: 4 }, (_, b) =>
      Array.from({ length: size }, (_, i) => incoming(`race-${b * step + i}`, { entity: { id: `job-${(b * step + i) % 7}` }, event: { at: `2026-03-01T10:00:00.${String(b * step + i).padStart(6, '0')}Z` } })),
    );
    const answers = await Promise.all(batches.map((batch) => storeEvents(pool, batch, { conflicts: 'skip' })));
    const created = answers.flat().filter((outcome) => outcome.status === 'created');
    const duplicates = answers.flat().filter((outcome) => outcome.status === 'duplicate');
    const distinct = 3 * step + size;
    expect(created).toHaveLength(distinct);
    expect(duplicates).toHaveLength(4 * size - distinct);
    const ids = new Set(created.map((outcome) => (outcome.status === 'created' ? outcome.eventId : '')));
    for (const duplicate of duplicates) expect(ids.has(duplicate.status === 'duplicate' ? duplicate.eventId : '')).toBe(true);
    expect((await pool.query('SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM events')).rows).toEqual([{ n: distinct, keys: distinct }]);
    // The jobs count each stored event once, and each has one key row: nothing of a rolled-back attempt remains.
    expect((await pool.query('SELECT sum(events)::int AS n FROM jobs')).rows).toEqual([{ n: distinct }]);
    const { rows: keys } = await pool.query(`SELECT (SELECT count(*)::int FROM event_keys) AS rows,
                                                    (SELECT count(*)::int FROM events JOIN event_keys USING (idempotency_key, event_id, at)) AS matching`);
    expect(keys).toEqual([{ rows: distinct, matching: distinct }]);
    // Each job's row names its day's latest stored event, by time and then id, as a recomputation finds it.
    const { rows: wrong } = await pool.query(`
      SELECT j.job_id FROM jobs j
       WHERE j.last_event_id <> (SELECT e.event_id FROM events e
                                  WHERE e.entity_type = 'job' AND e.entity_id = j.job_id AND (e.at AT TIME ZONE 'UTC')::date = j.day
                                  ORDER BY e.at DESC, e.event_id DESC LIMIT 1)`);
    expect(wrong).toEqual([]);
  });

  it("claims keys that Postgres' array syntax would misread, also when batches race for them", async () => {
    const pool = t.pool();
    const hostile = ['NULL', 'null', 'a,b', '{x}', '"q"', "it's", "''", 'back\\slash', '\\"', '""', '\\\\', 'E\'x\'', '$$', 'k;COMMIT;--'];
    const batch = () => hostile.map((key, i) => incoming(key, { entity: { id: `job-${i}` } }));
    const answers = await Promise.all([storeEvents(pool, batch(), { conflicts: 'skip' }), storeEvents(pool, batch(), { conflicts: 'skip' })]);
    for (let i = 0; i < hostile.length; i++) {
      const pair = answers.map((outcomes) => outcomes[i]!);
      expect(pair.map((outcome) => outcome.status).sort()).toEqual(['created', 'duplicate']);
      expect(new Set(pair.map((outcome) => ('eventId' in outcome ? outcome.eventId : '')))).toHaveProperty('size', 1);
    }
    const { rows: stored } = await pool.query('SELECT idempotency_key FROM events');
    expect(stored.map((row) => row.idempotency_key).sort()).toEqual([...hostile].sort());
  });

  it('frees the key of an event whose day was dropped, and drops a month of keys with its last day', async () => {
    const pool = t.pool();
    const store = async (key: string, at: string, status = 'running') => (await storeEvents(pool, [incoming(key, { event: { at, status } })], { conflicts: 'reject-all' }))[0]!;
    const keyMonths = async () =>
      (await pool.query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'event_keys'::regclass ORDER BY 1`)).rows.map((row) => row.relname);
    await store('march-1', '2026-03-01T10:00:00Z');
    await store('march-2', '2026-03-02T10:00:00Z');
    const april = await store('april-1', '2026-04-01T10:00:00Z');
    expect(await keyMonths()).toEqual(['event_keys_p202603', 'event_keys_p202604']);

    // 2 March keeps March's keys, 1 March's among them; that key no longer counts.
    await inTransaction(pool, (client) => dropDayPartition(client, 'events', '2026-03-01'));
    expect(await keyMonths()).toEqual(['event_keys_p202603', 'event_keys_p202604']);
    expect((await pool.query(`SELECT count(*)::int AS n FROM event_keys WHERE idempotency_key = 'march-1'`)).rows).toEqual([{ n: 1 }]);
    const reused = await store('march-1', '2026-03-03T10:00:00Z', 'failed');
    expect(reused.status).toBe('created');
    // Its replay finds the new event among the key's two rows; the kept day's key still counts.
    expect(await store('march-1', '2026-03-03T10:00:00Z', 'failed')).toEqual({ status: 'duplicate', eventId: 'eventId' in reused ? reused.eventId : '' });
    expect((await store('march-2', '2026-03-02T10:00:00Z', 'failed')).status).toBe('conflict');

    // Jobs and subjobs partitions leave the keys alone; the last events partition of March takes them along.
    await inTransaction(pool, (client) => dropDayPartition(client, 'jobs', '2026-03-02'));
    expect(await keyMonths()).toEqual(['event_keys_p202603', 'event_keys_p202604']);
    await inTransaction(pool, async (client) => {
      await dropDayPartition(client, 'events', '2026-03-02');
      await dropDayPartition(client, 'events', '2026-03-03');
    });
    expect(await keyMonths()).toEqual(['event_keys_p202604']);
    expect(await store('april-1', '2026-04-01T10:00:00Z')).toEqual({ status: 'duplicate', eventId: 'eventId' in april ? april.eventId : '' });
    // A late event for March makes its key month again.
    expect((await store('march-1', '2026-03-01T10:00:00Z')).status).toBe('created');
    expect(await keyMonths()).toEqual(['event_keys_p202603', 'event_keys_p202604']);
  });

  it('refuses repeated keys in one call (the API answers those with a 4xx before storing)', async () => {
    await expect(storeEvents(t.pool(), [incoming('k'), incoming('k')], { conflicts: 'reject-all' })).rejects.toThrow(/repeat within one call/);
  });
});

describe('the event_keys migration (real Postgres)', () => {
  it('carries the keys of events stored before it into monthly partitions, which then answer replays', async () => {
    const name = `sluice_keys_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new Pool({ connectionString: testStack().databaseUrl, max: 1 });
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = databaseUrlFor(testStack().databaseUrl, name);
    const files = fs.readdirSync(migrationsDir()).map((file) => file.replace(/\.sql$/, '')).sort();
    const keysMigration = files.indexOf('20261127000000000_event-keys');
    expect(keysMigration).toBeGreaterThan(0);
    const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    await runner({ databaseUrl: url, dir: migrationsDir(), migrationsTable: MIGRATIONS_TABLE, direction: 'up', count: keysMigration, singleTransaction: true, logger: quiet });

    // A database of the version before: events in two months, stored with the old schema.
    const pool = new Pool({ connectionString: url, max: 2 });
    try {
      const march = incoming('k-march', { event: { at: '2026-03-31T23:59:59.999999Z' } });
      const april = incoming('k-april', { event: { at: '2026-04-01T00:00:00Z' } });
      for (const [day, next] of [['2026-03-31', '2026-04-01'], ['2026-04-01', '2026-04-02']]) {
        await pool.query(`CREATE TABLE events_p${day!.replaceAll('-', '')} PARTITION OF events FOR VALUES FROM ('${day} 00:00:00+00') TO ('${next} 00:00:00+00')`);
      }
      for (const { event, digest } of [march, april]) {
        await pool.query(
          `INSERT INTO events (idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, kind, at, status, metrics, metadata, body_digest)
           VALUES ($1, 'site-a', 'etch', 'Etcher', '2.1.0', 'job', 'job-1', 'started', $2, 'running', '{}', '{}', decode($3, 'hex'))`,
          [event.idempotency_key, event.event.at.iso, digest],
        );
      }
      expect(await migrate(url, testLog)).toEqual(files.slice(keysMigration));

      const { rows } = await pool.query(`SELECT k.idempotency_key, k.event_id = e.event_id AS same_id, k.tableoid::regclass::text AS partition
                                           FROM event_keys k JOIN events e USING (idempotency_key, at) ORDER BY k.at`);
      expect(rows).toEqual([
        { idempotency_key: 'k-march', same_id: true, partition: 'event_keys_p202603' },
        { idempotency_key: 'k-april', same_id: true, partition: 'event_keys_p202604' },
      ]);
      expect((await pool.query(`SELECT to_regclass('events_idempotency_key') AS index`)).rows).toEqual([{ index: null }]);
      const outcomes = await storeEvents(pool, [march, incoming('k-april', { event: { at: '2026-04-01T00:00:00Z', status: 'failed' } })], { conflicts: 'skip' });
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['duplicate', 'conflict']);
    } finally {
      await pool.end();
    }
  });
});
