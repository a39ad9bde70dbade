import type { FastifyInstance } from 'fastify';
import { Pool } from 'pg';
import { refreshRollups } from '../../activities/events/event-rollups';
import { buildEventsApi } from '../../clients/events-api/events-api';
import { eventsSchema } from '../../infra/config/events-schema';
import { createLogger } from '../../infra/log/logger';
import { useIsolatedTest } from '../harness/isolated-test';

const config = eventsSchema.parse({ site: 'site-a', api: { bodyLimit: 1024 * 1024, maxBatch: 500, maxPageSize: 50 } });
const log = createLogger({ level: 'fatal', pretty: false });
// One clock reading for the file: a body built twice must be the same body.
const now = Date.now();
const minutesAgo = (n: number) => new Date(now - n * 60_000).toISOString();

function event(key: string, overrides: { entity?: Record<string, unknown>; event?: Record<string, unknown>; [field: string]: unknown } = {}) {
  const { entity, event: fields, ...top } = overrides;
  return {
    idempotency_key: key,
    site_id: 'site-a',
    app: { app_id: 'etch', name: 'Etcher', version: '2.1.0' },
    entity: { type: 'job', id: 'job-1', business_key: 'LOT-9', ...entity },
    event: { kind: 'started', at: minutesAgo(30), status: 'running', metrics: {}, ...fields },
    ...top,
  };
}

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

