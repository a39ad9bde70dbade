import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestOutcome } from '../../activities/events/event-store';

/** The event API's Prometheus metrics, on GET /metrics. Each API instance has its own registry. */
export interface EventsApiMetrics {
  readonly registry: Registry;
  outcome(status: IngestOutcome['status']): void;
  request(route: string, method: string, statusCode: number, seconds: number): void;
}

export function createEventsApiMetrics(): EventsApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sluice_api_' });
  const events = new Counter({ name: 'events_ingested_total', help: 'Events posted, by outcome: created, duplicate (a replay), conflict (same key, other body)', labelNames: ['outcome'], registers: [registry] });
  const requests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'API requests by route, method and status code',
    labelNames: ['route', 'method', 'status_code'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  return {
    registry,
    outcome: (status) => {
      if (status !== 'rejected') events.inc({ outcome: status });
    },
    request: (route, method, statusCode, seconds) => requests.observe({ route, method, status_code: String(statusCode) }, seconds),
  };
}
