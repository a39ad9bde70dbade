import { NativeConnection, Worker } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { createArchiveActivities } from '../../activities/archive/archive-activities';
import { listParts } from '../../activities/archive/archive-manifest';
import { refreshRollups } from '../../activities/events/event-rollups';
import type { ObjectStore } from '../../activities/storage/object-store';
import { userErrorsAreFinal } from '../../workers/user-errors-are-final';
import { objectStoreFor } from '../../workers/services';
import { archiveEvents, archiveProgressQuery } from '../../workflows/archive-events';
import { CLOUD_QUEUE, CONTROL_QUEUE } from '../../workflows/task-queues';
import { useIsolatedTest } from '../harness/isolated-test';
import { recordHistory } from '../harness/record-history';
import { testLog } from '../harness/test-workers';
import { archiveConfig, partitionExists, readArchive, sourceRows, storeArchiveEvents } from './archive-fixtures';
import { markEveryRollupHourChanged } from './rollup-fixtures';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';

/** Days before 2026-03-07 are outside the 72 h hot window at this instant. */
const NOW = '2026-03-10T00:00:00Z';

/** The rollups, every hour recomputed from the raw events and what was sealed: after a drop, they are only right if the seal was. */
async function rollups(pool: import('pg').Pool) {
  await markEveryRollupHourChanged(pool);
  await refreshRollups(pool);
  const { rows } = await pool.query(`SELECT grain, bucket, app_id, entity_type, status, events::text, finished::text, durations::text, round(duration_sum::numeric, 6)::text AS s, duration_max FROM event_rollups ORDER BY 1, 2, 3, 4, 5`);
  return rows;
}