describe('event API (Fastify on loopback, real Postgres)', () => {
  const t = useIsolatedTest();
  let app: FastifyInstance | undefined;
  let base = '';

  async function start(pool: Pool): Promise<void> {
    app = buildEventsApi({ pool, config, log });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  }
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
    const response = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: response.headers };
  }
  const stored = async () => (await t.pool().query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;

  it('ingests, answers a replay as the first time, refuses a changed body with 409, and serves jobs, subjobs and history', async () => {
    await start(t.pool());
    const first = await call('POST', '/v1/event', event('k1'));
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ event_id: expect.stringMatching(/^\d+$/), idempotency_key: 'k1' });
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const replay = await call('POST', '/v1/event', event('k1'));
    expect(replay).toMatchObject({ status: 201, body: first.body });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    const changed = await call('POST', '/v1/event', event('k1', { event: { status: 'failed' } }));
    expect(changed.status).toBe(409);
    expect(changed.body).toMatchObject({ error: 'idempotency_conflict', conflicts: [{ idempotency_key: 'k1', event_id: first.body.event_id }] });
    expect(changed.body.message).toMatch(/already stored with a different body .*a new event needs a new key/);

    const batchBody = {
      events: [
        event('k2', { event: { kind: 'finished', at: minutesAgo(10), status: 'succeeded', metrics: { duration_s: 1200 } } }),
        event('k3', { entity: { type: 'subjob', id: 'step-1', parent_id: 'job-1', sub_key: 'chamber-2' }, event: { at: minutesAgo(20) } }),
        event('k4', { entity: { id: 'job-2' }, app: { app_id: 'litho' }, event: { at: minutesAgo(5), status: 'failed', kind: 'finished' } }),
      ],
    };
    const batch = await call('POST', '/v1/events/batch', batchBody);
    expect(batch).toMatchObject({ status: 201, body: { accepted: 3, event_ids: [expect.any(String), expect.any(String), expect.any(String)] } });
    expect(batch.headers.get('idempotent-replayed')).toBeNull();
    // The batch sent again: the first answer, and how many of it were replays; nothing more stored.
    const batchReplay = await call('POST', '/v1/events/batch', batchBody);
    expect(batchReplay).toMatchObject({ status: 201, body: batch.body });
    expect(batchReplay.headers.get('idempotent-replayed')).toBe('3');
    expect(await stored()).toBe(4);

    const jobs = await call('GET', '/v1/jobs');
    expect(jobs.status).toBe(200);
    expect(jobs.body.jobs.map((job: any) => [job.job_id, job.status, job.events])).toEqual([['job-2', 'failed', 1], ['job-1', 'succeeded', 2]]);
    expect(jobs.body.jobs[1]).toMatchObject({ site_id: 'site-a', app: { app_id: 'etch', name: 'Etcher', version: '2.1.0' }, business_key: 'LOT-9', kind: 'finished', metrics: { duration_s: 1200 } });
    expect((await call('GET', '/v1/jobs?status=failed&app_id=litho')).body.jobs.map((job: any) => job.job_id)).toEqual(['job-2']);
    expect((await call('GET', `/v1/jobs?to=${minutesAgo(7)}`)).body.jobs.map((job: any) => job.job_id)).toEqual(['job-1']);

    // Pages: one job per page, following next_cursor, until there is none.
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Answer = await call('GET', `/v1/jobs?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.jobs.map((job: any) => job.job_id));
      cursor = page.body.next_cursor;
    }
    expect(seen).toEqual(['job-2', 'job-1']);

    const detail = await call('GET', '/v1/jobs/job-1');
    expect(detail.body.job).toMatchObject({ job_id: 'job-1', status: 'succeeded' });
    expect(detail.body.events.map((e: any) => [e.idempotency_key, e.event.status])).toEqual([['k1', 'running'], ['k2', 'succeeded']]);
    expect((await call('GET', '/v1/jobs/nope')).status).toBe(404);

    const subjobs = await call('GET', '/v1/subjobs?job_id=job-1');
    expect(subjobs.body.subjobs).toEqual([expect.objectContaining({ job_id: 'job-1', subjob_id: 'step-1', sub_key: 'chamber-2', status: 'running', events: 1 })]);
    const recent = await call('GET', '/v1/events?limit=2');
    expect(recent.body.events.map((e: any) => e.idempotency_key)).toEqual(['k4', 'k2']);
    expect(recent.body.next_cursor).toEqual(expect.any(String));

    const summary = await call('GET', '/v1/health/summary?window=2h');
    expect(summary.body).toMatchObject({ site_id: 'site-a', jobs: { failed: 1, succeeded: 1 }, recent: { finished: 2, failed: 1, failure_rate: 0.5 } });
    expect(summary.body.slowest.map((job: any) => job.job_id)).toEqual(['job-1', 'job-2']);
    expect(summary.body.slowest[0].seconds).toBeCloseTo(1200, 0);
    // Times the API chose are written as those it stores: to the microsecond.
    const micros = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
    expect([summary.body.from, summary.body.to, summary.body.recent.from]).toEqual([expect.stringMatching(micros), expect.stringMatching(micros), expect.stringMatching(micros)]);

    await refreshRollups(t.pool());
    const stats = await call('GET', `/v1/stats?grain=day&from=${minutesAgo(24 * 60 * 2)}`);
    const total = stats.body.rows.reduce((sum: number, row: any) => sum + row.events, 0);
    expect(total).toBe(4);
    expect((await call('GET', '/v1/stats?grain=hour')).body).toMatchObject({ from: expect.stringMatching(micros), to: expect.stringMatching(micros) });

    const metrics = await call('GET', '/metrics');
    expect(metrics.body).toMatch(/events_ingested_total\{outcome="created"\} 4/);
    expect(metrics.body).toMatch(/events_ingested_total\{outcome="duplicate"\} 4/);
    expect(metrics.body).toMatch(/events_ingested_total\{outcome="conflict"\} 1/);
    expect((await call('GET', '/v1/healthz')).body).toEqual({ status: 'ok', site_id: 'site-a', database: 'ok' });
  });

  it('lists the jobs and subjobs of the last day unless asked for another window, and says which window it listed', async () => {
    await start(t.pool());
    const twoDaysAgo = minutesAgo(2 * 24 * 60);
    const batch = await call('POST', '/v1/events/batch', {
      events: [
        event('old', { entity: { id: 'job-old' }, event: { at: twoDaysAgo } }),
        event('old-step', { entity: { type: 'subjob', id: 'step-1', parent_id: 'job-old' }, event: { at: twoDaysAgo } }),
        event('new', { entity: { id: 'job-new' }, event: { at: minutesAgo(10) } }),
      ],
    });
    expect(batch.status).toBe(201);
    const ids = (answer: Answer, list: string) => answer.body[list].map((row: any) => row.subjob_id ?? row.job_id);
    const dayMs = 24 * 60 * 60_000;

    // Without ?from: the day before ?to, or before now; without ?to, no end (null).
    const recent = await call('GET', '/v1/jobs');
    expect(ids(recent, 'jobs')).toEqual(['job-new']);
    expect(recent.body.to).toBeNull();
    const defaultFrom = Date.parse(recent.body.from);
    expect(defaultFrom).toBeGreaterThanOrEqual(now - dayMs);
    expect(defaultFrom).toBeLessThanOrEqual(Date.now() - dayMs);

    const threeDaysAgo = minutesAgo(3 * 24 * 60);
    const wider = await call('GET', `/v1/jobs?from=${threeDaysAgo}`);
    expect(ids(wider, 'jobs')).toEqual(['job-new', 'job-old']);
    expect(Date.parse(wider.body.from)).toBe(Date.parse(threeDaysAgo));

    const anHourAgo = minutesAgo(60);
    const before = await call('GET', `/v1/jobs?to=${anHourAgo}`);
    expect(before.body).toMatchObject({ jobs: [], next_cursor: null });
    expect([Date.parse(before.body.from), Date.parse(before.body.to)]).toEqual([Date.parse(anHourAgo) - dayMs, Date.parse(anHourAgo)]);

    expect(ids(await call('GET', '/v1/subjobs'), 'subjobs')).toEqual([]);
    const steps = await call('GET', `/v1/subjobs?from=${threeDaysAgo}&job_id=job-old`);
    expect(ids(steps, 'subjobs')).toEqual(['step-1']);
    expect(steps.body.to).toBeNull();
  });

  it('keeps the window it chose for the first page on the later pages, so rows at its start are not lost as the clock moves', async () => {
    await start(t.pool());
    const batch = await call('POST', '/v1/events/batch', { events: [1, 2, 3].map((n) => event(`p${n}`, { entity: { id: `job-${n}` }, event: { at: minutesAgo(n) } })) });
    expect(batch.status).toBe(201);
    const pages: Answer[] = [await call('GET', '/v1/jobs?limit=1')];
    for (let next = pages[0]!.body.next_cursor; next !== null; next = pages.at(-1)!.body.next_cursor) {
      // The clock moves on between pages: a window recomputed for each would start later each time.
      const last = Date.parse(pages.at(-1)!.body.from);
      while (Date.now() - 24 * 60 * 60_000 <= last + 1) await new Promise((resolve) => setImmediate(resolve));
      pages.push(await call('GET', `/v1/jobs?limit=1&cursor=${next}`));
    }
    expect(pages.map((page) => page.body.jobs.map((job: any) => job.job_id))).toEqual([['job-1'], ['job-2'], ['job-3']]);
    expect(new Set(pages.map((page) => page.body.from))).toEqual(new Set([pages[0]!.body.from]));
    // Written as every time the API answers with: to the microsecond.
    expect(pages[0]!.body.from).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    // With ?from the client chose the window; ?from also overrides a window a cursor carries.
    const chosen = await call('GET', `/v1/jobs?limit=1&from=${minutesAgo(2.5)}`);
    expect(chosen.body.jobs.map((job: any) => job.job_id)).toEqual(['job-1']);
    const narrower = await call('GET', `/v1/jobs?limit=1&from=${minutesAgo(1.5)}&cursor=${pages[0]!.body.next_cursor}`);
    expect(narrower.body).toMatchObject({ jobs: [], next_cursor: null });
    const rest = await call('GET', `/v1/jobs?limit=5&from=${minutesAgo(2.5)}&cursor=${chosen.body.next_cursor}`);
    expect(rest.body.jobs.map((job: any) => job.job_id)).toEqual(['job-2']);

    // A jobs cursor is not an events cursor, and a cursor whose window is not a time is no cursor.
    expect((await call('GET', `/v1/events?cursor=${pages[0]!.body.next_cursor}`)).body.message).toMatch(/not a cursor of this list/);
    const forged = Buffer.from(JSON.stringify([minutesAgo(1), 'job-1', '2025-02-30T00:00:00Z'])).toString('base64url');
    expect(await call('GET', `/v1/jobs?cursor=${forged}`)).toMatchObject({ status: 400, body: { message: expect.stringMatching(/not a cursor this API gave out/) } });
  });

  it('answers every kind of bad input with a 4xx that says what is wrong, stores nothing of it, and keeps serving', async () => {
    await start(t.pool());
    const deep = `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    // Bodies JSON.stringify cannot write: raw JSON text in place of the metrics (and of what follows them).
    const withMetrics = (metrics: string) => JSON.stringify(event('k1')).replace('"metrics":{}', `"metrics":${metrics}`);
    const cases: [string, string, unknown, number, RegExp, string?][] = [
      ['malformed JSON', '/v1/event', '{"idempotency_key": "k1",', 400, /not valid JSON/],
      ['JSON with NaN', '/v1/event', '{"a": NaN}', 400, /not valid JSON/],
      ['an empty body', '/v1/event', '', 400, /empty/],
      ['10,000-deep nesting', '/v1/event', deep, 400, /nests deeper than 32 levels/],
      ['missing and extra fields', '/v1/event', { ...event('k1'), colour: 'red', site_id: undefined }, 422, /\$\.site_id: site_id is missing.*unknown field "colour"/],
      ['a day that does not exist', '/v1/event', event('k1', { event: { at: '2025-02-30T10:00:00Z' } }), 422, /2025-02 has 28 days, there is no day 30/],
      ['infinity', '/v1/event', event('k1', { event: { at: 'infinity' } }), 422, /not an RFC 3339 timestamp/],
      ['epoch seconds', '/v1/event', event('k1', { event: { at: 1_764_000_000 } }), 422, /if that is epoch seconds it is 2025-11-24/],
      ['epoch milliseconds', '/v1/event', event('k1', { event: { at: 1_764_000_000_000 } }), 422, /if that is epoch milliseconds/],
      ['far in the future', '/v1/event', event('k1', { event: { at: '2999-01-01T00:00:00Z' } }), 422, /later than now plus the allowed clock skew/],
      ['past retention', '/v1/event', event('k1', { event: { at: '2001-01-01T00:00:00Z' } }), 422, /past retention/],
      ['a metric that overflowed', '/v1/event', withMetrics('{"x":1e999}'), 422, /\$\.event\.metrics\.x: is a number too large/],
      ['a metric that overflowed below', '/v1/event', withMetrics('{"ok":1,"x":-1e999}'), 422, /\$\.event\.metrics\.x: is a number too large/],
      ['NaN in metrics', '/v1/event', withMetrics('{"x":NaN}'), 400, /not valid JSON/],
      ['Infinity in metrics', '/v1/event', withMetrics('{"x":-Infinity}'), 400, /not valid JSON/],
      ['NaN as text in metrics', '/v1/event', withMetrics('{"x":"NaN"}'), 422, /\$\.event\.metrics\.x: a metric must be a number/],
      ['a NUL byte', '/v1/event', event('k1', { event: { kind: 'started', metadata: { note: 'a\u0000b' } } }), 422, /\$\.event\.metadata\.note: contains a NUL character/],
      ['an unpaired surrogate', '/v1/event', withMetrics('{},"metadata":{"note":"half a pair \\ud83d"}'), 422, /\$\.event\.metadata\.note: contains an unpaired UTF-16 surrogate/],
      ['__proto__', '/v1/event', withMetrics('{},"metadata":{"__proto__":{"admin":true}}'), 422, /"__proto__"/],
      ['another site', '/v1/event', event('k1', { site_id: 'site-b' }), 422, /stores the events of site "site-a", not "site-b"/],
      ['text/plain', '/v1/event', 'hello', 415, /Content-Type: application\/json/, 'text/plain'],
      ['an oversized body', '/v1/event', { ...event('k1'), pad: 'x'.repeat(1024 * 1024) }, 413, /larger than this route accepts/],
      ['a batch that is an array', '/v1/events/batch', [event('k1')], 422, /expected an object with "events", got an array/],
      ['a batch of 0', '/v1/events/batch', { events: [] }, 422, /the batch is empty/],
      ['a batch of 1,000,000', '/v1/events/batch', `{"events":[${'{},'.repeat(999_999)}{}]}`, 413, /larger than this route accepts/],
      ['a batch of 501 (over maxBatch)', '/v1/events/batch', { events: Array.from({ length: 501 }, (_, i) => ({ i })) }, 422, /has 501 events, more than the 500/],
      ['a batch with one bad event', '/v1/events/batch', { events: [event('k1'), event('k2', { event: { status: 'done' } }), event('k3')] }, 422, /Nothing of the batch was stored: \$\.events\[1\]\.event\.status/],
      ['duplicates inside a batch', '/v1/events/batch', { events: [event('k1'), event('k2'), event('k1')] }, 422, /\$\.events\[2\]\.idempotency_key: repeats the key of \$\.events\[0\]/],
      ['an unknown route', '/v1/evnt', event('k1'), 404, /No route POST \/v1\/evnt/],
    ];
    for (const [what, path, body, status, message, contentType] of cases) {
      const answer = await call('POST', path, body, contentType);
      expect({ what, status: answer.status, message: answer.body.message }).toEqual({ what, status, message: expect.stringMatching(message) });
    }
    // 1,000,000 small items fit the default 16 MiB limit: then the count is what is refused, before any item is looked at.
    const roomy = buildEventsApi({ pool: t.pool(), config: eventsSchema.parse({ site: 'site-a' }), log });
    try {
      const url = await roomy.listen({ host: '127.0.0.1', port: 0 });
      const answer = await fetch(`${url}/v1/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"events":[${'{},'.repeat(999_999)}{}]}` });
      expect({ status: answer.status, message: ((await answer.json()) as { message: string }).message }).toEqual({ status: 422, message: expect.stringMatching(/has 1000000 events, more than the 10000/) });
    } finally {
      await roomy.close();
    }

    const queries: [string, RegExp][] = [
      ['/v1/jobs?stauts=failed', /\?stauts is not a parameter here/],
      ['/v1/jobs?status=done', /\?status must be one of/],
      ['/v1/jobs?from=2025-02-30T00:00:00Z', /no day 30/],
      ['/v1/jobs?limit=0', /\?limit must be a whole number from 1 to 50/],
      ['/v1/jobs?limit=51', /from 1 to 50/],
      ['/v1/jobs?cursor=garbage', /\?cursor is not a cursor this API gave out/],
      ['/v1/jobs?status=failed&status=running', /given more than once/],
      ['/v1/jobs?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', /must be before/],
      ['/v1/health/summary?window=forever', /\?window must be a duration/],
      ['/v1/stats?grain=year', /\?grain must be one of hour, day, week, month/],
      [`/v1/events?cursor=${Buffer.from(JSON.stringify(['2026-03-01T00:00:00Z', 'x;drop'])).toString('base64url')}`, /not a cursor of this list/],
    ];
    for (const [path, message] of queries) {
      const answer = await call('GET', path);
      expect({ path, status: answer.status, message: answer.body.message }).toEqual({ path, status: 400, message: expect.stringMatching(message) });
    }

    expect(await stored()).toBe(0);
    expect((await call('POST', '/v1/event', event('ok'))).status).toBe(201);
    expect(await stored()).toBe(1);
  });

  it('a batch with one conflicting key stores nothing; concurrent single posts share commits and each gets its own answer', async () => {
    await start(t.pool());
    const firstK1 = await call('POST', '/v1/event', event('k1'));
    const conflicting = await call('POST', '/v1/events/batch', { events: [event('k2'), event('k1', { event: { status: 'queued' } })] });
    expect(conflicting.status).toBe(409);
    expect(conflicting.body).toMatchObject({ error: 'idempotency_conflict', conflicts: [{ index: 1, idempotency_key: 'k1' }] });
    expect(conflicting.body.message).toMatch(/^\$\.events\[1\]: .*Nothing of the batch was stored/);
    expect(await stored()).toBe(1);

    // Replays beside a new event, in another order: each replay gets its stored id, the new one a new id.
    const extended = await call('POST', '/v1/events/batch', { events: [event('k2'), event('k1'), event('k3')] });
    expect(extended.status).toBe(201);
    expect(extended.headers.get('idempotent-replayed')).toBe('1');
    const [k2, k1, k3] = extended.body.event_ids as string[];
    expect(k1).toBe(firstK1.body.event_id);
    expect(new Set([k1, k2, k3]).size).toBe(3);
    expect(await stored()).toBe(3);

    // 300 posts at once: 200 new keys, each posted once or twice, and one conflicting replay of k1.
    const posts = Array.from({ length: 300 }, (_, i) => call('POST', '/v1/event', event(`c${i % 200}`, { entity: { id: `job-c${i % 200}` } })));
    posts.push(call('POST', '/v1/event', event('k1', { event: { status: 'failed' } })));
    const answers = await Promise.all(posts);
    expect(answers.slice(0, 300).every((answer) => answer.status === 201)).toBe(true);
    expect(answers[300]?.status).toBe(409);
    expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true')).toHaveLength(100);
    // A key posted twice got the same id both times.
    expect(answers[0]?.body.event_id).toBe(answers[200]?.body.event_id);
    expect(await stored()).toBe(203);
  });

  it('stores on connections of its own, named in pg_stat_activity, and closes them with the app', async () => {
    await start(t.pool());
    const ingestSessions = async () =>
      (await t.pool().query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'sluice events ingest' AND datname = current_database()")).rows[0].n as number;
    expect((await call('POST', '/v1/event', event('k1'))).status).toBe(201);
    expect(await ingestSessions()).toBe(1);
    await app!.close();
    app = undefined;
    // A closed connection's backend leaves pg_stat_activity when its process exits, just after.
    let open = await ingestSessions();
    for (const deadline = Date.now() + 5_000; open > 0 && Date.now() < deadline; open = await ingestSessions()) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(open).toBe(0);
  });

  it('answers 503 and stores nothing while the database is unreachable, and says so on /v1/healthz', async () => {
    const unreachable = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 500 });
    try {
      await start(unreachable);
      const post = await call('POST', '/v1/event', event('k1'));
      expect(post).toMatchObject({ status: 503, body: { error: 'storage_unavailable', message: expect.stringMatching(/nothing was stored. Retry with the same idempotency keys/) } });
      const health = await call('GET', '/v1/healthz');
      expect(health).toMatchObject({ status: 503, body: { status: 'unavailable', database: expect.stringMatching(/^unreachable: /) } });
    } finally {
      await app?.close();
      app = undefined;
      await unreachable.end();
    }
  });
});
