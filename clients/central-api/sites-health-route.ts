import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../../infra/config/duration';
import { ApiError } from '../events-api/api-error';
import { QueryParams } from '../events-api/query-params';
import type { CentralSite } from './central-sites';
import { fleetHealth, siteHealth, type FleetHealth, type SiteHealth } from './fleet-health';
import { healthzAnswer, readSiteAnswer, summaryAnswer } from './site-answers';
import type { SiteClient } from './site-client';

export interface SitesHealthAnswer {
  /** The window the sites' job counts cover. */
  window: string;
  summary: FleetHealth;
  sites: SiteHealth[];
}

/**
 * GET /v1/sites/health?window=24h: every site's /v1/healthz and /v1/health/summary, all at once,
 * each under the timeout. Always a 200 for a valid query: the answer is the report of which sites
 * are unwell, so it must not itself fail because one is.
 */
export function registerSitesHealthRoute(app: FastifyInstance, sites: readonly CentralSite[], client: SiteClient): void {
  app.get('/v1/sites/health', async (request): Promise<SitesHealthAnswer> => {
    const params = QueryParams.read(request.query, ['window']);
    const window = params.text('window') ?? '24h';
    const ms = parseDuration(window);
    // The sites' own limits: checked here so a bad window is one 400, not every site reported broken.
    if (ms === undefined || ms < 60_000 || ms > 90 * 86_400_000) throw new ApiError(400, 'invalid_query', `?window "${window}" must be a duration from "1m" to "90d", such as "1h" or "24h"`);
    const summaryPath = `/v1/health/summary?${new URLSearchParams({ window }).toString()}`;
    const healths = await Promise.all(
      sites.map(async (site) => {
        const [healthz, summary] = await Promise.all([
          // 503 is the site saying its database is down: an answer, not a failure to answer.
          client.ask(site, 'healthz', '/v1/healthz', (reply) => readSiteAnswer(reply, healthzAnswer, site.id, [200, 503])),
          client.ask(site, 'summary', summaryPath, (reply) => readSiteAnswer(reply, summaryAnswer, site.id)),
        ]);
        return siteHealth(site, healthz, summary);
      }),
    );
    return { window, summary: fleetHealth(healths), sites: healths };
  });
}
