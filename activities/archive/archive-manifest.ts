import type { Pool, PoolClient } from 'pg';
import { UserError } from '../../infra/errors/user-error';
import { inTransaction } from '../../infra/db/transaction';
import type { PartitionedTable } from '../events/day-partitions';
import { postgresEpochUs } from './row-text';
import type { ExportSnapshot } from './unchanged-since-export';

/**
 * The archive manifest (table event_archives): which part of which day's partition is where, in
 * which state, and the source figures it was exported with. Every write here is keyed by
 * (table, day, part) and moves a part forward only from the state the step expects, so a retried
 * step finds its own work done instead of doing it twice.
 */

export type PartState = 'planned' | 'uploaded' | 'verified' | 'dropped';

/** What a partition held when it was exported. bigint values as decimal strings: payloads are JSON. */
export interface SourceFigures {
  readonly rows: number;
  /** µs since the epoch; null for an empty partition. */
  readonly minTimeUs: string | null;
  readonly maxTimeUs: string | null;
  /** See row-text.ts. */
  readonly checksum: string;
}

export interface ArchivePart {
  readonly table: PartitionedTable;
  readonly day: string;
  readonly part: number;
  /** Null once an empty partition was exported: there is no object. */
  readonly key: string | null;
  readonly state: PartState;
  readonly figures: SourceFigures | null;
  /** The snapshot those figures were exported from, if recorded: the drop proves from it that nothing changed since. */
  readonly exportedFrom: ExportSnapshot | null;
  readonly bytes: number | null;
  readonly sha256: string | null;
  readonly problem: string | null;
  readonly workflowId: string | null;
  readonly updatedAt: string;
}

export interface PartRef {
  readonly table: PartitionedTable;
  readonly day: string;
  readonly part: number;
}

/** Advisory lock namespace of part numbering (the migration lock is 7_353_001, ingest 7_353_002, rollups 7_353_003). */
const CLAIM_LOCK = 7_353_004;
const MAX_PART = 9999;

const SELECT_PART = `
  SELECT table_name, to_char(day, 'YYYY-MM-DD') AS day, part, object_key, state, rows::text AS rows,
         ${postgresEpochUs('min_time')}::text AS min_time_us, ${postgresEpochUs('max_time')}::text AS max_time_us,
         checksum::text AS checksum, export_relation::text AS export_relation, export_xmin::text AS export_xmin, bytes::text AS bytes, sha256, problem, workflow_id,
         to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at
    FROM event_archives`;

interface PartRow {
  table_name: PartitionedTable;
  day: string;
  part: number;
  object_key: string | null;
  state: PartState;
  rows: string | null;
  min_time_us: string | null;
  max_time_us: string | null;
  checksum: string | null;
  export_relation: string | null;
  export_xmin: string | null;
  bytes: string | null;
  sha256: string | null;
  problem: string | null;
  workflow_id: string | null;
  updated_at: string;
}

function toPart(row: PartRow): ArchivePart {
  const figures = row.rows === null || row.checksum === null ? null : { rows: Number(row.rows), minTimeUs: row.min_time_us, maxTimeUs: row.max_time_us, checksum: row.checksum };
  return {
    table: row.table_name,
    day: row.day,
    part: row.part,
    key: row.object_key,
    state: row.state,
    figures,
    exportedFrom: figures && row.export_relation !== null && row.export_xmin !== null ? { relation: Number(row.export_relation), xmin: row.export_xmin, figures } : null,
    bytes: row.bytes === null ? null : Number(row.bytes),
    sha256: row.sha256,
    problem: row.problem,
    workflowId: row.workflow_id,
    updatedAt: row.updated_at,
  };
}

/**
 * The part of (table, day) that is in flight, or else a new one numbered after the day's parts
 * archived before (a late event re-created the partition). A resumed or retried run gets the same
 * part, and so the same key: an archive is never written twice under two names.
 */
export async function claimPart(pool: Pool, input: { table: PartitionedTable; day: string; workflowId: string; keyOf: (part: number) => string }): Promise<ArchivePart> {
  return inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [CLAIM_LOCK, `${input.table}/${input.day}`]);
    const open = await client.query<PartRow>(`${SELECT_PART} WHERE table_name = $1 AND day = $2 AND state <> 'dropped'`, [input.table, input.day]);
    if (open.rows[0]) {
      await client.query('UPDATE event_archives SET workflow_id = $4, updated_at = now() WHERE table_name = $1 AND day = $2 AND part = $3', [input.table, input.day, open.rows[0].part, input.workflowId]);
      return toPart({ ...open.rows[0], workflow_id: input.workflowId });
    }
    const { rows } = await client.query<{ next: number }>('SELECT coalesce(max(part) + 1, 0) AS next FROM event_archives WHERE table_name = $1 AND day = $2', [input.table, input.day]);
    const part = rows[0]!.next;
    if (part > MAX_PART) {
      throw new UserError(`${input.table} of ${input.day} has ${MAX_PART + 1} archived parts already; no part number is left.`, 'So many late arrivals for one day point at a clock problem at the source; look at what keeps writing to that day.');
    }
    const inserted = await client.query<PartRow>(
      `INSERT INTO event_archives (table_name, day, part, object_key, workflow_id) VALUES ($1, $2, $3, $4, $5)
       RETURNING table_name, to_char(day, 'YYYY-MM-DD') AS day, part, object_key, state, NULL AS rows, NULL AS min_time_us, NULL AS max_time_us,
                 NULL AS checksum, NULL AS export_relation, NULL AS export_xmin, NULL AS bytes, NULL AS sha256, NULL AS problem, workflow_id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at`,
      [input.table, input.day, part, input.keyOf(part), input.workflowId],
    );
    return toPart(inserted.rows[0]!);
  });
}

