import fs from 'node:fs';
import { once } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import { quoted, type ArchiveTable } from './archive-tables';
import type { SourceFigures } from './archive-manifest';
import { timeRange } from './partition-figures';
import { postgresRowText, rowChecksum } from './row-text';
import { MAX_ROW_TEXT_BYTES } from './write-parquet';
import { UserError } from '../../infra/errors/user-error';

/**
 * Streams one day's partition out of Postgres into a CSV file of canonical row texts
 * (row-text.ts), computing the source figures as the rows pass: the count and the checksum of
 * exactly the rows written, and the time range, all in one REPEATABLE READ snapshot, so the
 * figures describe the file and nothing else.
 *
 * Rows come through a server-side cursor in batches, the next batch asked for before the current
 * one is written, so Postgres renders rows on one core while this process hashes and writes them
 * on the other; at most two batches are in memory, whatever the partition's size.
 */

export const EXPORT_BATCH_ROWS = 10_000;

export class PartitionGoneError extends Error {
  override readonly name = 'PartitionGoneError';
}

export async function exportPartition(
  pool: Pool,
  spec: ArchiveTable,
  partition: string,
  csvFile: string,
  progress: (rows: number) => void,
): Promise<SourceFigures> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows: exists } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [partition]);
    if (!exists[0]?.exists) throw new PartitionGoneError(`partition ${partition} does not exist`);
    const range = await timeRange(client, quoted(spec.timeColumn), partition);
    await client.query(
      `DECLARE archive_rows NO SCROLL CURSOR FOR SELECT ${postgresRowText(spec.columns)} AS line FROM ${partition} ORDER BY ${spec.orderBy.map(quoted).join(', ')}`,
    );
    const { rows, checksum } = await streamLines(client, csvFile, progress);
    await client.query('COMMIT');
    return { rows, ...range, checksum: checksum.toString() };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function streamLines(client: PoolClient, csvFile: string, progress: (rows: number) => void): Promise<{ rows: number; checksum: bigint }> {
  const out = fs.createWriteStream(csvFile);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  const fetch = () => client.query<string[]>({ text: `FETCH ${EXPORT_BATCH_ROWS} FROM archive_rows`, rowMode: 'array' });
  let rows = 0;
  let checksum = 0n;
  try {
    let pending = fetch();
    for (;;) {
      const batch = await Promise.race([pending, failed]);
      if (batch.rows.length === 0) break;
      // Ask for the next batch now: Postgres renders it while this one is hashed and written.
      pending = batch.rows.length === EXPORT_BATCH_ROWS ? fetch() : Promise.resolve({ rows: [] } as unknown as typeof batch);
      let chunk = '';
      for (const [line] of batch.rows) {
        if (line!.length * 3 > MAX_ROW_TEXT_BYTES && Buffer.byteLength(line!) > MAX_ROW_TEXT_BYTES) throw rowTooLong(line!);
        checksum += rowChecksum(line!);
        chunk += `${line}\n`;
      }
      rows += batch.rows.length;
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
      progress(rows);
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    return { rows, checksum };
  } finally {
    out.destroy();
  }
}

function rowTooLong(line: string): UserError {
  return new UserError(
    `A row is ${Buffer.byteLength(line)} bytes as text, more than the ${MAX_ROW_TEXT_BYTES} archival handles; it starts ${JSON.stringify(line.slice(0, 120))}.`,
    'Such a row carries megabytes of metadata; trim it in Postgres (or move it out of the partition) and run archival again.',
  );
}
