import type { ArchiveColumn } from './archive-tables';

/**
 * The archived columns of jobs and subjobs: all of them, in table order. Timestamps are µs since
 * the epoch on the way out of Postgres (as for events, see event-rows.ts), `day` is a DATE in the
 * file, `events` an INTEGER, and metrics the stored JSON text.
 */
export const JOB_COLUMNS: readonly ArchiveColumn[] = [
  { name: 'job_id', type: 'VARCHAR', nullable: false },
  { name: 'day', type: 'DATE', nullable: false },
  { name: 'site_id', type: 'VARCHAR', nullable: false },
  { name: 'app_id', type: 'VARCHAR', nullable: false },
  { name: 'app_name', type: 'VARCHAR', nullable: false },
  { name: 'app_version', type: 'VARCHAR', nullable: false },
  { name: 'business_key', type: 'VARCHAR', nullable: true },
  { name: 'status', type: 'VARCHAR', nullable: false },
  { name: 'kind', type: 'VARCHAR', nullable: false },
  { name: 'metrics', type: 'VARCHAR', nullable: false, json: true },
  { name: 'first_at', type: 'TIMESTAMP WITH TIME ZONE', nullable: false },
  { name: 'last_at', type: 'TIMESTAMP WITH TIME ZONE', nullable: false },
  { name: 'last_event_id', type: 'BIGINT', nullable: false },
  { name: 'events', type: 'INTEGER', nullable: false },
];

export const SUBJOB_COLUMNS: readonly ArchiveColumn[] = [
  { name: 'job_id', type: 'VARCHAR', nullable: false },
  { name: 'subjob_id', type: 'VARCHAR', nullable: false },
  { name: 'day', type: 'DATE', nullable: false },
  { name: 'site_id', type: 'VARCHAR', nullable: false },
  { name: 'app_id', type: 'VARCHAR', nullable: false },
  { name: 'app_name', type: 'VARCHAR', nullable: false },
  { name: 'app_version', type: 'VARCHAR', nullable: false },
  { name: 'business_key', type: 'VARCHAR', nullable: true },
  { name: 'sub_key', type: 'VARCHAR', nullable: true },
  { name: 'status', type: 'VARCHAR', nullable: false },
  { name: 'kind', type: 'VARCHAR', nullable: false },
  { name: 'metrics', type: 'VARCHAR', nullable: false, json: true },
  { name: 'first_at', type: 'TIMESTAMP WITH TIME ZONE', nullable: false },
  { name: 'last_at', type: 'TIMESTAMP WITH TIME ZONE', nullable: false },
  { name: 'last_event_id', type: 'BIGINT', nullable: false },
  { name: 'events', type: 'INTEGER', nullable: false },
];
