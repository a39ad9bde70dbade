import type { Pool } from 'pg';
import { dayOf, listDayPartitions, PARTITIONED_TABLES, type PartitionedTable } from '../events/day-partitions';
import { listParts, type PartState } from './archive-manifest';

/**
 * What an archival run would do now: every day partition of the chosen tables whose day ended
 * longer ago than the hot window (within --from/--to when given), with the part it would write:
 * the day's part in flight if there is one (it resumes), else the next number after the parts
 * archived before.
 */

export interface ArchivePlanInput {
  /** ISO; the workflow passes its start time. */
  readonly now: string;
  readonly hotWindowMs: number;
  readonly from?: string;
  readonly to?: string;
  readonly tables?: readonly PartitionedTable[];
}

export interface PlannedPartition {
  readonly table: PartitionedTable;
  readonly day: string;
  /** Postgres' estimate from its statistics; counted when it has none yet (a partition never analyzed is a young, small one). */
  readonly approxRows: number;
  readonly part: number;
  /** The state of a part in flight (resumed), or undefined for a new part. */
  readonly resumes?: PartState;
}

export interface ArchivePlan {
  readonly now: string;
  /** Days before this one are outside the hot window. */
  readonly cutoffDay: string;
  readonly partitions: readonly PlannedPartition[];
  /** Partitions in the range still within the hot window, kept. */
  readonly hot: readonly { table: PartitionedTable; day: string }[];
}

/** Days before this one have left the hot window at `nowMs`: archival takes their partitions. */
export function hotWindowCutoffDay(nowMs: number, hotWindowMs: number): string {
  return dayOf(nowMs - hotWindowMs);
}

export async function planArchive(pool: Pool, input: ArchivePlanInput): Promise<ArchivePlan> {
  const cutoffDay = hotWindowCutoffDay(Date.parse(input.now), input.hotWindowMs);
  const tables = new Set(input.tables ?? PARTITIONED_TABLES);
  const inRange = (await listDayPartitions(pool)).filter(
    (p) => tables.has(p.table) && (input.from === undefined || p.day >= input.from) && (input.to === undefined || p.day <= input.to),
  );
  const archivable = inRange.filter((p) => p.day < cutoffDay);
  const parts = await listParts(pool, { from: input.from, to: input.to, tables: [...tables] });
  const estimates = await rowEstimates(pool, archivable.map((p) => p.name));
  const partitions = archivable.map((p): PlannedPartition => {
    const ofDay = parts.filter((part) => part.table === p.table && part.day === p.day);
    const open = ofDay.find((part) => part.state !== 'dropped');
    const next = ofDay.reduce((max, part) => Math.max(max, part.part + 1), 0);
    return { table: p.table, day: p.day, approxRows: estimates.get(p.name) ?? -1, part: open?.part ?? next, ...(open ? { resumes: open.state } : {}) };
  });
  return { now: input.now, cutoffDay, partitions, hot: inRange.filter((p) => p.day >= cutoffDay).map(({ table, day }) => ({ table, day })) };
}

async function rowEstimates(pool: Pool, names: string[]): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ name: string; estimate: number }>(
    `SELECT relname AS name, reltuples::bigint AS estimate FROM pg_class WHERE relname = ANY($1) AND relnamespace = to_regnamespace(current_schema())`,
    [names],
  );
  const estimates = new Map(rows.map((row) => [row.name, Number(row.estimate)]));
  for (const [name, estimate] of estimates) {
    if (estimate >= 0) continue;
    const { rows: counted } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}`);
    estimates.set(name, Number(counted[0]!.n));
  }
  return estimates;
}
