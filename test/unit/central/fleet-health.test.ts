import { fleetHealth, siteHealth } from '../../../clients/central-api/fleet-health';
import type { HealthzAnswer, SummaryAnswer } from '../../../clients/central-api/site-answers';
import type { SiteResult } from '../../../clients/central-api/site-client';

const site = { id: 'site-a', url: 'http://user:secret@site-a:18000' };
const healthy: SiteResult<HealthzAnswer> = { status: 'ok', body: { site_id: 'site-a', status: 'ok', database: 'ok' }, latency_ms: 3 };
const summary = (finished: number, failed: number, jobs: Record<string, number>): SiteResult<SummaryAnswer> => ({
  status: 'ok',
  body: { site_id: 'site-a', from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z', jobs, recent: { from: '2025-03-01T23:00:00Z', finished, failed, failure_rate: finished ? failed / finished : null }, slowest: [] },
  latency_ms: 7,
});

describe('siteHealth', () => {
  it('is ok when both checks answered and the database is up, and hides the url password', () => {
    const health = siteHealth(site, healthy, summary(4, 1, { succeeded: 3, failed: 1 }));
    expect(health).toEqual({
      site_id: 'site-a',
      url: 'http://user:redacted@site-a:18000/',
      status: 'ok',
      database: 'ok',
      jobs: { succeeded: 3, failed: 1 },
      recent: expect.objectContaining({ finished: 4, failed: 1 }),
      slowest: [],
      latency_ms: 7,
    });
  });

  it('is degraded when the site answers but its database does not, and says so', () => {
    const dbDown: SiteResult<HealthzAnswer> = { status: 'ok', body: { site_id: 'site-a', status: 'unavailable', database: 'unreachable: connection refused' }, latency_ms: 2 };
    const noSummary: SiteResult<SummaryAnswer> = { status: 'error', error: 'http://site-a/v1/health/summary answered HTTP 500', latency_ms: 4 };
    const health = siteHealth(site, dbDown, noSummary);
    expect(health).toMatchObject({ status: 'degraded', database: 'unreachable: connection refused', jobs: null, recent: null });
    expect(health.error).toMatch(/API is up but its database is not: unreachable.*; .*answered HTTP 500/);
  });

  it('takes the health check\'s failure when nothing answered', () => {
    const down = siteHealth(site, { status: 'down', error: 'cannot connect', latency_ms: 1 }, { status: 'down', error: 'cannot connect', latency_ms: 1 });
    expect(down).toMatchObject({ status: 'down', database: null, jobs: null });
    // Both calls failing the same way is said once.
    expect(down.error).toBe('cannot connect');
    const slow = siteHealth(site, { status: 'timeout', error: 'no answer', latency_ms: 500 }, { status: 'timeout', error: 'no answer', latency_ms: 501 });
    expect(slow).toMatchObject({ status: 'timeout', latency_ms: 501 });
  });
});

describe('fleetHealth', () => {
  it('weighs the failure rate by finished jobs, and counts sites by status', () => {
    const a = siteHealth(site, healthy, summary(100, 10, { succeeded: 90, failed: 10 }));
    const b = siteHealth({ ...site, id: 'site-b' }, healthy, summary(2, 2, { failed: 2, running: 1 }));
    const c = siteHealth({ ...site, id: 'site-c' }, { status: 'timeout', error: 'x', latency_ms: 1 }, { status: 'timeout', error: 'x', latency_ms: 1 });
    const fleet = fleetHealth([a, b, c]);
    expect(fleet).toEqual({
      status: 'degraded',
      sites_total: 3,
      sites_ok: 2,
      by_status: { ok: 2, degraded: 0, down: 0, timeout: 1, error: 0 },
      reporting_sites: 2,
      jobs: { failed: 12, running: 1, succeeded: 90 },
      // 12 / 102, not the mean of 0.1 and 1.
      recent: { finished: 102, failed: 12, failure_rate: 12 / 102 },
    });
    expect(fleetHealth([a, b]).status).toBe('ok');
    expect(fleetHealth([c]).status).toBe('down');
    expect(fleetHealth([])).toMatchObject({ status: 'down', sites_total: 0, recent: { failure_rate: null } });
  });
});
