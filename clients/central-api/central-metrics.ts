import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The central API's Prometheus metrics, on its own GET /metrics: what each site answered (so an
 * alert can say which site is down, not just that a dashboard was partial), how long it took, and
 * the central API's own requests. Each instance has its own registry, so tests can build several.
 */
export interface CentralMetrics {
  readonly registry: Registry;
  /** One call to a site, with its final outcome (ok, down, timeout, error). */
  siteCall(site: string, endpoint: string, outcome: string, seconds: number): void;
  request(route: string, method: string, statusCode: number, seconds: number): void;
}

export function createCentralMetrics(): CentralMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sluice_central_' });
  const calls = new Counter({
    name: 'sluice_central_site_requests_total',
    help: 'Requests the central API made to each site, by endpoint and outcome (ok, down, timeout, error)',
    labelNames: ['site', 'endpoint', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'sluice_central_site_request_duration_seconds',
    help: 'Time until each site answered (or was given up on), by endpoint and outcome',
    labelNames: ['site', 'endpoint', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  const up = new Gauge({ name: 'sluice_central_site_up', help: '1 if the last call to the site answered well, else 0', labelNames: ['site'], registers: [registry] });
  const requests = new Histogram({
    name: 'sluice_central_http_request_duration_seconds',
    help: 'Central API requests by route, method and status code',
    labelNames: ['route', 'method', 'status_code'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    siteCall: (site, endpoint, outcome, seconds) => {
      calls.inc({ site, endpoint, outcome });
      latency.observe({ site, endpoint, outcome }, seconds);
      up.set({ site }, outcome === 'ok' ? 1 : 0);
    },
    request: (route, method, statusCode, seconds) => requests.observe({ route, method, status_code: String(statusCode) }, seconds),
  };
}
