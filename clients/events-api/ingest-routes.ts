import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { checkEventBody, type EventBody } from '../../activities/events/event-body';
import { eventDigest } from '../../activities/events/event-digest';
import { storeEvents, type IncomingEvent, type IngestOutcome } from '../../activities/events/event-store';
import type { TimeBounds } from '../../activities/events/event-timestamp';
import { ApiError, invalidBody, summarise, type ApiProblem } from './api-error';
import type { EventsApiMetrics } from './api-metrics';
import { IngestCoalescer } from './ingest-coalescer';

export interface IngestRouteOptions {
  readonly pool: Pool;
  readonly site: string;
  readonly maxBatch: number;
  readonly bodyLimit: number;
  readonly timeBounds: () => TimeBounds;
  readonly metrics: EventsApiMetrics;
}

/** Answered on a replay, with the first answer's status and body. */
const REPLAYED = 'idempotent-replayed';

/**
 * POST /v1/event and POST /v1/events/batch. A body is checked completely before anything is
 * stored; a batch is all-or-nothing: any bad event, repeated key or idempotency conflict and none
 * of it is stored. A replay (same key, same body) answers as the first post did.
 */
export function registerIngestRoutes(app: FastifyInstance, options: IngestRouteOptions): void {
  const { pool, metrics } = options;
  const coalescer = new IngestCoalescer((events) => storeEvents(pool, events, { conflicts: 'skip' }));

  app.post('/v1/event', { bodyLimit: options.bodyLimit }, async (request, reply) => {
    const incoming = checked(request.body, '$', options, options.timeBounds());
    if (!incoming.ok) throw invalidBody(`The event was not stored: ${summarise(incoming.problems)}`, incoming.problems);
    const outcome = await stored(() => coalescer.submit(incoming.event));
    metrics.outcome(outcome.status);
    if (outcome.status === 'conflict') throw conflictError([{ index: undefined, key: incoming.event.event.idempotency_key, outcome }], false);
    if (outcome.status === 'duplicate') reply.header(REPLAYED, 'true');
    return reply.code(201).send({ event_id: (outcome as { eventId: string }).eventId, idempotency_key: incoming.event.event.idempotency_key });
  });

  app.post('/v1/events/batch', { bodyLimit: options.bodyLimit }, async (request, reply) => {
    const events = batchOf(request.body, options.maxBatch);
    // One clock reading for the whole batch: its events are judged alike, and a Date pair per event is not made.
    const bounds = options.timeBounds();
    const problems: ApiProblem[] = [];
    const accepted: IncomingEvent[] = [];
    const firstIndexOfKey = new Map<string, number>();
    events.forEach((body, index) => {
      const incoming = checked(body, `$.events[${index}]`, options, bounds);
      if (!incoming.ok) return problems.push(...incoming.problems);
      const key = incoming.event.event.idempotency_key;
      const first = firstIndexOfKey.get(key);
      if (first !== undefined) return problems.push({ path: `$.events[${index}].idempotency_key`, problem: `repeats the key of $.events[${first}]; each event of a batch needs its own key` });
      firstIndexOfKey.set(key, index);
      accepted.push(incoming.event);
    });
    if (problems.length > 0) throw invalidBody(`Nothing of the batch was stored: ${summarise(problems)}`, problems);

    const outcomes = await stored(() => storeEvents(pool, accepted, { conflicts: 'reject-all' }));
    const conflicts = outcomes.flatMap((outcome, index) => (outcome.status === 'conflict' ? [{ index, key: accepted[index]!.event.idempotency_key, outcome }] : []));
    if (conflicts.length > 0) throw conflictError(conflicts, true);
    for (const outcome of outcomes) metrics.outcome(outcome.status);
    const replayed = outcomes.filter((outcome) => outcome.status === 'duplicate').length;
    if (replayed > 0) reply.header(REPLAYED, String(replayed));
    return reply.code(201).send({ accepted: outcomes.length, event_ids: outcomes.map((outcome) => (outcome as { eventId: string }).eventId) });
  });
}

type Checked = { ok: true; event: IncomingEvent } | { ok: false; problems: ApiProblem[] };

function checked(body: unknown, at: string, options: IngestRouteOptions, bounds: TimeBounds): Checked {
  const result = checkEventBody(body, bounds);
  const under = (path: string) => at + path.slice(1);
  if (!result.ok) return { ok: false, problems: result.problems.map(({ path, problem }) => ({ path: under(path), problem })) };
  const event: EventBody = result.event;
  if (event.site_id !== options.site) {
    return { ok: false, problems: [{ path: under('$.site_id'), problem: `this API stores the events of site "${options.site}", not "${event.site_id}"; post them to that site's API` }] };
  }
  return { ok: true, event: { event, digest: eventDigest(event) } };
}

function batchOf(body: unknown, maxBatch: number): unknown[] {
  const refuse = (path: string, problem: string) => invalidBody(`Nothing was stored: ${path}: ${problem}. A batch is {"events": [ … ]}.`, [{ path, problem }]);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw refuse('$', `expected an object with "events", got ${Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body}`);
  }
  const extra = Object.keys(body).filter((key) => key !== 'events');
  if (extra.length > 0) throw refuse('$', `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((key) => `"${key}"`).join(', ')}`);
  const { events } = body as { events?: unknown };
  if (!Array.isArray(events)) throw refuse('$.events', events === undefined ? 'is missing' : 'must be an array');
  if (events.length === 0) throw refuse('$.events', 'is empty; the batch is empty, send at least one event');
  if (events.length > maxBatch) throw refuse('$.events', `has ${events.length} events, more than the ${maxBatch} one request may carry; split it`);
  return events;
}

function conflictError(conflicts: { index: number | undefined; key: string; outcome: Extract<IngestOutcome, { status: 'conflict' }> }[], batch: boolean): ApiError {
  const first = conflicts[0]!;
  const where = first.index === undefined ? '' : `$.events[${first.index}]: `;
  const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : '';
  return new ApiError(
    409,
    'idempotency_conflict',
    `${where}idempotency_key "${first.key}" was already stored with a different body (event ${first.outcome.eventId} at ${first.outcome.storedAt})${more}. ` +
      `${batch ? 'Nothing of the batch was stored. ' : ''}A retry must send the same body; a new event needs a new key.`,
    { conflicts: conflicts.map(({ index, key, outcome }) => ({ ...(index === undefined ? {} : { index }), idempotency_key: key, event_id: outcome.eventId, stored_at: outcome.storedAt })) },
  );
}

/** Storage failures are the server's, not the client's: a 503 that says to retry. */
async function stored<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new ApiError(503, 'storage_unavailable', 'The database did not take the events; nothing was stored. Retry with the same idempotency keys.', {}, err);
  }
}
