import type { FastifyInstance } from 'fastify';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Pool } from 'pg';
import { refreshRollups } from '../../activities/events/event-rollups';
import { buildCentralApi } from '../../clients/central-api/central-api';
import type { CentralSite } from '../../clients/central-api/central-sites';
import { buildEventsApi } from '../../clients/events-api/events-api';
import { eventsSchema } from '../../infra/config/events-schema';
import { createLogger } from '../../infra/log/logger';
import { isolatedDatabaseUrl } from '../harness/isolated-database';
import { useIsolatedTest } from '../harness/isolated-test';

/**
 * The central API over real sites: two event APIs on their own databases, a port nothing listens
 * on, and a server that accepts connections and never answers. The figures are checked against
 * what was ingested and against each live site's own /v1/stats; the dead sites against the clock.
 */

const log = createLogger({ level: 'fatal', pretty: false });
const TIMEOUT_MS = 1000;
// Scheduling noise on a shared 2-core machine; a hang would still blow far past it.
const MARGIN_MS = 1500;
const now = Date.now();
const minutesAgo = (n: number) => new Date(now - n * 60_000).toISOString();
const FROM = new Date(now - 86_400_000).toISOString();
const TO = new Date(now + 3_600_000).toISOString();
/**
 * FROM for day buckets. A window takes the buckets that start in it, and from midnight to 01:40
 * UTC some events fall in yesterday's bucket, which starts before FROM.
 */
const DAY_FROM = `${FROM.slice(0, 10)}T00:00:00.000Z`;

/** One ingested event, in few words: what the expectations are computed from. */
interface Spec {
  key: string;
  app: string;
  type: 'job' | 'subjob';
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  minutesAgo: number;
  duration?: number;
}

const INGESTED: Record<string, Spec[]> = {
  'site-a': [
    { key: 'a1', app: 'etch', type: 'job', id: 'job-a1', status: 'running', minutesAgo: 100 },
    { key: 'a2', app: 'etch', type: 'subjob', id: 'step-1', status: 'running', minutesAgo: 95 },
    { key: 'a3', app: 'etch', type: 'subjob', id: 'step-1', status: 'succeeded', minutesAgo: 85, duration: 60 },
    { key: 'a4', app: 'etch', type: 'job', id: 'job-a1', status: 'succeeded', minutesAgo: 80, duration: 1200 },
    { key: 'a5', app: 'etch', type: 'job', id: 'job-a2', status: 'failed', minutesAgo: 50, duration: 300 },
    { key: 'a6', app: 'litho', type: 'job', id: 'job-a3', status: 'queued', minutesAgo: 20 },
  ],
  'site-b': [
    { key: 'b1', app: 'etch', type: 'job', id: 'job-b1', status: 'succeeded', minutesAgo: 70, duration: 900 },
    { key: 'b2', app: 'litho', type: 'job', id: 'job-b2', status: 'failed', minutesAgo: 10, duration: 30.5 },
    { key: 'b3', app: 'litho', type: 'job', id: 'job-b3', status: 'cancelled', minutesAgo: 40 },
    { key: 'b4', app: 'etch', type: 'job', id: 'job-b4', status: 'running', minutesAgo: 5 },
  ],
};

function body(siteId: string, spec: Spec) {
  return {
    idempotency_key: spec.key,
    site_id: siteId,
    app: { app_id: spec.app, name: spec.app, version: '1.0.0' },
    entity: spec.type === 'job' ? { type: 'job', id: spec.id } : { type: 'subjob', id: spec.id, parent_id: 'job-a1' },
    event: {
      kind: spec.status === 'running' || spec.status === 'queued' ? 'started' : 'finished',
      at: minutesAgo(spec.minutesAgo),
      status: spec.status,
      metrics: spec.duration === undefined ? {} : { duration_s: spec.duration },
    },
  };
}

