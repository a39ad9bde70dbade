import { z } from 'zod';

/**
 * What the central API accepts from a site, checked as strictly as the site checks its own input:
 * a site that answers 200 with the wrong shape, or that is another site than central.sites says,
 * is reported as broken rather than silently counted (a misconfigured url would otherwise add one
 * site's numbers twice, or under the wrong name).
 */

export class SiteAnswerError extends Error {}

const count = z.number().finite().nonnegative();
const instant = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'expected an ISO timestamp');

const rollupRow = z.object({
  bucket: instant,
  app_id: z.string(),
  entity_type: z.string(),
  status: z.string(),
  events: count,
  finished: count,
  durations: count,
  duration_sum: z.number().finite(),
  duration_max: z.number().finite().nullable(),
});

export const statsAnswer = z.object({ site_id: z.string(), grain: z.string(), from: instant, to: instant, rows: z.array(rollupRow) });
export const healthzAnswer = z.object({ site_id: z.string(), status: z.string(), database: z.string() });
export const summaryAnswer = z.object({
  site_id: z.string(),
  from: instant,
  to: instant,
  jobs: z.record(z.string(), count),
  recent: z.object({ from: instant, finished: count, failed: count, failure_rate: z.number().finite().nullable() }),
  slowest: z.array(z.object({ job_id: z.string(), app_id: z.string(), status: z.string(), seconds: z.number().finite() }).loose()),
});

export type RollupRow = z.infer<typeof rollupRow>;
export type StatsAnswer = z.infer<typeof statsAnswer>;
export type HealthzAnswer = z.infer<typeof healthzAnswer>;
export type SummaryAnswer = z.infer<typeof summaryAnswer>;

/** An HTTP answer as callSite returned it. */
export interface SiteReply {
  readonly httpStatus: number;
  readonly text: string;
}

/**
 * The body of an accepted status code, of the expected shape, from the expected site. Anything
 * else throws a SiteAnswerError whose message says what the site answered.
 */
export function readSiteAnswer<T extends { site_id: string }>(reply: SiteReply, schema: z.ZodType<T>, siteId: string, accepted: readonly number[] = [200]): T {
  const json = parseJson(reply.text);
  if (!accepted.includes(reply.httpStatus)) {
    const said = json !== undefined && typeof (json as { message?: unknown }).message === 'string' ? (json as { message: string }).message : excerpt(reply.text);
    throw new SiteAnswerError(`answered HTTP ${reply.httpStatus}${said ? `: ${said}` : ''}`);
  }
  if (json === undefined) throw new SiteAnswerError(`answered HTTP ${reply.httpStatus} with a body that is not JSON: ${excerpt(reply.text) || '(empty)'}`);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'the body';
    throw new SiteAnswerError(`answered with an unexpected shape (${where}: ${issue?.message ?? 'invalid'}); is it a sluice event API of a compatible version?`);
  }
  if (parsed.data.site_id !== siteId) {
    throw new SiteAnswerError(`says it is site "${parsed.data.site_id}", but central.sites lists this url as "${siteId}"; fix the id or the url in central.sites`);
  }
  return parsed.data;
}

/** The JSON value of `text`, or undefined if it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}
