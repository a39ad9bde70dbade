import type { Pool } from 'pg';
import { isoMicros } from '../../activities/events/sql-instant';
import type { PageCursor } from './query-params';

/**
 * Reads of jobs, subjobs and events. A job has a row per day it had events (see the events
 * migration); these queries merge a job's rows within the asked days into its latest state.
 * Pages are keyset pages, newest first: (last_at, id) of the last row is the cursor.
 */

export interface EntityFilter {
  /** Activity (last event) at or after this, µs ISO. */
  readonly from: string;
  /** …and before this. */
  readonly to: string;
  readonly status?: string;
  readonly appId?: string;
  readonly siteId?: string;
  readonly jobId?: string;
  readonly limit: number;
  readonly after?: PageCursor;
}

export interface Page<T> {
  readonly items: T[];
  /** Where the next page starts, if there is one. */
  readonly next?: PageCursor;
}

/** The columns of a job's (or subjob's) state that come from its latest event. */
const STATE = `site_id, app_id, app_name, app_version, status, kind, metrics, last_at, last_event_id`;

export interface JobView {
  job_id: string;
  site_id: string;
  app: { app_id: string; name: string; version: string };
  business_key: string | null;
  status: string;
  kind: string;
  metrics: Record<string, number>;
  first_at: string;
  last_at: string;
  events: number;
}

export interface SubjobView extends JobView {
  subjob_id: string;
  sub_key: string | null;
}

interface StateRow {
  job_id: string;
  subjob_id?: string;
  site_id: string;
  app_id: string;
  app_name: string;
  app_version: string;
  business_key: string | null;
  sub_key?: string | null;
  status: string;
  kind: string;
  metrics: Record<string, number>;
  first_at: string;
  last_at: string;
  events: number;
}

function view(row: StateRow): JobView & Partial<SubjobView> {
  return {
    job_id: row.job_id,
    ...(row.subjob_id === undefined ? {} : { subjob_id: row.subjob_id, sub_key: row.sub_key ?? null }),
    site_id: row.site_id,
    app: { app_id: row.app_id, name: row.app_name, version: row.app_version },
    business_key: row.business_key,
    status: row.status,
    kind: row.kind,
    metrics: row.metrics,
    first_at: row.first_at,
    last_at: row.last_at,
    events: row.events,
  };
}

/** The merged state of each job (or subjob) active in the filter's days, filtered, one page. */
async function listStates(pool: Pool, table: 'jobs' | 'subjobs', filter: EntityFilter): Promise<Page<StateRow>> {
  const key = table === 'jobs' ? 'job_id' : 'job_id, subjob_id';
  const id = table === 'jobs' ? 'job_id' : `job_id || '/' || subjob_id`;
  const { rows } = await pool.query<StateRow & { sort_at: string; sort_id: string }>(
    `WITH days AS (
       SELECT * FROM ${table}
        WHERE day >= ($1::timestamptz AT TIME ZONE 'UTC')::date AND day <= ($2::timestamptz AT TIME ZONE 'UTC')::date
          AND ($8::text IS NULL OR job_id = $8)
     ), latest AS (
       SELECT DISTINCT ON (${key}) ${key}, ${STATE} FROM days ORDER BY ${key}, last_at DESC, last_event_id DESC
     ), spans AS (
       SELECT ${key}, min(first_at) AS first_at, sum(events)::int AS events, max(business_key) AS business_key
              ${table === 'subjobs' ? ', max(sub_key) AS sub_key' : ''}
         FROM days GROUP BY ${key}
     )
     SELECT latest.*, spans.business_key, ${table === 'subjobs' ? 'spans.sub_key,' : ''} spans.events,
            ${isoMicros('spans.first_at')} AS first_at, ${isoMicros('latest.last_at')} AS last_at, ${isoMicros('latest.last_at')} AS sort_at, ${id} AS sort_id
       FROM latest JOIN spans USING (${key})
      WHERE latest.last_at >= $1 AND latest.last_at < $2
        AND ($3::text IS NULL OR latest.status = $3) AND ($4::text IS NULL OR latest.app_id = $4) AND ($5::text IS NULL OR latest.site_id = $5)
        AND ($6::timestamptz IS NULL OR (latest.last_at, ${id}) < ($6, $7::text))
      ORDER BY latest.last_at DESC, sort_id DESC
      LIMIT $9`,
    [filter.from, filter.to, filter.status ?? null, filter.appId ?? null, filter.siteId ?? null, filter.after?.at ?? null, filter.after?.id ?? null, filter.jobId ?? null, filter.limit + 1],
  );
  const items = rows.slice(0, filter.limit);
  const last = items[items.length - 1] as (typeof rows)[number] | undefined;
  return { items, ...(rows.length > filter.limit && last ? { next: { at: last.sort_at, id: last.sort_id } } : {}) };
}

