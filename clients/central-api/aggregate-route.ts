import type { FastifyInstance } from 'fastify';
import { readAggregateQuery, statsPath } from './aggregate-query';
import type { CentralSite } from './central-sites';
import { mergeStats, type MergedStats } from './merge-stats';
import { readSiteAnswer, SiteAnswerError, statsAnswer, type RollupRow } from './site-answers';
import type { SiteClient } from './site-client';
import { siteReport, type SiteReport } from './site-report';

export interface AggregateAnswer extends MergedStats {
  grain: string;
  from: string;
  to: string;
  app_id: string | null;
  entity_type: string | null;
  /** True when a site did not answer: the figures cover only the sites whose status is ok. */
  partial: boolean;
  sites: (SiteReport & { rows?: number })[];
}

/**
 * GET /v1/jobs/aggregate: every site's /v1/stats at once, each under the timeout, merged. A site
 * that is down, slow or broken is listed as such and left out of the figures; the answer is still
 * a 200 (with partial: true), since a fleet view that fails whenever one site does is no view.
 */
export function registerAggregateRoute(app: FastifyInstance, sites: readonly CentralSite[], client: SiteClient): void {
  app.get('/v1/jobs/aggregate', async (request): Promise<AggregateAnswer> => {
    const query = readAggregateQuery(request.query);
    const path = statsPath(query);
    const answers = await Promise.all(
      sites.map((site) =>
        client.ask(site, 'stats', path, (reply) => {
          const body = readSiteAnswer(reply, statsAnswer, site.id);
          // A site that answered for another grain or window would be merged into the wrong buckets.
          if (body.grain !== query.grain) throw new SiteAnswerError(`answered for grain "${body.grain}", not "${query.grain}"`);
          return body.rows;
        }),
      ),
    );
    const answered: { site_id: string; rows: RollupRow[] }[] = [];
    const reports = sites.map((site, index) => {
      const answer = answers[index]!;
      if (answer.status !== 'ok') return siteReport(site, answer);
      answered.push({ site_id: site.id, rows: answer.body });
      return { ...siteReport(site, answer), rows: answer.body.length };
    });
    return {
      grain: query.grain,
      from: query.from,
      to: query.to,
      app_id: query.appId ?? null,
      entity_type: query.entityType ?? null,
      partial: reports.some((report) => report.status !== 'ok'),
      sites: reports,
      ...mergeStats(answered, query.entityType),
    };
  });
}
