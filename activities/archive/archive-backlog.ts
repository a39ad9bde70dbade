import type { Pool } from 'pg';
import { addDays, listDayPartitions, PARTITIONED_TABLES, type PartitionedTable } from '../events/day-partitions';
import { hotWindowCutoffDay } from './plan-archive';

/**
 * How far archival is behind: per table, the day partitions that have left the hot window but are
 * still in Postgres (the next run takes them: the same cutoff as planArchive's), how long the oldest of them has
 * waited since it left, and the parts whose last verification or drop did not go through. An
 * archival that keeps failing otherwise shows only in workflow histories, while the days pile up
 * in Postgres (with archival on, nothing else drops them); these figures let an alert say so.
 */
export interface TableBacklog {
  /** Partitions past the hot window, still in Postgres. */
  readonly waiting: number;
  /** Seconds since the oldest of them left the hot window; 0 when none waits. */
  readonly oldestWaitingSeconds: number;
  /** Parts not dropped whose last step recorded a problem (a failed verification, a partition changed since its export). */
  readonly withProblem: number;
}

export async function archiveBacklog(pool: Pool, { now, hotWindowMs }: { now: number; hotWindowMs: number }): Promise<Record<PartitionedTable, TableBacklog>> {
  const cutoffDay = hotWindowCutoffDay(now, hotWindowMs);
  const [partitions, problems] = await Promise.all([
    listDayPartitions(pool),
    pool.query<{ table_name: PartitionedTable; parts: number }>(`SELECT table_name, count(*)::int AS parts FROM event_archives WHERE state <> 'dropped' AND problem IS NOT NULL GROUP BY table_name`),
  ]);
  const backlog = {} as Record<PartitionedTable, TableBacklog>;
  for (const table of PARTITIONED_TABLES) {
    // Oldest first (listDayPartitions' order).
    const waiting = partitions.filter((partition) => partition.table === table && partition.day < cutoffDay);
    // A day leaves the hot window when the window has passed since the day ended.
    const leftHotWindow = waiting.length === 0 ? now : Date.parse(`${addDays(waiting[0]!.day, 1)}T00:00:00Z`) + hotWindowMs;
    const withProblem = problems.rows.find((row) => row.table_name === table)?.parts ?? 0;
    backlog[table] = { waiting: waiting.length, oldestWaitingSeconds: Math.max(0, Math.round((now - leftHotWindow) / 1000)), withProblem };
  }
  return backlog;
}
