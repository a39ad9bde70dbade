import { redactUrl } from '../../infra/log/logger';
import type { CentralSite } from './central-sites';
import type { SiteFailureKind } from './site-call';
import type { SiteResult } from './site-client';

/** How one site fared in answering, as every central answer lists it. */
export interface SiteReport {
  site_id: string;
  url: string;
  status: 'ok' | SiteFailureKind;
  latency_ms: number;
  /** What went wrong and what to do about it; only when status is not ok. */
  error?: string;
}

export function siteReport(site: CentralSite, result: SiteResult<unknown>): SiteReport {
  const report: SiteReport = { site_id: site.id, url: redactUrl(site.url), status: result.status, latency_ms: result.latency_ms };
  if (result.status !== 'ok') report.error = result.error;
  return report;
}
