import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '../../infra/log/logger';
import { ApiError, sendError } from '../events-api/api-error';
import { registerAggregateRoute } from './aggregate-route';
import { createCentralMetrics } from './central-metrics';
import { siteListProblems, type CentralSite } from './central-sites';
import type { SiteFetch } from './site-call';
import { createSiteClient } from './site-client';
import { registerSitesHealthRoute } from './sites-health-route';

export interface CentralApiOptions {
  readonly sites: readonly CentralSite[];
  /** Each site's whole answer must arrive within this, or the site is reported as timed out. */
  readonly timeoutMs: number;
  readonly log: Logger;
  /** How sites are called; Node's fetch unless a test passes another. */
  readonly fetch?: SiteFetch;
  /** Largest answer read from one site. */
  readonly maxSiteBytes?: number;
}

/**
 * The central API (the seed's): one view across the sites in central.sites, read from their event
 * APIs at request time. It keeps no state of its own, so any number of them can run side by side.
 */
export function buildCentralApi({ sites, timeoutMs, log, fetch = globalThis.fetch, maxSiteBytes = 64 * 1024 * 1024 }: CentralApiOptions): FastifyInstance {
  const problems = siteListProblems(sites);
  if (problems.length > 0) throw new Error(`The central API's site list is wrong: ${problems.join('; ')}`);
  if (!(timeoutMs > 0)) throw new Error(`The central API's site timeout must be positive, got ${timeoutMs} ms`);

  const app: FastifyInstance = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Per-request lines would drown the per-site outcome lines that matter; metrics count requests.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  const metrics = createCentralMetrics();
  const client = createSiteClient({ fetch, timeoutMs, maxBytes: maxSiteBytes, metrics, log });

  app.addHook('onResponse', async (request, reply) => {
    metrics.request(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) return sendError(reply, err);
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return sendError(reply, new ApiError(err.statusCode, 'bad_request', err.message));
    request.log.error({ err }, 'central API request failed');
    return sendError(reply, new ApiError(500, 'internal_error', 'The central API failed to answer; it has logged why.'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new ApiError(404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}; the central API has GET /v1/jobs/aggregate, /v1/sites/health, /v1/healthz, /metrics.`)),
  );

  registerAggregateRoute(app, sites, client);
  registerSitesHealthRoute(app, sites, client);
  // The central API itself: up if it answers. Whether the sites are is /v1/sites/health.
  app.get('/v1/healthz', async () => ({ status: 'ok', service: 'central', sites: sites.length }));
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  return app;
}