async function getJson(url: string): Promise<{ status: number; body: any; elapsed: number }> {
  const started = Date.now();
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text, elapsed: Date.now() - started };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('central API across sites (real site APIs on real Postgres, a down site and a silent one)', () => {
  const t = useIsolatedTest();
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  /** A site's event API on its own database, with INGESTED[id] posted and rollups refreshed. */
  async function liveSite(id: string, pool: Pool): Promise<CentralSite> {
    const api: FastifyInstance = buildEventsApi({ pool, config: eventsSchema.parse({ site: id }), log });
    closers.push(() => api.close());
    const url = await api.listen({ host: '127.0.0.1', port: 0 });
    const posted = await fetch(`${url}/v1/events/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: INGESTED[id]!.map((spec) => body(id, spec)) }),
    });
    expect(posted.status).toBe(201);
    await refreshRollups(pool);
    return { id, url };
  }

  async function ownPool(): Promise<Pool> {
    const pool = new Pool({ connectionString: await isolatedDatabaseUrl(), max: 2 });
    closers.push(() => pool.end());
    return pool;
  }

  async function closedPortUrl(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return `http://127.0.0.1:${port}`;
  }

  /** Accepts every connection and never writes a byte back. */
  async function silentServerUrl(): Promise<string> {
    const held = new Set<Socket>();
    const server: Server = createServer((socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function central(sites: CentralSite[]): Promise<string> {
    const app = buildCentralApi({ sites, timeoutMs: TIMEOUT_MS, log });
    closers.push(() => app.close());
    return app.listen({ host: '127.0.0.1', port: 0 });
  }

  async function fleet(): Promise<{ base: string; live: CentralSite[] }> {
    const live = [await liveSite('site-a', t.pool()), await liveSite('site-b', await ownPool())];
    const sites = [...live, { id: 'site-down', url: await closedPortUrl() }, { id: 'site-silent', url: await silentServerUrl() }];
    return { base: await central(sites), live };
  }

  it('aggregates the live sites exactly, and reports the down and the silent site within the timeout', async () => {
    const { base, live } = await fleet();
    const query = `grain=hour&from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`;
    const answer = await getJson(`${base}/v1/jobs/aggregate?${query}`);
    expect(answer.status).toBe(200);
    // The silent site is waited for until the timeout, and not a moment past it plus scheduling noise.
    expect(answer.elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(answer.elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);

    const agg = answer.body;
    expect(agg).toMatchObject({ grain: 'hour', partial: true, app_id: null, entity_type: null });
    expect(agg.sites.map((s: any) => [s.site_id, s.status])).toEqual([['site-a', 'ok'], ['site-b', 'ok'], ['site-down', 'down'], ['site-silent', 'timeout']]);
    expect(agg.sites[2].error).toMatch(/cannot connect \(ECONNREFUSED\); is the site's event API running/);
    expect(agg.sites[3].error).toMatch(/no complete answer within 1000 ms/);
    expect(agg.sites[3].latency_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(agg.sites[0].error).toBeUndefined();

    // Against what was ingested.
    const all = Object.values(INGESTED).flat();
    const byStatus: Record<string, number> = {};
    for (const spec of all) byStatus[spec.status] = (byStatus[spec.status] ?? 0) + 1;
    const durations = all.flatMap((spec) => (spec.duration === undefined ? [] : [spec.duration]));
    expect(agg.totals).toEqual({
      events: all.length,
      finished: all.filter((spec) => ['succeeded', 'failed', 'cancelled'].includes(spec.status)).length,
      failure_rate: byStatus.failed! / (byStatus.succeeded! + byStatus.failed! + byStatus.cancelled!),
      by_status: Object.fromEntries(Object.entries(byStatus).sort()),
      by_entity_type: { job: all.filter((spec) => spec.type === 'job').length, subjob: all.filter((spec) => spec.type === 'subjob').length },
      duration: { count: durations.length, sum: sum(durations), max: Math.max(...durations), mean: sum(durations) / durations.length },
    });
    expect(Object.keys(agg.by_site)).toEqual(['site-a', 'site-b']);
    expect(agg.by_app.litho.events).toBe(all.filter((spec) => spec.app === 'litho').length);

    // Against each live site's own /v1/stats for the same window: per site, and per site per bucket.
    for (const site of live) {
      const direct = await getJson(`${site.url}/v1/stats?${query}`);
      const rows: any[] = direct.body.rows;
      expect(agg.by_site[site.id].events).toBe(sum(rows.map((row) => row.events)));
      expect(agg.by_site[site.id].events).toBe(INGESTED[site.id]!.length);
      expect(agg.by_site[site.id].finished).toBe(sum(rows.map((row) => row.finished)));
      expect(agg.by_site[site.id].duration.sum).toBeCloseTo(sum(rows.map((row) => row.duration_sum)), 9);
      const buckets = [...new Set(rows.map((row) => row.bucket))];
      for (const bucket of buckets) {
        const merged = agg.buckets.find((b: any) => b.bucket === bucket);
        expect(merged.by_site[site.id].events).toBe(sum(rows.filter((row) => row.bucket === bucket).map((row) => row.events)));
      }
      const answered = agg.sites.find((s: any) => s.site_id === site.id);
      expect(answered.rows).toBe(rows.length);
    }
    expect(sum(agg.buckets.map((b: any) => b.events))).toBe(all.length);
    expect(agg.buckets.map((b: any) => b.bucket)).toEqual([...agg.buckets.map((b: any) => b.bucket)].sort());

    // A coarser grain and filters give the same events, fewer buckets.
    const byDay = (await getJson(`${base}/v1/jobs/aggregate?grain=day&from=${encodeURIComponent(DAY_FROM)}&to=${encodeURIComponent(TO)}`)).body;
    expect(byDay.totals).toEqual(agg.totals);
    expect(byDay.buckets.length).toBeLessThanOrEqual(2);
    const etchJobs = (await getJson(`${base}/v1/jobs/aggregate?${query}&app_id=etch&entity_type=job`)).body;
    expect(etchJobs).toMatchObject({ app_id: 'etch', entity_type: 'job' });
    expect(etchJobs.totals.events).toBe(all.filter((spec) => spec.app === 'etch' && spec.type === 'job').length);
    expect(Object.keys(etchJobs.by_app)).toEqual(['etch']);

    // Every outcome is in the central API's metrics, per site.
    const metrics = (await getJson(`${base}/metrics`)).body as string;
    expect(metrics).toMatch(/sluice_central_site_requests_total\{site="site-down",endpoint="stats",outcome="down"\} 3/);
    expect(metrics).toMatch(/sluice_central_site_requests_total\{site="site-silent",endpoint="stats",outcome="timeout"\} 3/);
    expect(metrics).toMatch(/sluice_central_site_requests_total\{site="site-a",endpoint="stats",outcome="ok"\} 3/);
    expect(metrics).toMatch(/sluice_central_site_up\{site="site-b"\} 1/);
    expect(metrics).toMatch(/sluice_central_site_up\{site="site-silent"\} 0/);
    expect((await getJson(`${base}/v1/healthz`)).body).toEqual({ status: 'ok', service: 'central', sites: 4 });
  });

  it('reports each site\'s health and the fleet\'s, within the timeout', async () => {
    const { base, live } = await fleet();
    const answer = await getJson(`${base}/v1/sites/health?window=2h`);
    expect(answer.status).toBe(200);
    expect(answer.elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    const { sites, summary } = answer.body;
    expect(sites.map((s: any) => [s.site_id, s.status])).toEqual([['site-a', 'ok'], ['site-b', 'ok'], ['site-down', 'down'], ['site-silent', 'timeout']]);
    expect(sites[3]).toMatchObject({ database: null, jobs: null, recent: null, error: expect.stringMatching(/no complete answer within 1000 ms/) });

    let finished = 0;
    let failed = 0;
    for (const [index, site] of live.entries()) {
      const direct = (await getJson(`${site.url}/v1/health/summary?window=2h`)).body;
      expect(sites[index]).toMatchObject({ database: 'ok', jobs: direct.jobs, recent: { finished: direct.recent.finished, failed: direct.recent.failed } });
      finished += direct.recent.finished;
      failed += direct.recent.failed;
    }
    // Jobs of the window by latest status: site-a has job-a1 succeeded, job-a2 failed, job-a3 queued.
    expect(sites[0].jobs).toEqual({ failed: 1, queued: 1, succeeded: 1 });
    expect(summary).toEqual({
      status: 'degraded',
      sites_total: 4,
      sites_ok: 2,
      by_status: { ok: 2, degraded: 0, down: 1, timeout: 1, error: 0 },
      reporting_sites: 2,
      jobs: { cancelled: 1, failed: 2, queued: 1, running: 1, succeeded: 2 },
      recent: { finished, failed, failure_rate: failed / finished },
    });
    expect(finished).toBeGreaterThan(0);
  });

  it('says a site is broken when it is not the site config names, and answers bad queries with a 400 that says why', async () => {
    const pool = t.pool();
    const real = await liveSite('site-a', pool);
    const base = await central([{ id: 'site-z', url: real.url }]);

    const misnamed = (await getJson(`${base}/v1/jobs/aggregate`)).body;
    expect(misnamed).toMatchObject({ partial: true, sites: [{ site_id: 'site-z', status: 'error' }], totals: { events: 0 } });
    expect(misnamed.sites[0].error).toMatch(/says it is site "site-a", but central.sites lists this url as "site-z"; fix the id or the url/);
    const health = (await getJson(`${base}/v1/sites/health`)).body;
    expect(health.sites[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/says it is site "site-a"/) });
    expect(health.summary.status).toBe('down');

    const cases: [string, RegExp][] = [
      ['/v1/jobs/aggregate?grain=year', /^\?grain must be one of hour, day, week, month$/],
      ['/v1/jobs/aggregate?from=2025-02-30T00:00:00Z', /^\?from "2025-02-30T00:00:00Z": 2025-02 has 28 days/],
      ['/v1/jobs/aggregate?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z', /^\?from \(.*\) must be before \?to/],
      ['/v1/jobs/aggregate?site=a', /^\?site is not a parameter here/],
      ['/v1/jobs/aggregate?grain=hour&grain=day', /^\?grain is given more than once/],
      ['/v1/jobs/aggregate?grain=hour&from=2000-01-01T00:00:00Z', /hour buckets; at most 10000/],
      ['/v1/jobs/aggregate?entity_type=task', /^\?entity_type must be one of job, subjob/],
      ['/v1/sites/health?window=forever', /^\?window "forever" must be a duration/],
      ['/v1/sites/health?window=1s', /must be a duration from "1m" to "90d"/],
    ];
    for (const [path, message] of cases) {
      const answer = await getJson(`${base}${path}`);
      expect({ path, status: answer.status, error: answer.body.error, message: answer.body.message }).toEqual({ path, status: 400, error: 'invalid_query', message: expect.stringMatching(message) });
    }
    const unknown = await getJson(`${base}/v1/aggregate`);
    expect({ status: unknown.status, message: unknown.body.message }).toEqual({ status: 404, message: expect.stringMatching(/No route GET \/v1\/aggregate; the central API has GET \/v1\/jobs\/aggregate/) });
  });

  it('answers in full, not partial, when every site answers', async () => {
    const site = await liveSite('site-a', t.pool());
    const base = await central([site]);
    const answer = await getJson(`${base}/v1/jobs/aggregate?grain=day&from=${encodeURIComponent(DAY_FROM)}&to=${encodeURIComponent(TO)}`);
    expect(answer.body).toMatchObject({ partial: false, sites: [{ site_id: 'site-a', status: 'ok' }], totals: { events: INGESTED['site-a']!.length } });
    expect((await getJson(`${base}/v1/sites/health`)).body.summary).toMatchObject({ status: 'ok', sites_ok: 1, sites_total: 1 });
  });
});
