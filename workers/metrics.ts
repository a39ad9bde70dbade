import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WeatherMetrics } from '../activities/ingest/weather-metrics';
import { UserError } from '../infra/errors/user-error';
import type { Logger } from '../infra/log/logger';

/**
 * The cloud worker's Prometheus metrics (the seed's names), counted where the work happens: the
 * ingest and purge activities. Served on /metrics by startMetricsServer.
 */
export function createWeatherMetrics(registry: Registry): WeatherMetrics {
  const runs = new Counter({ name: 'ingestion_runs_total', help: 'ingestCycle runs finished, by source and status (success, partial, failed)', labelNames: ['model', 'status'], registers: [registry] });
  const files = new Counter({ name: 'files_ingested_total', help: 'Source files ingested into the catalog', labelNames: ['model'], registers: [registry] });
  const duration = new Histogram({
    name: 'ingestion_duration_seconds',
    help: 'Duration of ingestCycle runs',
    labelNames: ['model'],
    buckets: [1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  const purgedFiles = new Counter({ name: 'purge_files_deleted_total', help: 'Objects deleted by the retention purge', registers: [registry] });
  const purgedBytes = new Counter({ name: 'purge_bytes_freed_total', help: 'Bytes freed by the retention purge', registers: [registry] });
  return {
    fileIngested: (model) => files.inc({ model }),
    ingestRun: (model, status, seconds) => {
      runs.inc({ model, status });
      duration.observe({ model }, seconds);
    },
    purged: (count, bytes) => {
      purgedFiles.inc(count);
      purgedBytes.inc(bytes);
    },
  };
}

export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sluice_' });
  return registry;
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** GET /metrics in Prometheus text format; anything else is 404. */
export async function startMetricsServer(registry: Registry, options: { host: string; port: number }, log: Logger): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => {
        log.error({ err }, 'collecting metrics failed');
        response.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  }).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`Cannot serve /metrics on ${options.host}:${options.port}: ${err.message}`, 'Set metrics.port to a free port (0 picks one), or metrics.enabled: false.', { cause: err });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}/metrics`;
  log.info({ metricsUrl: url }, 'serving metrics');
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
