import type { PartitionedTable } from '../events/day-partitions';
import { EVENT_COLUMNS } from './event-rows';
import { JOB_COLUMNS, SUBJOB_COLUMNS } from './job-rows';

/** Column types as DuckDB names them when it reads a correct archive back. */
export type ArchiveColumnType = 'BIGINT' | 'INTEGER' | 'VARCHAR' | 'TIMESTAMP WITH TIME ZONE' | 'DATE';

export interface ArchiveColumn {
  readonly name: string;
  readonly type: ArchiveColumnType;
  readonly nullable: boolean;
  /** A jsonb column, archived as its stored JSON text. */
  readonly json?: true;
}

/** What archival needs to know about one partitioned table. */
export interface ArchiveTable {
  readonly table: PartitionedTable;
  /** In file order. */
  readonly columns: readonly ArchiveColumn[];
  /** The column whose range the manifest records and verification compares. */
  readonly timeColumn: string;
  /** Row order in the file: by time for events (row groups then prune time ranges), else the key. */
  readonly orderBy: readonly string[];
}

export const ARCHIVE_TABLES: Readonly<Record<PartitionedTable, ArchiveTable>> = {
  events: { table: 'events', columns: EVENT_COLUMNS, timeColumn: 'at', orderBy: ['at', 'event_id'] },
  jobs: { table: 'jobs', columns: JOB_COLUMNS, timeColumn: 'last_at', orderBy: ['job_id', 'day'] },
  subjobs: { table: 'subjobs', columns: SUBJOB_COLUMNS, timeColumn: 'last_at', orderBy: ['job_id', 'subjob_id', 'day'] },
};

/** A column name quoted for SQL (Postgres and DuckDB alike); "at" is a keyword in DuckDB. */
export const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
