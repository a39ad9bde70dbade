import type { Pool, PoolClient } from 'pg';
import type { EventBody } from './event-body';
import { dayOf, ensureDayPartitions, isMissingPartition } from './day-partitions';
import { isoMicros } from './sql-instant';

/**
 * Stores checked events, and the job and subjob state derived from them, in one transaction.
 *
 * Idempotency: an event whose key is stored already is not stored again. The same body (same
 * digest) is a duplicate and answers with the first event's id; a different body is a conflict.
 * The key cannot be a unique constraint on a partitioned table (see the events migration), so the
 * transaction takes an advisory lock on each key's bucket (in one order, so two batches cannot
 * deadlock) and then looks for the keys across all partitions: two posts of one key take turns.
 */

export interface IncomingEvent {
  readonly event: EventBody;
  /** eventDigest(event) */
  readonly digest: string;
}

export type IngestOutcome =
  | { readonly status: 'created'; readonly eventId: string }
  /** Stored before with the same body: the first event's id. */
  | { readonly status: 'duplicate'; readonly eventId: string }
  /** Stored before with another body: nothing stored for it. */
  | { readonly status: 'conflict'; readonly eventId: string; readonly storedAt: string }
  /** Not stored because another event of its all-or-nothing batch conflicts. */
  | { readonly status: 'rejected' };

export interface StoreOptions {
  /** 'reject-all' stores nothing if any event conflicts (a batch); 'skip' stores the others. */
  readonly conflicts: 'reject-all' | 'skip';
}

/** Advisory lock namespace of the ingest (the migration lock is 7_353_001). */
const KEY_LOCK_NAMESPACE = 7_353_002;
/** Few enough that a batch's locks fit Postgres' lock table beside other sessions'. */
const KEY_LOCK_BUCKETS = 256;
const TRANSIENT = new Set(['40001' /* serialization_failure */, '40P01' /* deadlock_detected */]);

export async function storeEvents(pool: Pool, events: readonly IncomingEvent[], options: StoreOptions): Promise<IngestOutcome[]> {
  const keys = events.map(({ event }) => event.idempotency_key);
  if (new Set(keys).size !== keys.length) throw new Error('storeEvents: idempotency keys repeat within one call; the API refuses such a batch before it gets here');
  if (events.length === 0) return [];
  for (let attempt = 1; ; attempt++) {
    try {
      return await storeOnce(pool, events, options);
    } catch (err) {
      if (isMissingPartition(err) && attempt === 1) {
        // A late, backfilled or archived day: make its partitions, then try once more.
        await ensureDayPartitions(pool, events.map(({ event }) => dayOf(event.event.at.epochMs)));
        continue;
      }
      if (TRANSIENT.has((err as { code?: string }).code ?? '') && attempt < 4) continue;
      throw err;
    }
  }
}

