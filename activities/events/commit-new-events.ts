import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PoolClient, QueryResult } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { arrayLiteral, type ArrayElement } from '../../infra/db/array-literal';
import { copyBytea, copyField, copyLine } from './copy-text';
import { entityDays, type EntityDay } from './entity-days';
import { claimCall, keyBuckets } from './claim-keys';
import type { EventBody } from './event-body';
import type { IncomingEvent } from './event-store';

/**
 * Writes a batch of new events and their idempotency keys (event_keys), folds them into the
 * per-day rows of jobs and subjobs and the rollups' dirty hours, claims the keys (claim-keys.ts)
 * and commits, as one transaction. Returns the events' new ids, in the batch's order. If another
 * transaction stored some of the keys first, nothing is stored and the claim's error is thrown
 * (see storedFirst).
 *
 * A batch of up to a few thousand events, such as the coalesced single posts or a client's batch
 * of a thousand, is one statement in an implicit transaction: one round trip, and each round
 * trip waits its turn in the API's busy event loop. Its ids are drawn by the statement itself,
 * which is why what the batch changes in jobs and subjobs (entity-days.ts) names each row's
 * latest event by its position in the batch. Larger batches go in with COPY, the way a bulk load
 * does, since parsing the parameter arrays costs more per row there: BEGIN with the ids drawn,
 * COPY, the upsert and claim, COMMIT.
 */
