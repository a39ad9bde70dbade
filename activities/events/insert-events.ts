import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PoolClient, QueryResult } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyBytea, copyField, copyLine } from './copy-text';
import { entityDays, type EntityDay } from './entity-days';
import type { IncomingEvent } from './event-store';

/**
 * Writes a batch of new events, in the caller's transaction, and folds them into the per-day rows
 * of jobs and subjobs and the rollups' dirty hours. Returns each key's new event id.
 *
 * Large batches go in with COPY, the way a bulk load does (an INSERT … SELECT from parameter
 * arrays parsed every array and spent twice as long per row); small ones, the coalesced single
 * posts, as parameter arrays in the upsert's own statement, which saves COPY's two round trips
 * (see beginDrawingIds for why those count). Ids are drawn from the sequence first so that the
 * derived rows can name their latest event. What the batch changes in jobs and subjobs is worked
 * out here (entity-days.ts), one row per entity and day, and upserted in one statement.
 */
export async function insertEvents(client: PoolClient, events: readonly IncomingEvent[], ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length !== events.length) throw new Error(`insertEvents: ${ids.length} ids for ${events.length} events`);
  const stored = events.map(({ event }, index) => ({ event, eventId: ids[index]! }));
  const days = entityDays(stored);
  const hours = dirtyHours(events);
  if (events.length >= COPY_FROM_EVENTS) {
    await pipeline(Readable.from(copyLines(events, ids)), client.query(copyFrom(COPY_EVENTS)));
    await client.query({ name: 'events-upsert-entity-days', text: UPSERT_ENTITY_DAYS, values: entityDayArrays(days, hours) });
  } else {
    await client.query({ name: 'events-insert-and-upsert', text: INSERT_AND_UPSERT, values: [...entityDayArrays(days, hours), ...eventArrays(events, ids)] });
  }
  return new Map(stored.map(({ event, eventId }) => [event.idempotency_key, eventId]));
}

/**
 * From this many events on, COPY. Measured one transaction at a time on PostgreSQL 18: both ways
 * cost the same per batch up to 256 events (21 ms), arrays took 1.4 times as long at 1,000 (56 ms
 * against 39 ms); under load COPY's two extra round trips also wait for the event loop.
 */
export const COPY_FROM_EVENTS = 256;

/**
 * Opens the transaction and draws `count` event ids in one round trip (one simple query of two
 * statements): under load each round trip waits its turn in the API's busy event loop, so a
 * transaction's round trips, more than its work, set how long single events wait.
 */
export async function beginDrawingIds(client: PoolClient, count: number): Promise<string[]> {
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`beginDrawingIds: ${count} is not a positive count`);
  // Two statements answer with one result each; `count` is a checked integer, safe to inline.
  const results = (await client.query(`BEGIN; SELECT nextval('events_event_id_seq')::text AS id FROM generate_series(1, ${count})`)) as unknown as QueryResult<{ id: string }>[];
  return results[1]!.rows.map((row) => row.id);
}

const COPY_EVENTS = `COPY events (event_id, idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id,
                                  business_key, sub_key, kind, at, status, metrics, metadata, body_digest) FROM STDIN`;