async function storeOnce(pool: Pool, events: readonly IncomingEvent[], options: StoreOptions): Promise<IngestOutcome[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const outcomes = await storeInTransaction(client, events, options);
    await client.query(outcomes.some((outcome) => outcome.status === 'conflict') && options.conflicts === 'reject-all' ? 'ROLLBACK' : 'COMMIT');
    return outcomes;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function storeInTransaction(client: PoolClient, events: readonly IncomingEvent[], options: StoreOptions): Promise<IngestOutcome[]> {
  const keys = events.map(({ event }) => event.idempotency_key);
  const buckets = [...new Set(keys.map(keyBucket))].sort((a, b) => a - b);
  await client.query('SELECT pg_advisory_xact_lock($1, bucket) FROM unnest($2::int[]) AS bucket', [KEY_LOCK_NAMESPACE, buckets]);

  const { rows: stored } = await client.query<{ idempotency_key: string; event_id: string; digest: string; at: string }>(
    // A join rather than "= ANY($1)": with a 1,000-key array the planner costs each key in each
    // of ~100 partitions, and planning took 115 ms of a 5 ms query.
    `SELECT idempotency_key, event_id::text, encode(body_digest, 'hex') AS digest, ${isoMicros('at')} AS at
       FROM unnest($1::text[]) AS wanted(key) JOIN events ON events.idempotency_key = wanted.key`,
    [keys],
  );
  const storedByKey = new Map(stored.map((row) => [row.idempotency_key, row]));
  const outcomes: (IngestOutcome | undefined)[] = events.map(({ event, digest }) => {
    const earlier = storedByKey.get(event.idempotency_key);
    if (!earlier) return undefined;
    return earlier.digest === digest ? { status: 'duplicate', eventId: earlier.event_id } : { status: 'conflict', eventId: earlier.event_id, storedAt: earlier.at };
  });
  if (options.conflicts === 'reject-all' && outcomes.some((outcome) => outcome?.status === 'conflict')) {
    return outcomes.map((outcome) => outcome ?? { status: 'rejected' });
  }
  const fresh = events.filter((_, index) => outcomes[index] === undefined);
  const ids = fresh.length > 0 ? await insertEvents(client, fresh) : new Map<string, string>();
  return events.map(({ event }, index) => outcomes[index] ?? { status: 'created', eventId: ids.get(event.idempotency_key) as string });
}

/** Inserts the events and folds them into jobs, subjobs and the rollups' dirty hours; returns each key's new event id. */
async function insertEvents(client: PoolClient, events: readonly IncomingEvent[]): Promise<Map<string, string>> {
  const column = <T>(pick: (event: EventBody) => T) => events.map(({ event }) => pick(event));
  const { rows } = await client.query<{ idempotency_key: string; event_id: string }>(INSERT_EVENTS, [
    column((e) => e.idempotency_key),
    column((e) => e.site_id),
    column((e) => e.app.app_id),
    column((e) => e.app.name),
    column((e) => e.app.version),
    column((e) => e.entity.type),
    column((e) => e.entity.id),
    column((e) => e.entity.parent_id ?? null),
    column((e) => e.entity.business_key ?? null),
    column((e) => e.entity.sub_key ?? null),
    column((e) => e.event.kind),
    column((e) => e.event.at.iso),
    column((e) => e.event.status),
    column((e) => JSON.stringify(e.event.metrics)),
    column((e) => JSON.stringify(e.event.metadata)),
    events.map(({ digest }) => digest),
  ]);
  return new Map(rows.map((row) => [row.idempotency_key, row.event_id]));
}

/** FNV-1a of the key, reduced to a lock bucket. */
function keyBucket(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % KEY_LOCK_BUCKETS;
}

/** A job's (or subjob's) row for a day takes the state of the day's latest event, by time and then id. */
const latestWins = (table: string, columns: string[]) =>
  columns
    .map((name) => `${name} = CASE WHEN (excluded.last_at, excluded.last_event_id) > (${table}.last_at, ${table}.last_event_id) THEN excluded.${name} ELSE ${table}.${name} END`)
    .join(',\n    ');
const LATEST_STATE = ['site_id', 'app_id', 'app_name', 'app_version', 'status', 'kind', 'metrics', 'last_event_id'];

const INSERT_EVENTS = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
    WITH ORDINALITY AS t(idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id,
                         business_key, sub_key, kind, at, status, metrics, metadata, digest, ord)
), inserted AS (
  INSERT INTO events (idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id,
                      business_key, sub_key, kind, at, status, metrics, metadata, body_digest)
  SELECT idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id,
         business_key, sub_key, kind, at::timestamptz, status, metrics::jsonb, metadata::jsonb, decode(digest, 'hex')
    FROM input ORDER BY ord
  RETURNING event_id, idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id,
            business_key, sub_key, kind, at, status, metrics, (at AT TIME ZONE 'UTC')::date AS day
), entity_days AS (
  -- One row per entity and day: the latest event's state, the day's first time and event count.
  SELECT DISTINCT ON (entity_type, parent_id, entity_id, day) *,
         min(at) OVER w AS first_at, count(*) OVER w AS day_events,
         max(business_key) OVER w AS any_business_key, max(sub_key) OVER w AS any_sub_key
    FROM inserted
  WINDOW w AS (PARTITION BY entity_type, parent_id, entity_id, day)
   ORDER BY entity_type, parent_id, entity_id, day, at DESC, event_id DESC
), job_rows AS (
  INSERT INTO jobs AS j (job_id, day, site_id, app_id, app_name, app_version, business_key, status, kind, metrics,
                         first_at, last_at, last_event_id, events)
  SELECT entity_id, day, site_id, app_id, app_name, app_version, coalesce(business_key, any_business_key), status, kind, metrics,
         first_at, at, event_id, day_events
    FROM entity_days WHERE entity_type = 'job'
   ORDER BY entity_id, day
  ON CONFLICT (job_id, day) DO UPDATE SET
    ${latestWins('j', [...LATEST_STATE])},
    business_key = coalesce(j.business_key, excluded.business_key),
    first_at = least(j.first_at, excluded.first_at),
    last_at = greatest(j.last_at, excluded.last_at),
    events = j.events + excluded.events
), subjob_rows AS (
  INSERT INTO subjobs AS s (job_id, subjob_id, day, site_id, app_id, app_name, app_version, business_key, sub_key, status, kind,
                            metrics, first_at, last_at, last_event_id, events)
  SELECT parent_id, entity_id, day, site_id, app_id, app_name, app_version, coalesce(business_key, any_business_key),
         coalesce(sub_key, any_sub_key), status, kind, metrics, first_at, at, event_id, day_events
    FROM entity_days WHERE entity_type = 'subjob'
   ORDER BY parent_id, entity_id, day
  ON CONFLICT (job_id, subjob_id, day) DO UPDATE SET
    ${latestWins('s', [...LATEST_STATE])},
    business_key = coalesce(s.business_key, excluded.business_key),
    sub_key = coalesce(s.sub_key, excluded.sub_key),
    first_at = least(s.first_at, excluded.first_at),
    last_at = greatest(s.last_at, excluded.last_at),
    events = s.events + excluded.events
), dirty AS (
  INSERT INTO event_rollup_dirty (hour)
  SELECT DISTINCT date_trunc('hour', at, 'UTC') FROM inserted
)
SELECT idempotency_key, event_id::text FROM inserted`;
