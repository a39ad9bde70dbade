import { Client as PgClient } from 'pg';
import { listParts } from '../../activities/archive/archive-manifest';
import { partitionName } from '../../activities/events/day-partitions';
import { refreshRollups } from '../../activities/events/event-rollups';
import { objectStoreFor } from '../../workers/services';
import { archiveEvents } from '../../workflows/archive-events';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { useIsolatedTest } from '../harness/isolated-test';
import { cleanEnv, startCli } from '../harness/run-cli';
import { testLog } from '../harness/test-workers';
import { archiveConfig, partitionExists, readArchive, sourceRows, storeArchiveEvents } from './archive-fixtures';
import { markEveryRollupHourChanged } from './rollup-fixtures';

const DAY = '2026-03-01';
const KEY = `archive/site-a/events/dt=${DAY}/part-0000.parquet`;

describe('a cloud worker killed between upload and drop (real Temporal, Postgres, S3; CLI built in dist/)', () => {
  const t = useIsolatedTest();
  jest.setTimeout(180_000);

  it('resumes on another worker: the same part and object, not rewritten, the partition dropped and sealed once', async () => {
    const settings = t.settings(archiveConfig('archive-resume'));
    const pool = t.pool();
    await storeArchiveEvents(pool, 300, 7, 'a', [DAY]);
    const source = await sourceRows(pool, 'events', DAY);
    await refreshRollups(pool);
    const { rows: rollupsBefore } = await pool.query(`SELECT grain, bucket, app_id, entity_type, status, events::text FROM event_rollups ORDER BY 1, 2, 3, 4, 5`);

    await t.startWorkers(settings, [{ role: 'control' }]);
    const client = await t.client(settings);
    // The drop waits for this reader's lock, which holds the doomed worker between verification and drop.
    const reader = new PgClient({ connectionString: settings.postgres.url });
    await reader.connect();
    await reader.query('BEGIN');
    await reader.query(`LOCK TABLE ${partitionName('events', DAY)} IN ACCESS SHARE MODE`);
    const doomed = await startCli(['--config', settings.file!, '--log-level', 'info', 'worker', '--role', 'cloud'], cleanEnv(), /cloud worker polling/);
    const store = objectStoreFor(settings, testLog);
    try {
      const handle = await client.workflow.start(archiveEvents, { taskQueue: CONTROL_QUEUE, workflowId: `archive-resume-${Date.now()}`, args: [{ now: '2026-03-10T00:00:00Z', tables: ['events'] }] });
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (Date.now() > deadline) throw new Error(`the drop never waited for the lock; the worker said:\n${doomed.output()}`);
        const [part] = await listParts(pool, { tables: ['events'] });
        const { rows: waiting } = await pool.query(`SELECT 1 FROM pg_locks WHERE NOT granted AND relation = to_regclass($1)`, [partitionName('events', DAY)]);
        if (part?.state === 'verified' && waiting.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const uploaded = await store.head(KEY);
      expect(uploaded).toBeDefined();
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      await reader.query('COMMIT');

      // Another cloud worker (in this process) takes the drop over once the dead one's heartbeat times out.
      await t.startWorkers(settings, [{ role: 'cloud' }]);
      const result = await handle.result();
      expect(result.partitions.map((p) => `${p.day} ${p.status} ${p.part} ${p.rows}`)).toEqual([`${DAY} archived 0 ${source.length}`]);

      const keys: string[] = [];
      for await (const object of store.list('archive/')) keys.push(object.key);
      expect(keys).toEqual([KEY]);
      const after = await store.head(KEY);
      expect({ etag: after?.etag, lastModified: after?.lastModified }).toEqual({ etag: uploaded?.etag, lastModified: uploaded?.lastModified });
      expect((await readArchive(store, KEY, 'events')).rows).toEqual(source);
      expect(await partitionExists(pool, 'events', DAY)).toBe(false);
      expect((await listParts(pool)).map((p) => `${p.table} ${p.part} ${p.state}`)).toEqual(['events 0 dropped']);
      // Sealed exactly once: every hour recomputed from what was sealed counts as before the drop; a second seal would double it.
      await markEveryRollupHourChanged(pool);
      await refreshRollups(pool);
      const { rows: rollupsAfter } = await pool.query(`SELECT grain, bucket, app_id, entity_type, status, events::text FROM event_rollups ORDER BY 1, 2, 3, 4, 5`);
      expect(rollupsAfter).toEqual(rollupsBefore);
    } finally {
      doomed.child.kill('SIGKILL');
      await reader.end().catch(() => undefined);
      store.close();
    }
  });
});
