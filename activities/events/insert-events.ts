import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyBytea, copyField, copyLine } from './copy-text';
import { entityDays, type EntityDay } from './entity-days';
import type { IncomingEvent } from './event-store';

/**
 * Writes a batch of new events, in the caller's transaction, and folds them into the per-day rows
 * of jobs and subjobs and the rollups' dirty hours. Returns each key's new event id.
 *
 * The events go in with COPY, the way a bulk load does (an INSERT … SELECT from parameter arrays
 * parsed every array and spent twice as long per row); their ids are drawn from the sequence first
 * so that the derived rows can name their latest event. What the batch changes in jobs and subjobs
 * is worked out here (entity-days.ts), one row per entity and day, and upserted in one statement.
 */
export async function insertEvents(client: PoolClient, events: readonly IncomingEvent[]): Promise<Map<string, string>> {
  const { rows } = await client.query<{ id: string }>({ name: 'events-draw-ids', text: DRAW_IDS, values: [events.length] });
  const stored = events.map(({ event }, index) => ({ event, eventId: rows[index]!.id }));
  await pipeline(Readable.from(copyLines(events, stored.map(({ eventId }) => eventId))), client.query(copyFrom(COPY_EVENTS)));
  await upsertEntityDays(client, entityDays(stored), dirtyHours(events));
  return new Map(stored.map(({ event, eventId }) => [event.idempotency_key, eventId]));
}

const DRAW_IDS = "SELECT nextval('events_event_id_seq')::text AS id FROM generate_series(1, $1)";

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

async function upsertEntityDays(client: PoolClient, days: readonly EntityDay[], hours: readonly string[]): Promise<void> {
  const column = <T>(pick: (row: EntityDay) => T) => days.map(pick);
  await client.query({
    name: 'events-upsert-entity-days',
    text: UPSERT_ENTITY_DAYS,
    values: [
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
    ],
  });
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
