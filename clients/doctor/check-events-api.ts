import type { EventsConfig } from '../../infra/config/events-schema';
import { healthzAnswer, parseJson } from '../central-api/site-answers';
import { callSite } from '../central-api/site-call';
import { eventsApiUrlOf } from '../service-addresses';
import type { Finding } from './finding';

const NAME = 'event API';
const SERVE_IT = 'With events.enabled, sluice up serves it; on a host of its own, run sluice events serve there (see "Running each role on its own host").';

/**
 * With events.enabled, the site's event API must answer GET /v1/healthz as this site, with its
 * database up: edge machines post to it, and nothing else in the stack would notice it missing.
 */
export async function checkEventsApi(events: EventsConfig, timeoutMs = 3000): Promise<Finding> {
  const base = eventsApiUrlOf(events);
  const reply = await callSite(`${base}/v1/healthz`, { fetch, timeoutMs, maxBytes: 64 * 1024 });
  if (!reply.ok) {
    const hint = reply.kind === 'timeout' ? `Something holds ${base} but does not answer; is it the event API, and is it stuck?` : SERVE_IT;
    return { name: NAME, ok: false, detail: `${base}: ${reply.error}`, hint };
  }
  const parsed = reply.httpStatus === 200 || reply.httpStatus === 503 ? healthzAnswer.safeParse(parseJson(reply.text)) : undefined;
  if (!parsed?.success) {
    return { name: NAME, ok: false, detail: `${base}/v1/healthz answered HTTP ${reply.httpStatus}, not as a sluice event API does`, hint: `Another program holds events.api.port (${events.api.port}); stop it, or give the event API another port.` };
  }
  const { site_id: site, database } = parsed.data;
  if (site !== events.site) {
    return { name: NAME, ok: false, detail: `${base} serves site "${site}", but events.site here is "${events.site}"`, hint: 'Point events.api at this site\'s API, or fix events.site (each site has its own API and database).' };
  }
  if (database !== 'ok') {
    return { name: NAME, ok: false, detail: `${base} answers, but its database does not: ${database}`, hint: 'Check Postgres (above) from the host that runs the event API.' };
  }
  return { name: NAME, ok: true, detail: `${base}, site ${site}, database ok` };
}
