import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { durationMs } from '../../infra/config/duration';
import type { EventsConfig } from '../../infra/config/events-schema';
import { partitionName, type PartitionedTable } from '../events/day-partitions';
import type { ObjectStore } from '../storage/object-store';
import { archiveKey } from './archive-key';
import { claimPart, getPart, recordProblem, recordUploaded, recordVerified, type ArchivePart, type PartRef } from './archive-manifest';
import { ARCHIVE_TABLES } from './archive-tables';
import { ArchiveVerificationError } from './archive-errors';
import { dropArchivedPartition, type DropOutcome, type DropRequest } from './drop-partition';
import { withDuckDb, type DuckDbLimits } from './duckdb-session';
import { exportPartition, PartitionGoneError } from './export-partition';
import { heartbeatWhile } from './heartbeat-while';
import { figureDifferences } from './partition-figures';
import { planArchive, type ArchivePlan } from './plan-archive';
import { readBack, schemaProblems } from './read-back';
import type { ExportSnapshot } from './unchanged-since-export';
import { writeParquet } from './write-parquet';

export interface ArchiveDeps {
  pool: Pool;
  store: ObjectStore;
  events: Pick<EventsConfig, 'site' | 'archive'>;
  /** Temporary files (the export's CSV, the Parquet file, the downloaded copy) go under here. */
  workDir: string;
  /** Bounds for DuckDB while it writes or reads a part; defaults suit a 2-core machine. */
  duckdb?: Partial<Pick<DuckDbLimits, 'memoryLimit' | 'threads'>>;
}

export interface ExportedPart {
  readonly part: ArchivePart;
  /** The part was verified already (a resumed run): nothing was exported or written. */
  readonly skipped: boolean;
  /** The snapshot it was exported from (none if skipped or empty): pass it to the drop, which then proves cheaply that nothing changed since. */
  readonly snapshot?: ExportSnapshot;
}

/**
 * The I/O of Parquet archival, on the cloud queue. Each activity is one step of one part
 * (claim, export+write+upload, verify, drop), idempotent on its own: the manifest says what was
 * done, and a step retried after a crash redoes only what did not finish.
 */
