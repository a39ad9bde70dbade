/**
 * Parquet archival, end to end, on the real stack the tests use (Temporal dev server, embedded
 * Postgres, versitygw as S3), started here by the test harness's global setup:
 *
 *   archival: one day's events partition of N rows (generated in Postgres, shaped like the API's
 *   events) through the archivePartition workflow: export from Postgres, Parquet ZSTD written by
 *   DuckDB, uploaded to S3, downloaded and read back by DuckDB (schema, count, time range, content
 *   checksum), then the partition re-checked under its lock, rollups sealed and dropped.
 *
 *   against DuckDB writing the same rows, two ways, the ratio taken against the faster:
 *   - the script archival replaces: `psql \copy` of the partition to a CSV file (the same COPY
 *     the export runs) and DuckDB turning that file into Parquet ZSTD (the same statement
 *     archival runs). No checksums, upload, verification or manifest.
 *   - the rows already in this process's memory (read from the same partition before the clock
 *     starts) through the DuckDB appender and COPY TO Parquet ZSTD, the fastest writer of
 *     test/bench/parquet-writers.bench.ts.
 *
 * Each round runs both references on a fresh partition of its own day, then archives it, and the
 * ratio reported is the median of the rounds'. This machine's speed drifts by a third within
 * minutes (the same reference took 7.6 s, then 9.5 s two minutes later), so one run of each side
 * compared the machine's moods more than the two sides. (Archival cannot go first: it drops the
 * partition the references read.)
 *
 * Also the peak RSS of this process (the cloud worker runs in it, DuckDB included) while it
 * archives a 5M-row partition, sampled every 50 ms from a worker thread.
 *
 * Run with `npm run bench` (test/bench/run.sh). Arguments: rows per round (default 1,000,000),
 * rows for the memory run (default 5,000,000; 0 skips it) and rounds (default 5).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Pool } from 'pg';
import { ARCHIVE_TABLES } from '../../activities/archive/archive-tables';
import { withDuckDb } from '../../activities/archive/duckdb-session';
import type { EventRow } from '../../activities/archive/event-rows';
import { EVENT_COLUMNS } from '../../activities/archive/event-rows';
import { postgresCsvCopySql } from '../../activities/archive/row-text';
import { writeParquet } from '../../activities/archive/write-parquet';
import { partitionName } from '../../activities/events/day-partitions';
import { refreshRollups } from '../../activities/events/event-rollups';
import { archivePartition } from '../../workflows/archive-partition';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import globalSetup from '../harness/global-setup';
import globalTeardown from '../harness/global-teardown';
import { isolatedDatabaseUrl } from '../harness/isolated-database';
import { testSettings } from '../harness/test-settings';
import { startTestWorkers, testClient } from '../harness/test-workers';
import { testStack } from '../harness/test-stack-info';
import { duckdbAppender } from './parquet-writers/duckdb-appender';
import { PeakRss } from './parquet-writers/peak-rss';

/** Round i archives the day FIRST_DAY + i; the memory run the day after the last round's. */
const FIRST_DAY = '2026-01-15';
const WARM_UP_DAY = '2026-01-14';
const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const rateRows = Number(process.argv[2] ?? 1_000_000);
  const memoryRows = Number(process.argv[3] ?? 5_000_000);
  const rounds = Number(process.argv[4] ?? 5);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be a whole number of at least 1, not ${process.argv[4]}`);
  const cpus = os.cpus();
  console.log(`Node ${process.version}; ${cpus.length} × ${cpus[0]?.model ?? 'CPU'}; ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB`);
  await globalSetup();
  try {
    const site = await ArchiveSite.start();
    try {
      const results: Round[] = [];
      for (let round = 0; round < rounds; round++) results.push(await rateRound(site, dayAfter(FIRST_DAY, round), rateRows));
      printRounds(results, rateRows);
      if (memoryRows > 0) {
        const day = dayAfter(FIRST_DAY, rounds);
        await site.fillPartition(day, memoryRows);
        collectGarbage();
        const sampler = await PeakRss.start(50);
        const baselineRss = sampler.reset();
        const memory = await site.archive(day, memoryRows);
        const peakRss = await sampler.stop();
        console.log(
          `${memoryRows.toLocaleString('en')}-row partition: archived in ${(memory.ms / 1000).toFixed(1)} s (${perSecond(memoryRows, memory.ms)} rows/s); ` +
            `peak RSS ${(peakRss / MiB).toFixed(0)} MiB (${((peakRss - baselineRss) / MiB).toFixed(0)} MiB above the idle worker); locked re-check + drop ${memory.phases.dropArchivedPartition} ms`,
        );
      }
    } finally {
      await site.stop();
    }
  } finally {
    await globalTeardown();
  }
}

/**
 * The appender reference leaves a million row objects behind in this process, where the worker
 * runs: they are collected before the archival starts, not charged to it.
 */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run this benchmark with node --expose-gc (npm run bench does), so that garbage of the references is not collected during an archival');
  gc();
}

const perSecond = (rows: number, ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en');

const dayAfter = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

interface Archival {
  ms: number;
  bytes: number;
  /** ms from each step's scheduling to its completion, by activity name. */
  phases: Record<string, number>;
}

interface Round {
  day: string;
  psqlDuckdb: number;
  appender: number;
  archival: Archival;
}

/** One round: a fresh partition for `day`, written by both references, then archived. */
async function rateRound(site: ArchiveSite, day: string, rows: number): Promise<Round> {
  await site.fillPartition(day, rows);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-bench-'));
  let psqlDuckdb: number;
  let appender: number;
  try {
    psqlDuckdb = await psqlThenDuckdb(site.databaseUrl, day, dir, rows);
    const source = await readRows(site.pool, day);
    await duckdbAppender.prepare!();
    const started = performance.now();
    await duckdbAppender.write(source, path.join(dir, 'appender.parquet'));
    appender = performance.now() - started;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  collectGarbage();
  return { day, psqlDuckdb, appender, archival: await site.archive(day, rows) };
}

function printRounds(rounds: Round[], rows: number): void {
  const ratio = (round: Round) => Math.min(round.psqlDuckdb, round.appender) / round.archival.ms;
  console.log('');
  console.log(`${rows.toLocaleString('en')} event rows per round, in ms. References (a local file each): psql \\copy to CSV, then DuckDB CSV → Parquet ZSTD; the DuckDB appender + COPY to Parquet ZSTD from rows in memory.`);
  console.log('Archival: Postgres → verified Parquet in S3, dropped; its steps: claim / export + write + upload / download + read-back verification / locked re-check + seal + drop / workflow tasks between the steps.');
  console.log('| day | psql + DuckDB | appender | archival | its steps | × the faster reference |');
  console.log('|---|---:|---:|---:|---|---:|');
  for (const round of rounds) {
    const { ms, phases } = round.archival;
    const steps = [phases.claimArchivePart, phases.exportArchivePart, phases.verifyArchivePart, phases.dropArchivedPartition].map((step) => step ?? 0);
    const tasks = Math.round(ms - steps.reduce((sum, step) => sum + step, 0));
    console.log(
      `| ${round.day} | ${round.psqlDuckdb.toFixed(0)} | ${round.appender.toFixed(0)} | ${ms.toFixed(0)} (${perSecond(rows, ms)} rows/s) | ${[...steps, tasks].join(' / ')} | ${ratio(round).toFixed(2)} |`,
    );
  }
  const ratios = rounds.map(ratio).sort((a, b) => a - b);
  console.log(`archive ${(rounds[0]!.archival.bytes / MiB).toFixed(1)} MiB; median ratio ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)} (aim ≥ 0.7)`);
}

/** One site's database and S3 prefix, with a control and a cloud worker serving it, warmed up. */
class ArchiveSite {
  private constructor(
    readonly databaseUrl: string,
    readonly pool: Pool,
    private readonly workers: Awaited<ReturnType<typeof startTestWorkers>>,
    private readonly client: Client,
  ) {}

  static async start(): Promise<ArchiveSite> {
    const databaseUrl = await isolatedDatabaseUrl();
    const stack = testStack();
    const settings = testSettings({
      databaseUrl,
      config: {
        log: { level: 'error' },
        events: { site: 'bench' },
        storage: { kind: 's3', s3: { endpoint: stack.s3.endpoint, bucket: stack.s3.bucket, region: stack.s3.region, accessKeyId: stack.s3.accessKey, secretAccessKey: stack.s3.secretKey, prefix: `bench-${Date.now()}/` } },
      },
    });
    const pool = new Pool({ connectionString: databaseUrl, max: 2 });
    const workers = await startTestWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    const client = await testClient(settings);
    // A worker in service has run workflows before: one archival of a day with no partition
    // (outcome 'empty') loads the workflow code and runs each step once (DuckDB aside) first.
    const warmUp = await client.workflow.execute(archivePartition, { taskQueue: CONTROL_QUEUE, workflowId: `bench-archive-warm-up-${Date.now()}`, args: [{ table: 'events', day: WARM_UP_DAY }] });
    if (warmUp.outcome !== 'empty') throw new Error(`the warm-up archival answered ${JSON.stringify(warmUp)}`);
    return new ArchiveSite(databaseUrl, pool, workers, client);
  }

  /** The pool is ended whatever the rest does: an idle connection the teardown's Postgres stop cuts would crash the process and hide the first error. */
  async stop(): Promise<void> {
    try {
      await this.client.connection.close();
      await this.workers.shutdown();
    } finally {
      await this.pool.end();
    }
  }

  /** Archives `day`'s events partition of `rows` rows with the archivePartition workflow, and checks what it did. */
  async archive(day: string, rows: number): Promise<Archival> {
    const workflowId = `bench-archive-${day}-${Date.now()}`;
    const started = performance.now();
    const result = await this.client.workflow.execute(archivePartition, { taskQueue: CONTROL_QUEUE, workflowId, args: [{ table: 'events', day }] });
    const ms = performance.now() - started;
    if (result.outcome !== 'archived' || result.rows !== rows) throw new Error(`archival of ${day} answered ${JSON.stringify(result)}`);
    // The dropped day's rows are still counted, now as sealed rollups.
    await refreshRollups(this.pool);
    const { rows: counted } = await this.pool.query<{ events: string }>(`SELECT coalesce(sum(events), 0)::text AS events FROM event_rollups WHERE grain = 'day' AND bucket = $1`, [`${day}T00:00:00Z`]);
    if (Number(counted[0]!.events) !== rows) throw new Error(`after archival the rollups count ${counted[0]!.events} events for ${day}, not ${rows}`);
    return { ms, bytes: result.bytes, phases: await activityTimes(this.client, workflowId) };
  }

  /** Events shaped like the API's (test/bench/parquet-writers/event-rows-fixture.ts), µs times over the day, in one partition, rolled up. */
  async fillPartition(day: string, rows: number): Promise<void> {
    const started = performance.now();
    const partition = partitionName('events', day);
    await this.pool.query(`CREATE TABLE ${partition} PARTITION OF events FOR VALUES FROM ('${day} 00:00:00+00') TO ('${dayAfter(day, 1)} 00:00:00+00')`);
    const chunk = 500_000;
    for (let start = 1; start <= rows; start += chunk) {
      await this.pool.query(
        `INSERT INTO events (idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id, business_key, sub_key, kind, at, status, metrics, metadata, body_digest)
         SELECT 'site-' || (i % 20) || ':' || md5(i::text), 'site-' || (i % 20), 'app-' || (i % 20), (ARRAY['harvester','sorter','labeler','café line'])[1 + i % 4], '1.' || (i % 7) || '.3',
                CASE WHEN i % 5 = 0 THEN 'job' ELSE 'subjob' END, CASE WHEN i % 5 = 0 THEN 'job-' ELSE 'sub-' END || (i % 50000), CASE WHEN i % 5 = 0 THEN NULL ELSE 'job-' || (i % 10000) END,
                CASE WHEN i % 3 = 0 THEN NULL ELSE 'order-' || (i % 100000) END, CASE WHEN i % 5 = 0 THEN NULL ELSE 'step-' || (i % 9) END,
                (ARRAY['started','progress','progress','heartbeat','completed'])[1 + i % 5], timestamptz '${day} 00:00:00+00' + (i::float8 / $2 * 86399) * interval '1 second',
                (ARRAY['running','running','running','succeeded','failed'])[1 + i % 5],
                jsonb_build_object('duration_ms', (i % 100000) / 100.0, 'items', i % 5000, 'bytes', (i::bigint * 7919) % 50000000, 'cpu', (i % 1000) / 1000.0, 'retries', i % 3),
                jsonb_build_object('host', 'edge-' || (i % 40), 'region', (ARRAY['eu-west','us-east','ap-south'])[1 + i % 3], 'note', (ARRAY['ok','Zürich dock','東京 bay','belt 3'])[1 + i % 4]),
                sha256(i::text::bytea)
           FROM generate_series($1::int, least($1::int + ${chunk} - 1, $2::int)) AS i`,
        [start, rows],
      );
    }
    await this.pool.query(`VACUUM (ANALYZE) ${partition}`);
    await this.pool.query('CHECKPOINT');
    // As in service: the ingest marks the hours it writes, and the rollup Schedule has refreshed
    // them long before a day is old enough to archive.
    await this.pool.query(`INSERT INTO event_rollup_dirty (hour) SELECT generate_series(timestamptz '${day} 00:00:00+00', timestamptz '${day} 23:00:00+00', interval '1 hour')`);
    await refreshRollups(this.pool);
    console.log(`${rows.toLocaleString('en')} rows for ${day} generated in Postgres in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
}

