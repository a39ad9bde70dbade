import { redactUrl } from '../../infra/log/logger';
import type { CentralSite } from './central-sites';
import type { HealthzAnswer, SummaryAnswer } from './site-answers';
import type { SiteResult } from './site-client';

/**
 * Each site's health from its two answers (/v1/healthz and /v1/health/summary), and the fleet's
 * from the sites'. Pure, so the rules below are unit-tested without servers.
 *
 * A site is ok when both answered and its database is up; degraded when it answered something but
 * not everything (typically its API is up and its database is not); otherwise down, timeout or
 * error as its health check failed.
 */

export type SiteHealthStatus = 'ok' | 'degraded' | 'down' | 'timeout' | 'error';

export interface SiteHealth {
  site_id: string;
  url: string;
  status: SiteHealthStatus;
  /** "ok", or why the site's API cannot reach its database; null when the health check failed. */
  database: string | null;
  /** Jobs active in the window, by latest status; null without a summary. */
  jobs: Record<string, number> | null;
  /** The site's last hour: job events that ended a job, failures, failure rate. */
  recent: SummaryAnswer['recent'] | null;
  slowest: SummaryAnswer['slowest'] | null;
  /** The slower of the two calls, which ran side by side. */
  latency_ms: number;
  error?: string;
}

export interface FleetHealth {
  /** ok: every site ok; down: no site answered at all; degraded otherwise. */
  status: 'ok' | 'degraded' | 'down';
  sites_total: number;
  sites_ok: number;
  by_status: Record<SiteHealthStatus, number>;
  /** Sums over the sites whose summary answered (reporting_sites of them). */
  reporting_sites: number;
  jobs: Record<string, number>;
  recent: { finished: number; failed: number; failure_rate: number | null };
}

export function siteHealth(site: CentralSite, healthz: SiteResult<HealthzAnswer>, summary: SiteResult<SummaryAnswer>): SiteHealth {
  const health: SiteHealth = {
    site_id: site.id,
    url: redactUrl(site.url),
    status: 'ok',
    database: healthz.status === 'ok' ? healthz.body.database : null,
    jobs: summary.status === 'ok' ? summary.body.jobs : null,
    recent: summary.status === 'ok' ? summary.body.recent : null,
    slowest: summary.status === 'ok' ? summary.body.slowest : null,
    latency_ms: Math.max(healthz.latency_ms, summary.latency_ms),
  };
  const problems: string[] = [];
  if (healthz.status !== 'ok') problems.push(healthz.error);
  else if (healthz.body.status !== 'ok') problems.push(`the site's API is up but its database is not: ${healthz.body.database}`);
  // A site that is simply down fails both calls the same way: one line says it.
  if (summary.status !== 'ok' && summary.status !== healthz.status) problems.push(summary.error);
  if (problems.length > 0) health.error = problems.join('; ');

  if (healthz.status === 'ok' && healthz.body.status === 'ok' && summary.status === 'ok') health.status = 'ok';
  else if (healthz.status === 'ok' || summary.status === 'ok') health.status = 'degraded';
  else health.status = healthz.status;
  return health;
}

export function fleetHealth(sites: readonly SiteHealth[]): FleetHealth {
  const byStatus: Record<SiteHealthStatus, number> = { ok: 0, degraded: 0, down: 0, timeout: 0, error: 0 };
  const jobs = new Map<string, number>();
  let finished = 0;
  let failed = 0;
  let reporting = 0;
  for (const site of sites) {
    byStatus[site.status] += 1;
    if (site.jobs === null || site.recent === null) continue;
    reporting += 1;
    for (const [status, n] of Object.entries(site.jobs)) jobs.set(status, (jobs.get(status) ?? 0) + n);
    finished += site.recent.finished;
    failed += site.recent.failed;
  }
  const answered = byStatus.ok + byStatus.degraded;
  return {
    status: sites.length > 0 && byStatus.ok === sites.length ? 'ok' : answered === 0 ? 'down' : 'degraded',
    sites_total: sites.length,
    sites_ok: byStatus.ok,
    by_status: byStatus,
    reporting_sites: reporting,
    jobs: Object.fromEntries([...jobs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    // Failures over finishes, fleet-wide: not the mean of the sites' rates, which would weigh a
    // site with two jobs as much as one with two thousand.
    recent: { finished, failed, failure_rate: finished === 0 ? null : failed / finished },
  };
}