export async function listJobs(pool: Pool, filter: EntityFilter): Promise<Page<JobView>> {
  const page = await listStates(pool, 'jobs', filter);
  return { ...page, items: page.items.map(view) };
}

export async function listSubjobs(pool: Pool, filter: EntityFilter): Promise<Page<SubjobView>> {
  const page = await listStates(pool, 'subjobs', filter);
  return { ...page, items: page.items.map((row) => view(row) as SubjobView) };
}

export interface EventView {
  event_id: string;
  idempotency_key: string;
  site_id: string;
  app: { app_id: string; name: string; version: string };
  entity: { type: string; id: string; parent_id: string | null; business_key: string | null; sub_key: string | null };
  event: { kind: string; at: string; status: string; metrics: Record<string, number>; metadata: Record<string, unknown> };
  received_at: string;
}

export interface EventFilter {
  readonly from?: string;
  readonly to?: string;
  readonly entityType?: 'job' | 'subjob';
  readonly entityId?: string;
  readonly status?: string;
  readonly appId?: string;
  readonly limit: number;
  /** Newest first (a page of recent events), or oldest first (a job's history, following a tail). */
  readonly order: 'desc' | 'asc';
  readonly after?: PageCursor;
}

export async function listEvents(pool: Pool, filter: EventFilter): Promise<Page<EventView>> {
  const direction = filter.order === 'asc' ? '>' : '<';
  const { rows } = await pool.query(
    `SELECT event_id::text, idempotency_key, site_id, app_id, app_name, app_version, entity_type, entity_id, parent_id, business_key, sub_key,
            kind, ${isoMicros('at')} AS at, status, metrics, metadata, ${isoMicros('received_at')} AS received_at
       FROM events
      WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2)
        AND ($3::text IS NULL OR entity_type = $3) AND ($4::text IS NULL OR entity_id = $4)
        AND ($5::text IS NULL OR status = $5) AND ($6::text IS NULL OR app_id = $6)
        AND ($7::timestamptz IS NULL OR (at, event_id) ${direction} ($7, $8::bigint))
      ORDER BY at ${filter.order}, event_id ${filter.order}
      LIMIT $9`,
    [filter.from ?? null, filter.to ?? null, filter.entityType ?? null, filter.entityId ?? null, filter.status ?? null, filter.appId ?? null, filter.after?.at ?? null, filter.after?.id ?? null, filter.limit + 1],
  );
  const items: EventView[] = rows.slice(0, filter.limit).map((row) => ({
    event_id: row.event_id,
    idempotency_key: row.idempotency_key,
    site_id: row.site_id,
    app: { app_id: row.app_id, name: row.app_name, version: row.app_version },
    entity: { type: row.entity_type, id: row.entity_id, parent_id: row.parent_id, business_key: row.business_key, sub_key: row.sub_key },
    event: { kind: row.kind, at: row.at, status: row.status, metrics: row.metrics, metadata: row.metadata },
    received_at: row.received_at,
  }));
  const last = items[items.length - 1];
  return { items, ...(rows.length > filter.limit && last ? { next: { at: last.event.at, id: last.event_id } } : {}) };
}