describe('Parquet archival (real Temporal, Postgres, S3)', () => {
  const t = useIsolatedTest();
  jest.setTimeout(180_000);

  it('archives a day, reads back as its source rows with µs times and ZSTD, drops the partition and keeps the rollups', async () => {
    const settings = t.settings(archiveConfig('archive-day'));
    const pool = t.pool();
    await storeArchiveEvents(pool, 400, 1, 'a', ['2026-03-01', '2026-03-02', '2026-03-08']);
    const before = await rollups(pool);
    const source = { events: await sourceRows(pool, 'events', '2026-03-01'), jobs: await sourceRows(pool, 'jobs', '2026-03-01'), subjobs: await sourceRows(pool, 'subjobs', '2026-03-01') };
    expect(source.events.length).toBeGreaterThan(100);
    expect(source.events.some((row) => row.includes(''))).toBe(true);

    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    const client = await t.client(settings);
    const workflowId = `archive-events-test-${Date.now()}`;
    const result = await client.workflow.execute(archiveEvents, { taskQueue: CONTROL_QUEUE, workflowId, args: [{ now: NOW, to: '2026-03-01' }] });
    await recordHistory(client, workflowId, 'archive-events');
    await recordHistory(client, 'archive-site-a-events-2026-03-01', 'archive-partition');
    expect(result.partitions.map((p) => `${p.table} ${p.day} ${p.status} ${p.part}`)).toEqual(['events 2026-03-01 archived 0', 'jobs 2026-03-01 archived 0', 'subjobs 2026-03-01 archived 0']);
    expect(await client.workflow.getHandle(workflowId).query(archiveProgressQuery)).toEqual(result);

    const store = objectStoreFor(settings, testLog);
    try {
      for (const table of ['events', 'jobs', 'subjobs'] as const) {
        const key = `archive/site-a/${table}/dt=2026-03-01/part-0000.parquet`;
        const archived = await readArchive(store, key, table);
        expect(archived.codecs).toEqual(['ZSTD']);
        expect(archived.rows).toEqual(source[table]);
        expect(await partitionExists(pool, table, '2026-03-01')).toBe(false);
      }
      const events = await readArchive(store, 'archive/site-a/events/dt=2026-03-01/part-0000.parquet', 'events');
      expect(events.types).toContain('at TIMESTAMP WITH TIME ZONE');
      // The µs survived: not every time is a whole millisecond.
      expect(events.rows.some((row) => !row[12]!.endsWith('000'))).toBe(true);
    } finally {
      store.close();
    }
    const parts = await listParts(pool);
    expect(parts.map((p) => `${p.table} ${p.day} ${p.part} ${p.state} ${p.figures?.rows}`)).toEqual([
      `events 2026-03-01 0 dropped ${source.events.length}`,
      `jobs 2026-03-01 0 dropped ${source.jobs.length}`,
      `subjobs 2026-03-01 0 dropped ${source.subjobs.length}`,
    ]);
    // Other days untouched: 03-02 was outside --to, 03-08 is hot.
    expect(await partitionExists(pool, 'events', '2026-03-02')).toBe(true);
    expect(await rollups(pool)).toEqual(before);
  });

  it('archives a late event for an archived day as part-0001, backfills a range, and drops an empty partition with no object', async () => {
    const settings = t.settings(archiveConfig('archive-late'));
    const pool = t.pool();
    await storeArchiveEvents(pool, 120, 2, 'a', ['2026-02-27', '2026-02-28', '2026-03-01']);
    await pool.query(`CREATE TABLE events_p20260225 PARTITION OF events FOR VALUES FROM ('2026-02-25 00:00:00+00') TO ('2026-02-26 00:00:00+00')`);
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    const client = await t.client(settings);
    const run = (args: Parameters<typeof archiveEvents>[0]) => client.workflow.execute(archiveEvents, { taskQueue: CONTROL_QUEUE, workflowId: `archive-late-${Date.now()}`, args: [args] });

    const first = await run({ now: NOW, from: '2026-02-25', to: '2026-02-28', tables: ['events'] });
    expect(first.partitions.map((p) => `${p.day} ${p.status}`)).toEqual(['2026-02-25 empty', '2026-02-27 archived', '2026-02-28 archived']);
    expect(await partitionExists(pool, 'events', '2026-03-01')).toBe(true);
    expect(await partitionExists(pool, 'jobs', '2026-02-28')).toBe(true);

    const before = await rollups(pool);
    await storeArchiveEvents(pool, 3, 3, 'late', ['2026-02-28']);
    const late = await sourceRows(pool, 'events', '2026-02-28');
    expect(late).toHaveLength(3);
    const second = await run({ now: NOW, from: '2026-02-28', to: '2026-02-28', tables: ['events'] });
    expect(second.partitions.map((p) => `${p.day} ${p.status} ${p.part} ${p.rows}`)).toEqual(['2026-02-28 archived 1 3']);
    const store = objectStoreFor(settings, testLog);
    try {
      expect((await readArchive(store, 'archive/site-a/events/dt=2026-02-28/part-0001.parquet', 'events')).rows).toEqual(late);
      const keys: string[] = [];
      for await (const object of store.list('archive/site-a/events/')) keys.push(object.key);
      expect(keys).toEqual(['archive/site-a/events/dt=2026-02-27/part-0000.parquet', 'archive/site-a/events/dt=2026-02-28/part-0000.parquet', 'archive/site-a/events/dt=2026-02-28/part-0001.parquet']);
    } finally {
      store.close();
    }
    const empty = (await listParts(pool, { tables: ['events'], from: '2026-02-25', to: '2026-02-25' }))[0]!;
    expect(empty).toMatchObject({ state: 'dropped', key: null, bytes: 0, figures: { rows: 0 } });
    // The late event counts once: sealed with the part it was archived in.
    const after = await rollups(pool);
    const total = (rows: typeof before) => rows.filter((row) => row.grain === 'month').reduce((sum, row) => sum + Number(row.events), 0);
    expect(total(after)).toBe(total(before) + 3);
  });

  it('detects an upload damaged in storage, keeps the partition, and a later run repairs it', async () => {
    const settings = t.settings(archiveConfig('archive-corrupt'));
    const pool = t.pool();
    await storeArchiveEvents(pool, 200, 4, 'a', ['2026-03-01']);
    const source = await sourceRows(pool, 'events', '2026-03-01');
    await t.startWorkers(settings, [{ role: 'control' }]);
    const client = await t.client(settings);
    const store = objectStoreFor(settings, testLog);
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-corrupt-'));
    // What a bad disk or a stray writer would do: the object is overwritten after the upload, before verification.
    let damage = true;
    const damaging: ObjectStore = Object.create(store, {
      putFile: {
        value: async (key: string, file: string, options?: object) => {
          const put = await store.putFile(key, file, options);
          if (damage) await store.put(key, damagedParquet(fs.readFileSync(file)));
          return put;
        },
      },
    });
    const connection = await NativeConnection.connect({ address: settings.temporal.address });
    const startCloud = (objects: ObjectStore) =>
      Worker.create({
        connection,
        namespace: settings.temporal.namespace,
        taskQueue: CLOUD_QUEUE,
        activities: createArchiveActivities({ pool, store: objects, events: settings.events, workDir }),
        interceptors: { activity: [userErrorsAreFinal] },
      });
    try {
      const worker = await startCloud(damaging);
      const failed = await worker.runUntil(
        client.workflow.execute(archiveEvents, { taskQueue: CONTROL_QUEUE, workflowId: `archive-corrupt-${Date.now()}`, args: [{ now: NOW, tables: ['events'] }] }).catch((err: unknown) => err),
      );
      expect(failed).toBeInstanceOf(WorkflowFailedError);
      const message = String((failed as WorkflowFailedError).cause?.message);
      expect(message).toMatch(/events 2026-03-01: The archive archive\/site-a\/events\/dt=2026-03-01\/part-0000\.parquet does not match its source/);
      expect(message).toMatch(/its bytes differ from those uploaded/);
      expect(await partitionExists(pool, 'events', '2026-03-01')).toBe(true);
      const [part] = await listParts(pool, { tables: ['events'] });
      expect(part).toMatchObject({ part: 0, state: 'planned', problem: expect.stringMatching(/^verification failed: /) });

      damage = false;
      const repaired = await (await startCloud(damaging)).runUntil(
        client.workflow.execute(archiveEvents, { taskQueue: CONTROL_QUEUE, workflowId: `archive-repair-${Date.now()}`, args: [{ now: NOW, tables: ['events'] }] }),
      );
      expect(repaired.partitions.map((p) => `${p.day} ${p.status} ${p.part}`)).toEqual(['2026-03-01 archived 0']);
      expect((await readArchive(store, 'archive/site-a/events/dt=2026-03-01/part-0000.parquet', 'events')).rows).toEqual(source);
      expect(await partitionExists(pool, 'events', '2026-03-01')).toBe(false);
    } finally {
      await connection.close();
      store.close();
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  });
});

/** The file with one byte of a data page changed: still a Parquet file in shape, but not the content. */
function damagedParquet(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  const at = Math.floor(copy.length / 3);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}