/** The COPY text of the events, in chunks of about 64 KiB. */
function* copyLines(events: readonly IncomingEvent[], ids: readonly string[]): Generator<string> {
  let chunk = '';
  for (let i = 0; i < events.length; i++) {
    const { event: e, digest } = events[i]!;
    chunk += copyLine([
      ids[i]!,
      copyField(e.idempotency_key),
      copyField(e.site_id),
      copyField(e.app.app_id),
      copyField(e.app.name),
      copyField(e.app.version),
      e.entity.type,
      copyField(e.entity.id),
      copyField(e.entity.parent_id),
      copyField(e.entity.business_key),
      copyField(e.entity.sub_key),
      copyField(e.event.kind),
      e.event.at.iso,
      e.event.status,
      copyField(JSON.stringify(e.event.metrics)),
      copyField(JSON.stringify(e.event.metadata)),
      copyBytea(digest),
    ]);
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Each hour the events fall in, once (the rollups recompute these). */
function dirtyHours(events: readonly IncomingEvent[]): string[] {
  const hours = new Set<number>();
  for (const { event } of events) hours.add(Math.floor(event.event.at.epochMs / 3_600_000));
  return [...hours].map((hour) => new Date(hour * 3_600_000).toISOString());
}

/** The upsert's parameters $1-$18. */
function entityDayArrays(days: readonly EntityDay[], hours: readonly string[]): unknown[] {
  const column = <T>(pick: (row: EntityDay) => T) => days.map(pick);
  return [
    column((row) => row.type),
    column((row) => row.jobId),
    column((row) => row.subjobId),
    column((row) => row.day),
    column((row) => row.latest.event.site_id),
    column((row) => row.latest.event.app.app_id),
    column((row) => row.latest.event.app.name),
    column((row) => row.latest.event.app.version),
    column((row) => row.businessKey),
    column((row) => row.subKey),
    column((row) => row.latest.event.event.status),
    column((row) => row.latest.event.event.kind),
    column((row) => JSON.stringify(row.latest.event.event.metrics)),
    column((row) => row.firstAt),
    column((row) => row.latest.event.event.at.iso),
    column((row) => row.latest.eventId),
    column((row) => row.events),
    hours,
  ];
}

/** The events as parameters $19-$35 of INSERT_AND_UPSERT, in the order of its column list. */
function eventArrays(events: readonly IncomingEvent[], ids: readonly string[]): unknown[] {
  const column = <T>(pick: (incoming: IncomingEvent) => T) => events.map(pick);
  return [
    ids,
    column(({ event }) => event.idempotency_key),
    column(({ event }) => event.site_id),
    column(({ event }) => event.app.app_id),
    column(({ event }) => event.app.name),
    column(({ event }) => event.app.version),
    column(({ event }) => event.entity.type),
    column(({ event }) => event.entity.id),
    column(({ event }) => event.entity.parent_id ?? null),
    column(({ event }) => event.entity.business_key ?? null),
    column(({ event }) => event.entity.sub_key ?? null),
    column(({ event }) => event.event.kind),
    column(({ event }) => event.event.at.iso),
    column(({ event }) => event.event.status),
    column(({ event }) => JSON.stringify(event.event.metrics)),
    column(({ event }) => JSON.stringify(event.event.metadata)),
    column(({ digest }) => digest),
  ];
}

/** A job's (or subjob's) row for a day takes the state of the day's latest event, by time and then id. */
const latestWins = (table: string, columns: string[]) =>
  columns
    .map((name) => `${name} = CASE WHEN (excluded.last_at, excluded.last_event_id) > (${table}.last_at, ${table}.last_event_id) THEN excluded.${name} ELSE ${table}.${name} END`)
    .join(',\n    ');
const LATEST_STATE = ['site_id', 'app_id', 'app_name', 'app_version', 'status', 'kind', 'metrics', 'last_event_id'];

// Rows are upserted in key order, so two batches touching the same jobs lock them in one order.
const UPSERT_ENTITY_DAYS = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::text[], $10::text[], $11::text[], $12::text[], $13::jsonb[], $14::timestamptz[], $15::timestamptz[],
                       $16::bigint[], $17::int[])
    AS t(entity_type, job_id, subjob_id, day, site_id, app_id, app_name, app_version, business_key, sub_key, status, kind,
         metrics, first_at, last_at, last_event_id, events)
), job_rows AS (
  INSERT INTO jobs AS j (job_id, day, site_id, app_id, app_name, app_version, business_key, status, kind, metrics,
                         first_at, last_at, last_event_id, events)
  SELECT job_id, day, site_id, app_id, app_name, app_version, business_key, status, kind, metrics, first_at, last_at, last_event_id, events
    FROM input WHERE entity_type = 'job'
   ORDER BY job_id, day
  ON CONFLICT (job_id, day) DO UPDATE SET
    ${latestWins('j', [...LATEST_STATE])},
    business_key = coalesce(j.business_key, excluded.business_key),
    first_at = least(j.first_at, excluded.first_at),
    last_at = greatest(j.last_at, excluded.last_at),
    events = j.events + excluded.events
), subjob_rows AS (
  INSERT INTO subjobs AS s (job_id, subjob_id, day, site_id, app_id, app_name, app_version, business_key, sub_key, status, kind,
                            metrics, first_at, last_at, last_event_id, events)
  SELECT job_id, subjob_id, day, site_id, app_id, app_name, app_version, business_key, sub_key, status, kind, metrics,
         first_at, last_at, last_event_id, events
    FROM input WHERE entity_type = 'subjob'
   ORDER BY job_id, subjob_id, day
  ON CONFLICT (job_id, subjob_id, day) DO UPDATE SET
    ${latestWins('s', [...LATEST_STATE])},
    business_key = coalesce(s.business_key, excluded.business_key),
    sub_key = coalesce(s.sub_key, excluded.sub_key),
    first_at = least(s.first_at, excluded.first_at),
    last_at = greatest(s.last_at, excluded.last_at),
    events = s.events + excluded.events
)
INSERT INTO event_rollup_dirty (hour) SELECT unnest($18::timestamptz[])`;

/** The upsert, with the events themselves inserted by the same statement (a data-modifying CTE). */
const INSERT_AND_UPSERT = UPSERT_ENTITY_DAYS.replace(
  'WITH input AS (',
  `WITH new_events AS (
  INSERT INTO events (event_id, idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id,
                      business_key, sub_key, kind, at, status, metrics, metadata, body_digest)
  SELECT event_id, idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id,
         business_key, sub_key, kind, at, status, metrics, metadata, decode(digest, 'hex')
    FROM unnest($19::bigint[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[], $26::text[], $27::text[],
                $28::text[], $29::text[], $30::text[], $31::timestamptz[], $32::text[], $33::jsonb[], $34::jsonb[], $35::text[])
      AS t(event_id, idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id,
           business_key, sub_key, kind, at, status, metrics, metadata, digest)
), input AS (`,
);
