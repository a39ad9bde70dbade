import type { Pool, PoolClient } from 'pg';

/**
 * The daily range partitions of the data plane's tables: one per table per UTC day, named
 * `<table>_pYYYYMMDD`. Created ahead of time by the upkeep workflow and, for a late or backfilled
 * day, by the ingest that needs one; dropped whole by retention and by archival.
 */

export const PARTITIONED_TABLES = ['events', 'jobs', 'subjobs'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

type Queryable = Pick<Pool | PoolClient, 'query'>;

export interface DayPartition {
  readonly table: PartitionedTable;
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly name: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `day` is a real calendar day written YYYY-MM-DD. */
export function isDay(day: string): boolean {
  const match = DAY.exec(day);
  if (!match) return false;
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(day);
}

function checkedDay(day: string): string {
  if (!isDay(day)) throw new Error(`not a day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  return day;
}

/** The UTC day an instant falls on. */
export function dayOf(instant: Date | number): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** The day `n` days after `day` (n may be negative). */
export function addDays(day: string, n: number): string {
  return dayOf(Date.parse(`${checkedDay(day)}T00:00:00Z`) + n * 86_400_000);
}

export function partitionName(table: PartitionedTable, day: string): string {
  return `${table}_p${checkedDay(day).replaceAll('-', '')}`;
}

/**
 * Creates the partitions of every table for each day that lacks one; returns those it created.
 * Safe to run concurrently: a partition another session created meanwhile counts as there.
 */
export async function ensureDayPartitions(db: Queryable, days: readonly string[]): Promise<DayPartition[]> {
  const existing = new Set((await listDayPartitions(db)).map((partition) => partition.name));
  const created: DayPartition[] = [];
  for (const day of [...new Set(days)].sort()) {
    for (const table of PARTITIONED_TABLES) {
      const name = partitionName(table, day);
      if (existing.has(name)) continue;
      // events is partitioned on a timestamptz, the others on a date: an explicit UTC offset
      // makes the bound mean the same whatever the session's TimeZone is.
      const sql = `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM ('${day} 00:00:00+00') TO ('${addDays(day, 1)} 00:00:00+00')`;
      try {
        await db.query(sql);
        created.push({ table, day, name });
      } catch (err) {
        // Another session created it between our check and our CREATE: that is what we wanted.
        if (!isAlreadyThere(err)) throw err;
      }
    }
  }
  return created;
}

function isAlreadyThere(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === '42P07' /* duplicate_table */ || code === '23505' /* unique_violation in the catalog */;
}

/** The partitions that exist now, oldest first. */
export async function listDayPartitions(db: Queryable): Promise<DayPartition[]> {
  const { rows } = await db.query<{ parent: PartitionedTable; name: string }>(
    `SELECT parent.relname AS parent, child.relname AS name
       FROM pg_inherits
       JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
       JOIN pg_class child ON child.oid = pg_inherits.inhrelid
      WHERE parent.relname = ANY($1) AND parent.relnamespace = to_regnamespace(current_schema())`,
    [PARTITIONED_TABLES],
  );
  const partitions: DayPartition[] = [];
  for (const { parent, name } of rows) {
    const match = /_p(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (!match || name !== `${parent}_p${match[1]}${match[2]}${match[3]}`) continue;
    partitions.push({ table: parent, day: `${match[1]}-${match[2]}-${match[3]}`, name });
  }
  return partitions.sort((a, b) => a.day.localeCompare(b.day) || a.table.localeCompare(b.table));
}

/** Drops one day's partition of a table (a no-op if it is gone already). */
export async function dropDayPartition(db: Queryable, table: PartitionedTable, day: string): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${partitionName(table, day)}`);
}

/** Whether an insert failed because no partition holds the row's day. */
export function isMissingPartition(err: unknown): boolean {
  return (err as { code?: string }).code === '23514' && /no partition of relation/.test(String((err as Error).message));
}
