import type { Pool, PoolClient } from 'pg';

/**
 * The daily range partitions of the data plane's tables: one per table per UTC day, named
 * `<table>_pYYYYMMDD`. Created ahead of time by the upkeep workflow and, for a late or backfilled
 * day, by the ingest that needs one; dropped whole by retention and by archival.
 *
 * Beside them, the monthly partitions of the idempotency keys (event_keys_pYYYYMM, see
 * infra/migrations/…_event-keys.sql): made with the days of their month, dropped with the month's
 * last events partition.
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
 * Creates the partitions of every table for each day that lacks one, and the key partitions of
 * their months; returns the names of those it created. Safe to run concurrently: a partition
 * another session created meanwhile counts as there.
 */
export async function ensureDayPartitions(db: Queryable, days: readonly string[]): Promise<string[]> {
  const existing = new Set([...(await listDayPartitions(db)).map((partition) => partition.name), ...(await keyMonthNames(db))]);
  const created: string[] = [];
  const create = async (table: string, name: string, from: string, to: string) => {
    if (existing.has(name)) return;
    existing.add(name);
    // events and event_keys are partitioned on a timestamptz, the others on a date: an explicit
    // UTC offset makes the bound mean the same whatever the session's TimeZone is.
    try {
      await db.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM ('${from} 00:00:00+00') TO ('${to} 00:00:00+00')`);
      created.push(name);
    } catch (err) {
      // Another session created it between our check and our CREATE: that is what we wanted.
      if (!isAlreadyThere(err)) throw err;
    }
  };
  for (const day of [...new Set(days)].sort()) {
    for (const table of PARTITIONED_TABLES) await create(table, partitionName(table, day), day, addDays(day, 1));
    await create('event_keys', keyMonthName(day), monthStart(day), monthStart(addDays(monthStart(day), 31)));
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

/**
 * Drops one day's partition of a table (a no-op if it is gone already). The last events partition
 * of a month takes the month's keys along: every key there belongs to an event that is gone.
 * Run it in a transaction, so that both go or neither. Dropping an events partition holds an
 * ACCESS EXCLUSIVE lock on `events` to the end of the transaction, so no day of the month can be
 * created or written between the look for the month's other days and the commit.
 */
export async function dropDayPartition(db: Queryable, table: PartitionedTable, day: string): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${partitionName(table, day)}`);
  if (table !== 'events') return;
  const { rows } = await db.query(
    `SELECT FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
      WHERE pg_inherits.inhparent = to_regclass('events') AND child.relname ~ $1 LIMIT 1`,
    [`^events_p${day.slice(0, 4)}${day.slice(5, 7)}\\d\\d$`],
  );
  if (rows.length === 0) await db.query(`DROP TABLE IF EXISTS ${keyMonthName(day)}`);
}

/** The partition of event_keys for the month of `day`. */
export function keyMonthName(day: string): string {
  return `event_keys_p${checkedDay(day).slice(0, 7).replace('-', '')}`;
}

const monthStart = (day: string) => `${checkedDay(day).slice(0, 7)}-01`;

async function keyMonthNames(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT child.relname AS name FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
      WHERE pg_inherits.inhparent = to_regclass('event_keys')`,
  );
  return rows.map((row) => row.name);
}

/** Whether an insert failed because no partition holds the row's day. */
export function isMissingPartition(err: unknown): boolean {
  return (err as { code?: string }).code === '23514' && /no partition of relation/.test(String((err as Error).message));
}