/** How long each activity of the workflow took, from its scheduling to its completion (retries and their backoff included), from the run's history. */
async function activityTimes(client: Client, workflowId: string): Promise<Record<string, number>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const ms = (event: NonNullable<typeof history.events>[number]) => Number(event.eventTime!.seconds) * 1000 + event.eventTime!.nanos! / 1e6;
  const scheduled = new Map<string, { name: string; at: number }>();
  const times: Record<string, number> = {};
  for (const event of history.events ?? []) {
    const schedule = event.activityTaskScheduledEventAttributes;
    if (schedule) scheduled.set(String(event.eventId), { name: schedule.activityType!.name!, at: ms(event) });
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) {
      const step = scheduled.get(String(completed.scheduledEventId))!;
      times[step.name] = Math.round(ms(event) - step.at);
    }
  }
  return times;
}

/** ms for the partition through `psql \copy` into a CSV file and DuckDB from that file into Parquet ZSTD, checked by count. */
async function psqlThenDuckdb(databaseUrl: string, day: string, dir: string, rows: number): Promise<number> {
  const spec = ARCHIVE_TABLES.events;
  const csv = path.join(dir, 'reference.csv');
  const parquet = path.join(dir, 'reference.parquet');
  // The export's own COPY, run by psql's \copy into a file.
  const copy = postgresCsvCopySql(spec.columns, partitionName('events', day), spec.orderBy).replace(/^COPY /, '\\copy ').replace(' TO STDOUT ', ` TO '${csv}' `);
  const started = performance.now();
  execFileSync('psql', [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-c', copy], { stdio: 'pipe' });
  await withDuckDb({ memoryLimit: '1GB', threads: os.cpus().length, tempDirectory: path.join(dir, 'spill') }, (connection) => writeParquet(connection, spec, { file: csv, longestRowBytes: 0 }, parquet));
  const ms = performance.now() - started;
  const counted = await withDuckDb({ memoryLimit: '1GB', threads: 1, tempDirectory: path.join(dir, 'spill') }, async (connection) => (await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${parquet}')`)).getRowObjectsJS()[0]!.n);
  if (counted !== rows) throw new Error(`the psql + DuckDB reference wrote ${counted} rows, not ${rows}`);
  return ms;
}

/** The partition's rows as EventRow objects in memory, what the reference writer starts from. */
async function readRows(pool: Pool, day: string): Promise<EventRow[]> {
  const select = EVENT_COLUMNS.map((c) => (c.type === 'TIMESTAMP WITH TIME ZONE' ? `(extract(epoch from "${c.name}") * 1000000)::bigint::text AS "${c.name}"` : `"${c.name}"::text AS "${c.name}"`));
  const { rows } = await pool.query<Record<string, string | null>>(`SELECT ${select.join(', ')} FROM ${partitionName('events', day)} ORDER BY at, event_id`);
  return rows.map((row) => ({ ...row, event_id: BigInt(row.event_id!), at: BigInt(row.at!), received_at: BigInt(row.received_at!) }) as unknown as EventRow);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
