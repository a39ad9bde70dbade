import type { CentralConfig } from '../../infra/config/events-schema';
import { durationMs } from '../../infra/config/duration';
import { redactUrl } from '../../infra/log/logger';
import { healthzAnswer, readSiteAnswer, SiteAnswerError } from '../central-api/site-answers';
import { callSite } from '../central-api/site-call';
import { siteUrl } from '../central-api/site-client';
import type { CentralSite } from '../central-api/central-sites';
import type { Finding } from './finding';

/**
 * Each site of central.sites must answer GET /v1/healthz within central.timeout, as the site the
 * list names, with its database up: what the central API asks of it on every request, checked
 * before anyone looks at a dashboard with a site missing. All sites are asked at once.
 */
export function checkCentralSites(central: CentralConfig): Promise<Finding[]> {
  const timeoutMs = durationMs(central.timeout);
  return Promise.all(central.sites.map((site) => checkCentralSite(site, timeoutMs)));
}

async function checkCentralSite(site: CentralSite, timeoutMs: number): Promise<Finding> {
  const name = `central site ${site.id}`;
  const url = siteUrl(site.url, '/v1/healthz');
  const where = redactUrl(url);
  const reply = await callSite(url, { fetch, timeoutMs, maxBytes: 64 * 1024 });
  if (!reply.ok) return { name, ok: false, detail: `${where}: ${reply.error}`, ...(reply.advice ? { hint: capitalised(reply.advice) } : {}) };
  try {
    const { database } = readSiteAnswer(reply, healthzAnswer, site.id, [200, 503]);
    if (database !== 'ok') return { name, ok: false, detail: `${where} answers, but its database does not: ${database}`, hint: "Check Postgres from the site's host (sluice doctor there)." };
  } catch (err) {
    if (!(err instanceof SiteAnswerError)) throw err;
    return { name, ok: false, detail: `${where} ${err.message}` };
  }
  return { name, ok: true, detail: `${redactUrl(site.url)}, database ok (${reply.latencyMs} ms)` };
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
