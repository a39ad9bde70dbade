import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { ROLLUP_GRAINS } from '../../activities/events/event-rollups';
import { microsecondIso } from '../../activities/events/event-timestamp';
import { parseDuration } from '../../infra/config/duration';
import { ApiError } from './api-error';
import type { EventsApiMetrics } from './api-metrics';
import { healthSummary, rollupRows } from './health-queries';
import { QueryParams } from './query-params';

export interface HealthRouteOptions {
  readonly pool: Pool;
  readonly site: string;
  readonly metrics: EventsApiMetrics;
  /** How long /v1/healthz waits for the database. */
  readonly databaseTimeoutMs?: number;
}

/** GET /v1/healthz, /v1/health/summary, /v1/stats (rollups) and /metrics. */
export function registerHealthRoutes(app: FastifyInstance, { pool, site, metrics, databaseTimeoutMs = 2000 }: HealthRouteOptions): void {
  app.get('/v1/healthz', async (request, reply) => {
    QueryParams.read(request.query, []);
    const database = await databaseAnswers(pool, databaseTimeoutMs);
    return reply.code(database === 'ok' ? 200 : 503).send({ status: database === 'ok' ? 'ok' : 'unavailable', site_id: site, database });
  });

  app.get('/v1/health/summary', async (request) => {
    const params = QueryParams.read(request.query, ['window']);
    const window = params.text('window') ?? '24h';
    const ms = parseDuration(window);
    if (ms === undefined || ms < 60_000 || ms > 90 * 86_400_000) throw new ApiError(400, 'invalid_query', '?window must be a duration from "1m" to "90d", such as "1h" or "24h"');
    const to = new Date();
    return { site_id: site, ...(await healthSummary(pool, new Date(to.getTime() - ms), to)) };
  });

  app.get('/v1/stats', async (request) => {
    const params = QueryParams.read(request.query, ['grain', 'from', 'to', 'app_id']);
    const grain = params.oneOf('grain', ROLLUP_GRAINS, 'hour');
    const to = params.time('to')?.iso ?? microsecondIso(Date.now());
    const from = params.time('from')?.iso ?? microsecondIso(Date.parse(to) - 86_400_000);
    if (from >= to) throw new ApiError(400, 'invalid_query', `?from (${from}) must be before ?to (${to})`);
    return { site_id: site, grain, from, to, rows: await rollupRows(pool, grain, from, to, params.text('app_id')) };
  });

  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
}

async function databaseAnswers(pool: Pool, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([pool.query('SELECT 1').then(() => 'ok', (err: Error) => `unreachable: ${err.message}`), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