export async function getPart(db: Pick<Pool | PoolClient, 'query'>, ref: PartRef): Promise<ArchivePart> {
  const { rows } = await db.query<PartRow>(`${SELECT_PART} WHERE table_name = $1 AND day = $2 AND part = $3`, [ref.table, ref.day, ref.part]);
  if (!rows[0]) throw new Error(`no archive part ${ref.part} of ${ref.table} ${ref.day} in the manifest`);
  return toPart(rows[0]);
}

/**
 * The export's figures, the snapshot they were read from (if any) and the object it wrote (none
 * for an empty partition), in one update so that they always belong together; only from planned
 * or uploaded.
 */
export async function recordUploaded(pool: Pool, ref: PartRef, figures: SourceFigures, object: { key: string; bytes: number; sha256: string } | null, snapshot?: ExportSnapshot): Promise<void> {
  await pool.query(
    `UPDATE event_archives
        SET state = 'uploaded', rows = $4, min_time = timestamptz 'epoch' + $5::bigint * interval '1 microsecond', max_time = timestamptz 'epoch' + $6::bigint * interval '1 microsecond', checksum = $7,
            object_key = CASE WHEN $8::text IS NULL THEN NULL ELSE object_key END, bytes = $9, sha256 = $10, export_relation = $11, export_xmin = $12,
            problem = NULL, uploaded_at = now(), updated_at = now()
      WHERE table_name = $1 AND day = $2 AND part = $3 AND state IN ('planned', 'uploaded')`,
    [ref.table, ref.day, ref.part, figures.rows, figures.minTimeUs, figures.maxTimeUs, figures.checksum, object?.key ?? null, object?.bytes ?? 0, object?.sha256 ?? null, snapshot?.relation ?? null, snapshot?.xmin ?? null],
  );
}

export async function recordVerified(pool: Pool, ref: PartRef): Promise<void> {
  await pool.query(
    `UPDATE event_archives SET state = 'verified', problem = NULL, verified_at = now(), updated_at = now()
      WHERE table_name = $1 AND day = $2 AND part = $3 AND state = 'uploaded'`,
    [ref.table, ref.day, ref.part],
  );
}

/** Why a step did not go through; with `reopen`, the part goes back to planned (exported again next run). */
export async function recordProblem(db: Pick<Pool | PoolClient, 'query'>, ref: PartRef, problem: string, options: { reopen?: boolean } = {}): Promise<void> {
  await db.query(
    `UPDATE event_archives SET problem = $4, state = CASE WHEN $5 THEN 'planned' ELSE state END, updated_at = now()
      WHERE table_name = $1 AND day = $2 AND part = $3 AND state <> 'dropped'`,
    [ref.table, ref.day, ref.part, problem, Boolean(options.reopen)],
  );
}

/** In the drop's transaction. */
export async function markDropped(client: PoolClient, ref: PartRef): Promise<void> {
  await client.query(
    // clock_timestamp(): the moment of the drop, not the start of its transaction (which spent the re-check).
    `UPDATE event_archives SET state = 'dropped', problem = NULL, dropped_at = clock_timestamp(), updated_at = clock_timestamp()
      WHERE table_name = $1 AND day = $2 AND part = $3 AND state = 'verified'`,
    [ref.table, ref.day, ref.part],
  );
}

export interface ManifestFilter {
  readonly from?: string;
  readonly to?: string;
  readonly tables?: readonly PartitionedTable[];
}

/** Every part in the filter, by day, table and part. */
export async function listParts(pool: Pool, filter: ManifestFilter = {}): Promise<ArchivePart[]> {
  const { rows } = await pool.query<PartRow>(
    `${SELECT_PART}
      WHERE ($1::date IS NULL OR day >= $1) AND ($2::date IS NULL OR day <= $2) AND ($3::text[] IS NULL OR table_name = ANY($3))
      ORDER BY day, table_name, part`,
    [filter.from ?? null, filter.to ?? null, filter.tables ?? null],
  );
  return rows.map(toPart);
}