export async function commitNewEvents(client: PoolClient, events: readonly IncomingEvent[]): Promise<string[]> {
  const bodies = events.map(({ event }) => event);
  const keys = bodies.map((event) => event.idempotency_key);
  const upsertValues = [...entityDayArrays(entityDays(bodies), dirtyHours(bodies)), keyBuckets(keys), keys].map(arrayLiteral);
  if (events.length < COPY_FROM_EVENTS) {
    const values = [...upsertValues, ...eventArrays(events).map(arrayLiteral)];
    const { rows } = await client.query<{ ids: string[] }>({ name: 'events-store-in-one-statement', text: STORE_IN_ONE_STATEMENT, values });
    return rows[0]!.ids;
  }
  const ids = await beginDrawingIds(client, events.length);
  try {
    await pipeline(Readable.from(copyLines(events, ids)), client.query(copyFrom(COPY_EVENTS)));
    const ats = events.map(({ event }) => event.event.at.iso);
    await client.query({ name: 'events-upsert-and-claim', text: UPSERT_AND_CLAIM, values: [...upsertValues, arrayLiteral(ids), arrayLiteral(ats)] });
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return ids;
}

/**
 * From this many events on, COPY. Measured per transaction with two at a time (one per core): one
 * statement took 25 ms for 1,000 events against COPY's 31, and 46 against 54 for 2,000; the two
 * cost the same at 5,000 and 10,000, and at 100,000 COPY took 3.4 s against 5.9.
 */
export const COPY_FROM_EVENTS = 4096;

/** Opens the transaction and draws `count` event ids, in batch order, in one round trip (one simple query of two statements). */
async function beginDrawingIds(client: PoolClient, count: number): Promise<string[]> {
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`beginDrawingIds: ${count} is not a positive count`);
  // Two statements answer with one result each; `count` is a checked integer, safe to inline.
  const results = (await client.query(`BEGIN; SELECT nextval('events_event_id_seq')::text AS id FROM generate_series(1, ${count}) AS i ORDER BY i`)) as unknown as QueryResult<{ id: string }>[];
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
function dirtyHours(events: readonly EventBody[]): string[] {
  const hours = new Set<number>();
  for (const event of events) hours.add(Math.floor(event.event.at.epochMs / 3_600_000));
  return [...hours].map((hour) => new Date(hour * 3_600_000).toISOString());
}

/** Parameters $1-$18 of the upsert. */
function entityDayArrays(days: readonly EntityDay[], hours: readonly string[]): (readonly ArrayElement[])[] {
  const column = <T>(pick: (row: EntityDay) => T) => days.map(pick);
  return [
    column((row) => row.type),
    column((row) => row.jobId),
    column((row) => row.subjobId),
    column((row) => row.day),
    column((row) => row.latest.site_id),
    column((row) => row.latest.app.app_id),
    column((row) => row.latest.app.name),
    column((row) => row.latest.app.version),
    column((row) => row.businessKey),
    column((row) => row.subKey),
    column((row) => row.latest.event.status),
    column((row) => row.latest.event.kind),
    column((row) => JSON.stringify(row.latest.event.metrics)),
    column((row) => row.firstAt),
    column((row) => row.latest.event.at.iso),
    // Postgres' arrays count from 1.
    column((row) => row.latestIndex + 1),
    column((row) => row.events),
    hours,
  ];
}

/** The events' columns but the key ($20) and the id, as parameters $21-$35 of STORE_IN_ONE_STATEMENT. */
function eventArrays(events: readonly IncomingEvent[]): (readonly ArrayElement[])[] {
  const column = <T>(pick: (incoming: IncomingEvent) => T) => events.map(pick);
  return [
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

/**
 * The upsert of the entity days ($1-$17) and dirty hours ($18), the insert of the keys (rows of
 * key, event id and time from `newKeys`), then the claim of the keys ($20, in lock buckets $19),
 * as one statement, with the batch's ids from `drawn` and, optionally, the insert of the events
 * themselves (`newEvents`, a data-modifying CTE). Rows are upserted in key order, so two batches
 * touching the same jobs lock them in one order. The claim is called on the counts of the upserts'
 * and the keys' rows, so it runs after them: a transaction that holds bucket locks then waits for
 * nothing but other bucket locks, and cannot deadlock with the row locks. The events' insert is
 * left uncounted, so Postgres runs it after the claim (a data-modifying CTE nothing reads runs
 * when the query is done). It waits for no ingest's locks: events has no unique key but the drawn
 * ids. Counting it too cost 10 % more Postgres CPU per event in storeEvents alone (33.3 against
 * 30.0 µs, medians of 12 alternating rounds of 40 batches of 1,000); through the whole API (the
 * events-ingest benchmark, 10 alternating rounds) the two orders were within noise of each other.
 */
const upsertAndClaim = (drawn: string, newKeys: string, newEvents?: string) => `
WITH drawn AS (
  ${drawn}
),${newEvents ? ` new_events AS (${newEvents}),` : ''} new_keys AS (
  INSERT INTO event_keys (idempotency_key, event_id, at)
  ${newKeys}
  RETURNING 1
), input AS (
  SELECT t.*, d.ids[t.latest_index] AS last_event_id
    FROM drawn AS d,
         unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::jsonb[], $14::timestamptz[], $15::timestamptz[],
                $16::int[], $17::int[])
           AS t(entity_type, job_id, subjob_id, day, site_id, app_id, app_name, app_version, business_key, sub_key, status, kind,
                metrics, first_at, last_at, latest_index, events)
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
  RETURNING 1
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
  RETURNING 1
), dirty AS (
  INSERT INTO event_rollup_dirty (hour) SELECT unnest($18::timestamptz[])
)
SELECT d.ids::text[] AS ids, ${claimCall('$19', '$20', 'd.ids')}
  FROM drawn AS d, (SELECT count(*) FROM job_rows) AS j, (SELECT count(*) FROM subjob_rows) AS s, (SELECT count(*) FROM new_keys) AS k`;

/** After COPY: the ids the transaction drew ($21), and the events' times ($22) for their keys. */
const UPSERT_AND_CLAIM = upsertAndClaim('SELECT $21::bigint[] AS ids', 'SELECT unnest($20::text[]), unnest($21::bigint[]), unnest($22::timestamptz[])');

/**
 * All of it, the events ($20-$35) included and their ids drawn in batch order; the keys from the
 * same arrays. The arrays are unnested in the select list, where Postgres zips them in step row by
 * row, and not in FROM, where it first copies every row into a tuplestore, nor from the insert's
 * RETURNING, another one: 12 % less Postgres CPU per event (medians of 12 alternating rounds of 40
 * batches of 1,000, 33.3 against 38.0 µs).
 */
const STORE_IN_ONE_STATEMENT = upsertAndClaim(
  `SELECT ARRAY(SELECT nextval('events_event_id_seq') FROM generate_series(1, cardinality($20::text[])) AS i ORDER BY i) AS ids`,
  'SELECT unnest($20::text[]), unnest(d.ids), unnest($31::timestamptz[]) FROM drawn AS d',
  `
  INSERT INTO events (event_id, idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id,
                      business_key, sub_key, kind, at, status, metrics, metadata, body_digest)
  SELECT unnest(d.ids), unnest($20::text[]), unnest($21::text[]), unnest($22::text[]), unnest($23::text[]), unnest($24::text[]),
         unnest($25::text[]), unnest($26::text[]), unnest($27::text[]), unnest($28::text[]), unnest($29::text[]), unnest($30::text[]),
         unnest($31::timestamptz[]), unnest($32::text[]), unnest($33::jsonb[]), unnest($34::jsonb[]), decode(unnest($35::text[]), 'hex')
    FROM drawn AS d
`,
);
