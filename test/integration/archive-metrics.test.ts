import { Writable } from 'node:stream';
import { Pool } from 'pg';
import { Counter, Registry } from 'prom-client';
import { claimPart, recordProblem } from '../../activities/archive/archive-manifest';
import { addDays, dayOf, dropDayPartition, ensureDayPartitions } from '../../activities/events/day-partitions';
import { inTransaction } from '../../infra/db/transaction';
import { createLogger } from '../../infra/log/logger';
import { registerArchiveMetrics } from '../../workers/archive-metrics';
import { useIsolatedTest } from '../harness/isolated-test';
import { testLog } from '../harness/test-workers';

const HOT_WINDOW_MS = 72 * 3_600_000;

/** The value of `name{table="…"}` in Prometheus text, or undefined when the series is absent. */
function sample(text: string, name: string, table: string): number | undefined {
  const match = new RegExp(`^${name}\\{table="${table}"\\} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

describe('archival backlog on the cloud worker /metrics (real Postgres)', () => {
  const t = useIsolatedTest();

  it('counts the days past the hot window still in Postgres, how long the oldest has waited, and the parts with a problem', async () => {
    const pool = t.pool();
    const today = dayOf(Date.now());
    const [oldest, old, hot] = [addDays(today, -10), addDays(today, -9), addDays(today, -1)];
    await ensureDayPartitions(pool, [oldest, old, hot, today]);
    const part = await claimPart(pool, { table: 'events', day: old, workflowId: 'test', keyOf: (n) => `archive/site-a/events/dt=${old}/part-${n}.parquet` });
    await recordProblem(pool, part, 'verification failed: the checksum differs', { reopen: true });
    const registry = new Registry();
    registerArchiveMetrics(registry, pool, HOT_WINDOW_MS, testLog);

    const before = Date.now();
    const text = await registry.metrics();
    const after = Date.now();
    for (const table of ['events', 'jobs', 'subjobs']) expect(sample(text, 'sluice_archive_waiting_partitions', table)).toBe(2);
    // The oldest day left the hot window 72 h after it ended.
    const left = Date.parse(`${addDays(oldest, 1)}T00:00:00Z`) + HOT_WINDOW_MS;
    const waited = sample(text, 'sluice_archive_oldest_waiting_seconds', 'events')!;
    expect(waited).toBeGreaterThanOrEqual(Math.round((before - left) / 1000));
    expect(waited).toBeLessThanOrEqual(Math.round((after - left) / 1000));
    expect(waited).toBeGreaterThan(6 * 86_400);
    expect([sample(text, 'sluice_archive_parts_with_problem', 'events'), sample(text, 'sluice_archive_parts_with_problem', 'jobs')]).toEqual([1, 0]);
    expect(text).toMatch(/^# HELP sluice_archive_oldest_waiting_seconds /m);

    // Archival caught up: nothing waits, and the metrics say so at the next scrape.
    await inTransaction(pool, async (client) => {
      for (const day of [oldest, old]) for (const table of ['events', 'jobs', 'subjobs'] as const) await dropDayPartition(client, table, day);
    });
    const caughtUp = await registry.metrics();
    expect([sample(caughtUp, 'sluice_archive_waiting_partitions', 'events'), sample(caughtUp, 'sluice_archive_oldest_waiting_seconds', 'subjobs')]).toEqual([0, 0]);
  });

  it('leaves its gauges out, serves the other metrics and warns once when Postgres does not answer', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', pretty: false }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
    const unreachable = new Pool({ connectionString: 'postgres://sluice:secret-password@127.0.0.1:1/sluice', connectionTimeoutMillis: 2_000 });
    try {
      const registry = new Registry();
      new Counter({ name: 'files_ingested_total', help: 'x', registers: [registry] }).inc();
      registerArchiveMetrics(registry, unreachable, HOT_WINDOW_MS, log);
      const text = await registry.metrics();
      expect(text).toMatch(/^files_ingested_total 1$/m);
      expect(text).not.toMatch(/^sluice_archive_\w+\{/m);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, msg: expect.stringMatching(/cannot read the archival backlog/), err: { message: expect.stringMatching(/ECONNREFUSED/) } });
      expect(lines[0]).not.toContain('secret-password');
    } finally {
      await unreachable.end();
    }
  });
});
