import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { claimPart, getPart, recordProblem, recordUploaded, recordVerified } from '../../activities/archive/archive-manifest';
import { ARCHIVE_TABLES, quoted } from '../../activities/archive/archive-tables';
import { dropArchivedPartition } from '../../activities/archive/drop-partition';
import { exportPartition, type PartitionExport } from '../../activities/archive/export-partition';
import { postgresChecksumSql, postgresRowText } from '../../activities/archive/row-text';
import { provenUnchangedSinceExport } from '../../activities/archive/unchanged-since-export';
import { partitionName } from '../../activities/events/day-partitions';
import { inTransaction } from '../../infra/db/transaction';
import { useIsolatedTest } from '../harness/isolated-test';
import { partitionExists, storeArchiveEvents } from './archive-fixtures';

const DAY = '2026-03-01';

describe('archive export (real Postgres)', () => {
  const t = useIsolatedTest();
  let workDir: string;
  beforeEach(() => (workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-export-'))));
  afterEach(() => fs.rmSync(workDir, { recursive: true, force: true }));

  const exported = (pool: Pool, table: keyof typeof ARCHIVE_TABLES, file = path.join(workDir, `${table}.csv`)) =>
    exportPartition(pool, ARCHIVE_TABLES[table], partitionName(table, DAY), file, () => undefined);

  /**
   * The export, once every transaction that was running when this test last wrote has ended. The
   * proof needs that (see unchanged-since-export.ts), and transaction ids are the whole server's:
   * a long transaction of a test running beside this one holds back the export snapshot's xmin,
   * and the proof then rightly declines.
   */
  const exportedOnceWritesAreOld = async (pool: Pool) => {
    const { rows } = await pool.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
    const writtenBefore = BigInt(rows[0]!.xid);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows: now } = await pool.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
      if (BigInt(now[0]!.xmin) > writtenBefore) break;
      if (Date.now() > deadline) throw new Error(`transactions older than ${writtenBefore} still running after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return exported(pool, 'events');
  };

  it("writes each table's rows as Postgres renders their row text, with Postgres' own count and checksum", async () => {
    const pool = t.pool();
    await storeArchiveEvents(pool, 300, 11, 'a', [DAY]);
    for (const table of ['events', 'jobs', 'subjobs'] as const) {
      const spec = ARCHIVE_TABLES[table];
      const partition = partitionName(table, DAY);
      const file = path.join(workDir, `${table}.csv`);
      const { figures } = await exported(pool, table, file);
      const { rows: texts } = await pool.query<{ line: string }>(`SELECT ${postgresRowText(spec.columns)} AS line FROM ${partition} ORDER BY ${spec.orderBy.map(quoted).join(', ')}`);
      expect(texts.length).toBeGreaterThan(10);
      expect(fs.readFileSync(file, 'utf8')).toBe(texts.map((row) => `${row.line}\n`).join(''));
      const { rows: sums } = await pool.query<{ rows: string; checksum: string }>(postgresChecksumSql(spec.columns, partition));
      expect({ rows: String(figures.rows), checksum: figures.checksum }).toEqual(sums[0]);
    }
  });

  it('proves a partition unchanged since its export only while no row was written since', async () => {
    const pool = t.pool();
    await storeArchiveEvents(pool, 60, 12, 'a', [DAY]);
    const partition = partitionName('events', DAY);
    const proven = (done: PartitionExport) =>
      inTransaction(pool, async (client) => {
        await client.query(`LOCK TABLE ${partition} IN SHARE MODE`);
        return provenUnchangedSinceExport(client, partition, done.figures, done.snapshot);
      });

    let done = await exportedOnceWritesAreOld(pool);
    expect(await proven(done)).toBe(true);
    // Freezing rewrites row headers but keeps each row's xmin.
    await pool.query(`VACUUM (FREEZE) ${partition}`);
    expect(await proven(done)).toBe(true);
    // Another export's figures are not this snapshot's.
    expect(await inTransaction(pool, (client) => provenUnchangedSinceExport(client, partition, { ...done.figures, checksum: '1' }, done.snapshot))).toBe(false);

    // Same count, changed content.
    await pool.query(`UPDATE ${partition} SET status = 'failed' WHERE event_id = (SELECT min(event_id) FROM ${partition})`);
    expect(await proven(done)).toBe(false);
    done = await exportedOnceWritesAreOld(pool);
    expect(await proven(done)).toBe(true);

    // A late event, then frozen: its xmin still says it came after the export.
    await storeArchiveEvents(pool, 1, 13, 'late', [DAY]);
    await pool.query(`VACUUM (FREEZE) ${partition}`);
    expect(await proven(done)).toBe(false);
    done = await exported(pool, 'events');

    // Deleted and put back as it was: the same content, but written since.
    await pool.query(`WITH gone AS (DELETE FROM ${partition} WHERE event_id = (SELECT max(event_id) FROM ${partition}) RETURNING *) INSERT INTO ${partition} SELECT * FROM gone`);
    expect(await proven(done)).toBe(false);
  });

  it("drops a partition only while it holds what was exported: proven from the snapshot the manifest recorded, or recomputed without one", async () => {
    const pool = t.pool();
    const NEXT_DAY = '2026-03-02';
    await storeArchiveEvents(pool, 40, 14, 'a', [DAY, NEXT_DAY]);
    const claim = async (day: string) => {
      const claimed = await claimPart(pool, { table: 'events', day, workflowId: 'test', keyOf: (part) => `archive/events/dt=${day}/part-${part}.parquet` });
      return { ref: { table: 'events' as const, day, part: claimed.part }, key: claimed.key! };
    };
    const verify = async ({ ref, key }: Awaited<ReturnType<typeof claim>>, done: PartitionExport, recordSnapshot: boolean) => {
      await recordUploaded(pool, ref, done.figures, { key, bytes: 1, sha256: 'test' }, recordSnapshot ? done.snapshot : undefined);
      await recordVerified(pool, ref);
    };

    // A late event after the export: kept, whatever proves it.
    const first = await claim(DAY);
    await verify(first, await exported(pool, 'events'), true);
    await storeArchiveEvents(pool, 1, 15, 'late', [DAY]);
    const kept = await dropArchivedPartition(pool, first.ref);
    expect(kept).toMatchObject({ dropped: false, changes: expect.arrayContaining([expect.stringMatching(/the partition now has \d+ rows, at export \d+/)]) });
    expect(await partitionExists(pool, 'events', DAY)).toBe(true);

    // Exported again by a run that recorded no snapshot (as before the manifest kept them): the figures are recomputed.
    await recordProblem(pool, first.ref, 'changed', { reopen: true });
    await verify(first, await exported(pool, 'events'), false);
    expect(await dropArchivedPartition(pool, first.ref)).toEqual({ dropped: true, checkedBy: 'recomputed' });
    expect(await partitionExists(pool, 'events', DAY)).toBe(false);

    // A drop by a later run (the exporting worker died): the manifest's snapshot is the proof.
    const next = await claim(NEXT_DAY);
    const done = await exportPartition(pool, ARCHIVE_TABLES.events, partitionName('events', NEXT_DAY), path.join(workDir, 'next.csv'), () => undefined);
    await verify(next, done, true);
    expect((await getPart(pool, next.ref)).exportedFrom).toEqual(done.snapshot);
    expect(await dropArchivedPartition(pool, next.ref)).toEqual({ dropped: true, checkedBy: 'export-snapshot' });
    expect(await partitionExists(pool, 'events', NEXT_DAY)).toBe(false);
  });
});
