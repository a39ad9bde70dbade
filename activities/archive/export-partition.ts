import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Pool } from 'pg';
import { quoted, type ArchiveTable } from './archive-tables';
import type { SourceFigures } from './archive-manifest';
import { timeRange } from './partition-figures';
import { CopyOutRows } from './copy-out-rows';
import { RowChecksum } from './row-checksum';
import { postgresCsvCopySql } from './row-text';
import type { ExportSnapshot } from './unchanged-since-export';
import { MAX_ROW_TEXT_BYTES } from './write-parquet';

/**
 * Streams one day's partition out of Postgres into a CSV file of canonical row texts
 * (row-text.ts), computing the source figures as the rows pass: the count and the checksum of
 * exactly the bytes written, and the time range, all in one REPEATABLE READ snapshot, so the
 * figures describe the file and nothing else.
 *
 * Postgres renders the rows with COPY, on one core, while this process hashes them and writes
 * them on the other; memory holds a few socket chunks (and at most one row cut between two),
 * whatever the partition's size.
 */

export class PartitionGoneError extends Error {
  override readonly name = 'PartitionGoneError';
}

export interface PartitionExport {
  readonly figures: SourceFigures;
  /** What the drop step needs to prove, cheaply, that the partition did not change since. */
  readonly snapshot: ExportSnapshot;
  /** The longest row text written, in bytes. */
  readonly longestRowBytes: number;
}

export async function exportPartition(pool: Pool, spec: ArchiveTable, partition: string, csvFile: string, progress: (rows: number) => void): Promise<PartitionExport> {
  const client = await pool.connect();
  let result: PartitionExport;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // The first statement takes the transaction's snapshot: everything below reads that one.
    const { rows: found } = await client.query<{ relation: string | null; xmin: string }>(
      'SELECT to_regclass($1)::oid::int8 AS relation, pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
      [partition],
    );
    const { relation, xmin } = found[0]!;
    if (relation === null) throw new PartitionGoneError(`partition ${partition} does not exist`);
    const range = await timeRange(client, quoted(spec.timeColumn), partition);
    const rows = await RowChecksum.create();
    const reporter = setInterval(() => progress(rows.rows), 1_000);
    try {
      const copy = new CopyOutRows(postgresCsvCopySql(spec.columns, partition, spec.orderBy), (row) => rows.add(row), MAX_ROW_TEXT_BYTES);
      await pipeline(client.query(copy), fs.createWriteStream(csvFile));
    } finally {
      clearInterval(reporter);
    }
    progress(rows.rows);
    await client.query('COMMIT');
    const figures = { rows: rows.rows, ...range, checksum: rows.checksum.toString() };
    result = { figures, snapshot: { relation: Number(relation), xmin, figures }, longestRowBytes: rows.longestRow };
  } catch (err) {
    // Closing the connection ends the transaction, and a COPY cut off midway with it.
    client.release(err as Error);
    throw err;
  }
  client.release();
  return result;
}
