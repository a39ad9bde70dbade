/**
 * The event row that archival writes to Parquet: one field per column, named as the column is.
 *
 * Timestamps are microseconds since the Unix epoch (UTC) as bigint: Postgres keeps microseconds and
 * a JS Date only milliseconds, so a Date would lose them on the way to the archive and the
 * read-back check would then (rightly) fail. event_id is a bigint because the column is a BIGINT.
 * metrics and metadata are the JSON text as stored, never parsed and re-serialised, so the archive
 * holds exactly the bytes that were ingested.
 */
export type EntityType = 'job' | 'subjob';

export interface EventRow {
  readonly event_id: bigint;
  readonly idempotency_key: string;
  readonly site_id: string;
  readonly app_id: string;
  readonly app_name: string;
  readonly app_version: string;
  readonly entity_type: EntityType;
  readonly entity_id: string;
  readonly parent_id: string | null;
  readonly business_key: string | null;
  readonly sub_key: string | null;
  readonly kind: string;
  /** When the event happened: µs since the epoch, UTC. */
  readonly at: bigint;
  readonly status: string;
  /** JSON text: an object of numbers. */
  readonly metrics: string;
  /** JSON text: an object of short strings. */
  readonly metadata: string;
  /** When the site's API stored it: µs since the epoch, UTC. */
  readonly received_at: bigint;
}

/**
 * Column types as DuckDB names them (what `DESCRIBE SELECT * FROM read_parquet(...)` answers for a
 * correct archive). In Parquet: BIGINT is INT64; VARCHAR is BYTE_ARRAY with the STRING logical type
 * (the JSON columns too: JSON text in a VARCHAR); TIMESTAMP WITH TIME ZONE is INT64 with the
 * TIMESTAMP(isAdjustedToUTC = true, unit = MICROS) logical type.
 */
export type EventColumnType = 'BIGINT' | 'VARCHAR' | 'TIMESTAMP WITH TIME ZONE';

export interface EventColumn {
  readonly name: keyof EventRow;
  readonly type: EventColumnType;
  readonly nullable: boolean;
  /** The VARCHAR holds JSON text. */
  readonly json?: true;
}

/** The archived columns, in file order. */
export const EVENT_COLUMNS: readonly EventColumn[] = [
  { name: 'event_id', type: 'BIGINT', nullable: false },
  { name: 'idempotency_key', type: 'VARCHAR', nullable: false },
  { name: 'site_id', type: 'VARCHAR', nullable: false },
  { name: 'app_id', type: 'VARCHAR', nullable: false },
  { name: 'app_name', type: 'VARCHAR', nullable: false },
  { name: 'app_version', type: 'VARCHAR', nullable: false },
  { name: 'entity_type', type: 'VARCHAR', nullable: false },
  { name: 'entity_id', type: 'VARCHAR', nullable: false },
  { name: 'parent_id', type: 'VARCHAR', nullable: true },
  { name: 'business_key', type: 'VARCHAR', nullable: true },
  { name: 'sub_key', type: 'VARCHAR', nullable: true },
  { name: 'kind', type: 'VARCHAR', nullable: false },
  { name: 'at', type: 'TIMESTAMP WITH TIME ZONE', nullable: false },
  { name: 'status', type: 'VARCHAR', nullable: false },
  { name: 'metrics', type: 'VARCHAR', nullable: false, json: true },
  { name: 'metadata', type: 'VARCHAR', nullable: false, json: true },
  { name: 'received_at', type: 'TIMESTAMP WITH TIME ZONE', nullable: false },
];
