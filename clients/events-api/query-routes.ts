import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { microsecondIso } from '../../activities/events/event-timestamp';
import { ApiError } from './api-error';
import { listEvents, listJobs, listSubjobs, type EntityFilter } from './job-queries';
import { encodeCursor, QueryParams, type PageCursor } from './query-params';

export interface QueryRouteOptions {
  readonly pool: Pool;
  readonly maxPageSize: number;
}

const DAY_MS = 86_400_000;
const EARLIEST = '1970-01-01T00:00:00.000000Z';
const LATEST = '9999-12-31T00:00:00.000000Z';

/**
 * GET /v1/jobs, /v1/jobs/:job_id (its state and event history), /v1/subjobs and /v1/events.
 * Lists are newest first, a page at a time; `next_cursor` fetches the next page.
 */
export function registerQueryRoutes(app: FastifyInstance, { pool, maxPageSize }: QueryRouteOptions): void {
  /** The filter of a job or subjob list, and the window's start if the API chose it. */
  const entityFilter = (params: QueryParams): { filter: EntityFilter; chosenFrom?: string } => {
    const to = params.time('to')?.iso ?? LATEST;
    const after = params.cursor();
    const given = params.time('from')?.iso;
    // Without ?from, the last day: a list of every job ever is rarely what is wanted, and costly.
    // Later pages keep the first page's window (its cursor carries it): were it recomputed, it
    // would move on with the clock, and the rows at its start would fall out before their page.
    const chosenFrom = given === undefined ? (after?.windowFrom ?? microsecondIso(Math.min(Date.now(), Date.parse(to)) - DAY_MS)) : undefined;
    const from = given ?? chosenFrom!;
    if (from >= to) throw new ApiError(400, 'invalid_query', `?from (${from}) must be before ?to (${to})`);
    const filter = { from, to, status: params.status(), appId: params.text('app_id'), siteId: params.text('site_id'), limit: params.limit(maxPageSize), after };
    return { filter, chosenFrom };
  };
  const page = <T>(name: string, result: { items: T[]; next?: PageCursor }, windowFrom?: string) => ({
    [name]: result.items,
    next_cursor: result.next ? encodeCursor({ ...result.next, ...(windowFrom === undefined ? {} : { windowFrom }) }) : null,
  });
  // The window a list covered, so that an empty answer says why (`to` is null when unbounded).
  const windowOf = ({ from, to }: EntityFilter) => ({ from, to: to === LATEST ? null : to });

  app.get('/v1/jobs', async (request) => {
    const params = QueryParams.read(request.query, ['from', 'to', 'status', 'app_id', 'site_id', 'limit', 'cursor']);
    const { filter, chosenFrom } = entityFilter(params);
    return { ...windowOf(filter), ...page('jobs', await listJobs(pool, filter), chosenFrom) };
  });

  app.get<{ Params: { job_id: string } }>('/v1/jobs/:job_id', async (request) => {
    const params = QueryParams.read(request.query, ['limit', 'cursor']);
    const jobId = request.params.job_id;
    const [state, history] = await Promise.all([
      listJobs(pool, { from: EARLIEST, to: LATEST, jobId, limit: 1 }),
      listEvents(pool, { entityType: 'job', entityId: jobId, order: 'asc', limit: params.limit(maxPageSize), after: eventCursor(params) }),
    ]);
    const job = state.items[0];
    if (!job) throw new ApiError(404, 'not_found', `No job "${jobId}" is stored at this site (archived days are in the Parquet archive).`);
    return { job, ...page('events', history) };
  });

  app.get('/v1/subjobs', async (request) => {
    const params = QueryParams.read(request.query, ['from', 'to', 'status', 'app_id', 'site_id', 'job_id', 'limit', 'cursor']);
    const { filter, chosenFrom } = entityFilter(params);
    return { ...windowOf(filter), ...page('subjobs', await listSubjobs(pool, { ...filter, jobId: params.text('job_id') }), chosenFrom) };
  });

  app.get('/v1/events', async (request) => {
    const params = QueryParams.read(request.query, ['from', 'to', 'entity_type', 'entity_id', 'status', 'app_id', 'order', 'limit', 'cursor']);
    const from = params.time('from')?.iso;
    const to = params.time('to')?.iso;
    if (from && to && from >= to) throw new ApiError(400, 'invalid_query', `?from (${from}) must be before ?to (${to})`);
    const entityType = params.text('entity_type');
    if (entityType !== undefined && entityType !== 'job' && entityType !== 'subjob') throw new ApiError(400, 'invalid_query', '?entity_type must be job or subjob');
    return page(
      'events',
      await listEvents(pool, {
        from,
        to,
        entityType,
        entityId: params.text('entity_id'),
        status: params.status(),
        appId: params.text('app_id'),
        order: params.oneOf('order', ['desc', 'asc'] as const, 'desc'),
        limit: params.limit(maxPageSize),
        after: eventCursor(params),
      }),
    );
  });
}

/** An event cursor's id is an event id. */
function eventCursor(params: QueryParams): PageCursor | undefined {
  const cursor = params.cursor();
  if (cursor && (!/^\d{1,18}$/.test(cursor.id) || cursor.windowFrom !== undefined)) throw new ApiError(400, 'invalid_query', '?cursor is not a cursor of this list; pass next_cursor from the previous page unchanged');
  return cursor;
}
