import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import type { EventsConfig } from '../../infra/config/events-schema';
import { durationMs } from '../../infra/config/duration';
import { createGenericPlanPool } from '../../infra/db/pool';
import { lazyChildLogger } from '../../infra/log/lazy-child-logger';
import type { Logger } from '../../infra/log/logger';
import { ApiError, sendError } from './api-error';
import { createEventsApiMetrics } from './api-metrics';
import { registerHealthRoutes } from './health-routes';
import { registerIngestRoutes } from './ingest-routes';
import { useJsonBodies } from './json-body';
import { registerQueryRoutes } from './query-routes';

export interface EventsApiOptions {
  /** For the queries; the ingest gets a pool like it of its own, closed with the app. */
  readonly pool: Pool;
  readonly config: EventsConfig;
  readonly log: Logger;
}

/** A site's event API (the seed's local API): ingest, jobs and subjobs, health, rollups, metrics. */
export function buildEventsApi({ pool, config, log }: EventsApiOptions): FastifyInstance {
  // pino's Logger is what Fastify's logger type describes, with more typed members.
  const app: FastifyInstance = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // A line per request would drown the log at thousands of events per second; /metrics counts them.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    bodyLimit: config.api.bodyLimit,
    return503OnClosing: true,
  });
  const metrics = createEventsApiMetrics();
  const retentionMs = durationMs(config.retention);
  const skewMs = durationMs(config.api.clockSkew);

  // The ingest statement's plan is the same whatever its arrays hold, yet Postgres planned it anew
  // for every transaction. Planned once per session, a transaction of one event took 1.3-1.5 ms
  // instead of 1.6-1.8, and single posts from 64 connections went from 5,716 to 6,623 requests/s
  // (8 runs of each, alternating). The setting is per session, so the ingest gets sessions of its
  // own, and the queries, whose plans do depend on their filters' values, keep custom plans.
  const ingestPool = createGenericPlanPool(pool, 'sluice events ingest', log);
  app.addHook('onClose', () => ingestPool.end());

  useJsonBodies(app);
  app.addHook('onResponse', async (request, reply) => {
    metrics.request(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => sendError(reply, asApiError(err, request.log)));
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new ApiError(404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}; the API has POST /v1/event, POST /v1/events/batch, GET /v1/jobs, /v1/jobs/:job_id, /v1/subjobs, /v1/events, /v1/healthz, /v1/health/summary, /v1/stats, /metrics.`)),
  );

  registerIngestRoutes(app, {
    pool: ingestPool,
    site: config.site,
    maxBatch: config.api.maxBatch,
    bodyLimit: config.api.bodyLimit,
    metrics,
    timeBounds: () => {
      const now = Date.now();
      return { notBefore: new Date(now - retentionMs), notAfter: new Date(now + skewMs) };
    },
  });
  registerQueryRoutes(app, { pool, maxPageSize: config.api.maxPageSize });
  registerHealthRoutes(app, { pool, site: config.site, metrics });
  return app;
}

/** Fastify's own errors (body too large, wrong media type) in the API's shape; anything unexpected is a logged 500. */
function asApiError(err: FastifyError | ApiError, log: FastifyBaseLogger): ApiError {
  if (err instanceof ApiError) {
    if (err.statusCode >= 500) log.error({ err: err.cause ?? err }, err.message);
    return err;
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'body_too_large', `The body is larger than this route accepts (${err.message}); nothing was stored. Send fewer events per request.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'Send the body as JSON, with Content-Type: application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'empty_body', 'The request body is empty; send a JSON object.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'bad_content_length', 'The Content-Length does not match the body.');
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return new ApiError(err.statusCode, 'bad_request', err.message);
  log.error({ err }, 'event API request failed');
  return new ApiError(500, 'internal_error', 'The server failed to answer; it has logged why.');
}
