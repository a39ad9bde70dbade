import type { Pool } from 'pg';
import { inTransaction } from '../../infra/db/transaction';
import { addDays, dayOf, dropDayPartition, ensureDayPartitions, listDayPartitions, type DayPartition } from './day-partitions';
import { sealDayRollups } from './event-rollups';

export interface PartitionUpkeepInput {
  /** ISO; the workflow's start time, so a replayed or delayed run decides as it did. */
  readonly now: string;
  readonly retentionMs: number;
  readonly partitionsAhead: number;
  /** With archival on, a partition leaves only through archival, which verifies it first. */
  readonly archiveEnabled: boolean;
}

export interface PartitionUpkeepResult {
  /** Day partitions and, for a new month, its key partition (day-partitions.ts). */
  readonly created: string[];
  readonly dropped: string[];
  /** Past retention but not archived yet: kept, since dropping them would lose events. */
  readonly awaitingArchive: string[];
}

/**
 * Creates the partitions of the coming days before events need them, and applies retention by
 * dropping whole partitions of days that ended before now − retention (never a bulk DELETE); a
 * month's idempotency keys go with its last events partition.
 */
export async function partitionUpkeep(pool: Pool, input: PartitionUpkeepInput): Promise<PartitionUpkeepResult> {
  const today = dayOf(Date.parse(input.now));
  const ahead = Array.from({ length: input.partitionsAhead + 1 }, (_, i) => addDays(today, i));
  const created = await ensureDayPartitions(pool, ahead);

  // A day is past retention once its last instant is older than the cutoff.
  const cutoff = Date.parse(input.now) - input.retentionMs;
  const expired = (await listDayPartitions(pool)).filter((partition) => Date.parse(`${addDays(partition.day, 1)}T00:00:00Z`) <= cutoff);
  if (input.archiveEnabled) return { created, dropped: [], awaitingArchive: names(expired) };
  for (const partition of expired) {
    await inTransaction(pool, async (client) => {
      if (partition.table === 'events') await sealDayRollups(client, partition.day);
      await dropDayPartition(client, partition.table, partition.day);
    });
  }
  return { created, dropped: names(expired), awaitingArchive: [] };
}

const names = (partitions: DayPartition[]) => partitions.map((partition) => partition.name);
