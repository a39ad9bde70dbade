import type { Pool } from 'pg';
import { inTransaction } from '../../infra/db/transaction';
import { dropDayPartition, partitionName } from '../events/day-partitions';
import { sealDayRollups } from '../events/event-rollups';
import { ARCHIVE_TABLES } from './archive-tables';
import { getPart, markDropped, type PartRef } from './archive-manifest';
import { figureDifferences, partitionFigures } from './partition-figures';
import { provenUnchangedSinceExport, type ExportSnapshot } from './unchanged-since-export';

/**
 * Drops a partition whose archive is verified, in one transaction: lock the partition against
 * writes, check that it still holds exactly what was exported (a late event or a job update since
 * then must not be lost), seal its rollups (events), drop it and mark the part dropped. If
 * anything of it fails, nothing of it happened.
 *
 * With the export's snapshot at hand (the manifest records it with the figures; a run that
 * exported the part also passes it on), the re-check proves from the rows' headers that nothing
 * changed since (unchanged-since-export.ts): one pass that hashes nothing. Without it (a part
 * exported before the manifest recorded snapshots), or where that proves nothing, it recomputes
 * the figures from every value (seconds per million rows).
 *
 * The re-check runs under a SHARE lock, which stops writes to this partition but not reads: the
 * API's queries, and an ingest's check of a replayed key's event, read all events partitions, and
 * an ACCESS EXCLUSIVE lock held for a recomputation would stall them. Only the DROP itself, which
 * is quick, takes ACCESS EXCLUSIVE. A late event for this very day can deadlock with that upgrade;
 * Postgres then aborts one side, and both retry. The drop of a month's last day also drops the
 * month's keys (dropDayPartition).
 */

export type DropOutcome =
  /** How the partition was shown unchanged since its export: from the export's snapshot, or by recomputing its figures. */
  | { readonly dropped: true; readonly partitionWasGone?: true; readonly checkedBy?: 'export-snapshot' | 'recomputed' }
  /** The partition changed after its export: kept; the next run exports it again. */
  | { readonly dropped: false; readonly changes: readonly string[] };

/** Waiting longer than this for the lock fails the attempt (retried): the wait itself blocks every later reader of the table. */
const LOCK_TIMEOUT = '10s';

export interface DropRequest extends PartRef {
  /** The snapshot the part was exported from, when this run exported it (runs from before the manifest recorded it pass it this way). */
  readonly exportedFrom?: ExportSnapshot;
}

export async function dropArchivedPartition(pool: Pool, ref: DropRequest): Promise<DropOutcome> {
  const spec = ARCHIVE_TABLES[ref.table];
  const partition = partitionName(ref.table, ref.day);
  return inTransaction(pool, async (client) => {
    const part = await getPart(client, ref);
    if (part.state === 'dropped') return { dropped: true };
    if (part.state !== 'verified' || !part.figures) throw new Error(`part ${ref.part} of ${ref.table} ${ref.day} is ${part.state}, not verified: it cannot be dropped`);
    await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [partition]);
    if (!rows[0]?.exists) {
      // Dropped by someone else since (retention); what it held is in the verified archive.
      await markDropped(client, ref);
      return { dropped: true, partitionWasGone: true };
    }
    await client.query(`LOCK TABLE ${partition} IN SHARE MODE`);
    const snapshot = part.exportedFrom ?? ref.exportedFrom;
    const proven = snapshot !== undefined && (await provenUnchangedSinceExport(client, partition, part.figures, snapshot));
    if (!proven) {
      const now = await partitionFigures(client, spec, partition);
      const changes = figureDifferences(now, part.figures, { found: 'the partition now', expected: 'at export' });
      if (changes.length > 0) return { dropped: false, changes };
    }
    // The partition holds part.figures.rows rows (checked above), which lets the seal reuse the refreshed rollups.
    if (ref.table === 'events') await sealDayRollups(client, ref.day, part.figures.rows);
    await dropDayPartition(client, ref.table, ref.day);
    await markDropped(client, ref);
    return { dropped: true, checkedBy: proven ? 'export-snapshot' : 'recomputed' };
  });
}