export function createArchiveActivities(deps: ArchiveDeps) {
  const prefix = deps.events.archive.prefix;
  const site = deps.events.site;
  const scratch = async <T>(work: (dir: string) => Promise<T>): Promise<T> => {
    fs.mkdirSync(deps.workDir, { recursive: true });
    const dir = fs.mkdtempSync(path.join(deps.workDir, 'part-'));
    try {
      return await work(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const limits = (dir: string): DuckDbLimits => ({ memoryLimit: deps.duckdb?.memoryLimit ?? '1GB', threads: deps.duckdb?.threads ?? 2, tempDirectory: path.join(dir, 'duckdb-spill') });

  return {
    async planArchive(input: { now: string; from?: string; to?: string; tables?: PartitionedTable[] }): Promise<ArchivePlan & { site: string }> {
      const plan = await planArchive(deps.pool, { ...input, hotWindowMs: durationMs(deps.events.archive.hotWindow) });
      return { ...plan, site };
    },

    async claimArchivePart(input: { table: PartitionedTable; day: string }): Promise<ArchivePart> {
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? '(unknown)';
      return claimPart(deps.pool, { ...input, workflowId, keyOf: (part) => archiveKey({ prefix, site, table: input.table, day: input.day, part }) });
    },

    /** Exports the partition, writes it as Parquet and uploads it under the part's key. */
    async exportArchivePart(ref: PartRef): Promise<ExportedPart> {
      const context = Context.current();
      const before = await getPart(deps.pool, ref);
      if (before.state === 'verified' || before.state === 'dropped') return { part: before, skipped: true };
      const spec = ARCHIVE_TABLES[ref.table];
      return scratch(async (dir) => {
        const csv = path.join(dir, 'rows.csv');
        let exported = 0;
        let figures;
        let snapshot: ExportSnapshot | undefined;
        let longestRowBytes = 0;
        try {
          ({ figures, snapshot, longestRowBytes } = await heartbeatWhile(
            (details) => context.heartbeat(details),
            exportPartition(deps.pool, spec, partitionName(ref.table, ref.day), csv, (rows) => (exported = rows)),
            5_000,
            () => ({ step: 'export', rows: exported }),
          ));
        } catch (err) {
          if (!(err instanceof PartitionGoneError)) throw err;
          // Nothing to archive any more (retention dropped it): an empty part, dropped at once.
          figures = { rows: 0, minTimeUs: null, maxTimeUs: null, checksum: '0' };
        }
        if (figures.rows === 0) {
          await recordUploaded(deps.pool, ref, figures, null);
          return { part: await getPart(deps.pool, ref), skipped: false };
        }
        const parquet = path.join(dir, 'part.parquet');
        await heartbeatWhile((details) => context.heartbeat(details), withDuckDb(limits(dir), (connection) => writeParquet(connection, spec, { file: csv, longestRowBytes }, parquet)), 5_000, () => ({ step: 'write' }));
        fs.rmSync(csv);
        const key = before.key!;
        const put = await heartbeatWhile((details) => context.heartbeat(details), deps.store.putFile(key, parquet, { contentType: 'application/vnd.apache.parquet' }), 5_000, () => ({ step: 'upload' }));
        await recordUploaded(deps.pool, ref, figures, { key, bytes: put.size, sha256: put.sha256 }, snapshot);
        context.log.info('archive part uploaded', { table: ref.table, day: ref.day, part: ref.part, key, rows: figures.rows, bytes: put.size });
        return { part: await getPart(deps.pool, ref), skipped: false, snapshot };
      });
    },

    /**
     * Downloads the uploaded object and reads it back with DuckDB: the columns and their types,
     * ZSTD, the row count, time range and content checksum, each against the export's figures.
     * A mismatch fails the run for this partition without a retry, and it is not dropped.
     */
    async verifyArchivePart(ref: PartRef): Promise<ArchivePart> {
      const context = Context.current();
      const part = await getPart(deps.pool, ref);
      if (part.state === 'verified' || part.state === 'dropped') return part;
      if (part.state !== 'uploaded' || !part.figures) throw new Error(`part ${ref.part} of ${ref.table} ${ref.day} is ${part.state}: export it before verifying`);
      if (part.key === null) {
        await recordVerified(deps.pool, ref);
        return getPart(deps.pool, ref);
      }
      const key = part.key;
      const expected = part.figures;
      const problems = await scratch(async (dir) => {
        const copy = path.join(dir, 'read-back.parquet');
        const found: string[] = [];
        try {
          const got = await heartbeatWhile((details) => context.heartbeat(details), deps.store.getToFile(key, copy), 5_000, () => ({ step: 'download' }));
          if (part.sha256 && got.sha256 !== part.sha256) found.push(`its bytes differ from those uploaded (sha256 ${got.sha256}, uploaded ${part.sha256}; ${got.size} bytes, uploaded ${part.bytes})`);
          const read = await heartbeatWhile((details) => context.heartbeat(details), withDuckDb(limits(dir), (connection) => readBack(connection, ARCHIVE_TABLES[ref.table], copy)), 5_000, () => ({ step: 'verify' }));
          found.push(...schemaProblems(ARCHIVE_TABLES[ref.table], read));
          found.push(...figureDifferences(read.figures, expected, { found: 'the archive', expected: 'the partition at export' }));
        } catch (err) {
          if ((err as Error).name === 'ObjectNotFoundError') found.push('the object is missing from storage');
          // A damaged file fails in DuckDB's Parquet reader (Invalid Input, IO) or in the Thrift decoding of its metadata and page headers (Invalid: TProtocolException).
          else if (/parquet|Invalid Input Error|IO Error|TProtocolException/i.test((err as Error).message)) found.push(`DuckDB cannot read it as Parquet: ${(err as Error).message.split('\n')[0]}`);
          else throw err;
        }
        return found;
      });
      if (problems.length > 0) {
        await recordProblem(deps.pool, ref, `verification failed: ${problems.join('; ')}`, { reopen: true });
        context.log.error('archive verification failed', { table: ref.table, day: ref.day, part: ref.part, key, problems });
        throw new ArchiveVerificationError(key, problems);
      }
      await recordVerified(deps.pool, ref);
      return getPart(deps.pool, ref);
    },

    async dropArchivedPartition(ref: DropRequest): Promise<DropOutcome> {
      const context = Context.current();
      const outcome = await heartbeatWhile((details) => context.heartbeat(details), dropArchivedPartition(deps.pool, ref), 5_000, () => ({ step: 'drop' }));
      if (!outcome.dropped) {
        await recordProblem(deps.pool, ref, `not dropped: the partition changed after its export (${outcome.changes.join('; ')}); the next run archives it again`, { reopen: true });
        context.log.warn('partition changed after export; kept', { table: ref.table, day: ref.day, part: ref.part, changes: outcome.changes });
      } else if (outcome.checkedBy) {
        context.log.info('partition dropped', { table: ref.table, day: ref.day, part: ref.part, checkedBy: outcome.checkedBy });
      }
      return outcome;
    },
  };
}

export type ArchiveActivities = ReturnType<typeof createArchiveActivities>;
