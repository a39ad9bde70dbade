import { redactUrl, type Logger } from '../../infra/log/logger';
import type { CentralMetrics } from './central-metrics';
import { SiteAnswerError, type SiteReply } from './site-answers';
import { callSite, type SiteFailureKind, type SiteFetch } from './site-call';
import type { CentralSite } from './central-sites';

/** A site's answer to one question: its body, or why there is none. Never a thrown error. */
export type SiteResult<T> =
  | { readonly status: 'ok'; readonly body: T; readonly latency_ms: number }
  | { readonly status: SiteFailureKind; readonly error: string; readonly latency_ms: number };

export interface SiteClientOptions {
  readonly fetch: SiteFetch;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly metrics: CentralMetrics;
  readonly log: Logger;
}

export interface SiteClient {
  /**
   * GETs `path` (with its query) from the site and reads the reply with `read`, which throws a
   * SiteAnswerError for an answer it cannot use. Counted in the metrics by `endpoint`.
   */
  ask<T>(site: CentralSite, endpoint: string, path: string, read: (reply: SiteReply) => T): Promise<SiteResult<T>>;
}

export function createSiteClient({ fetch, timeoutMs, maxBytes, metrics, log }: SiteClientOptions): SiteClient {
  // Logged when a site's outcome changes, not on every call: a dashboard polling a down site
  // every few seconds would otherwise fill the log with the same line.
  const lastOutcome = new Map<string, string>();
  const noteOutcome = (site: CentralSite, endpoint: string, result: SiteResult<unknown>) => {
    metrics.siteCall(site.id, endpoint, result.status, result.latency_ms / 1000);
    const key = `${site.id} ${endpoint}`;
    const before = lastOutcome.get(key);
    lastOutcome.set(key, result.status);
    if (before === result.status) return;
    if (result.status === 'ok') {
      if (before !== undefined) log.info({ site: site.id, endpoint }, `site ${site.id} answers ${endpoint} again`);
    } else {
      log.warn({ site: site.id, endpoint, outcome: result.status, error: result.error }, `site ${site.id} is ${result.status} (${endpoint})`);
    }
  };

  return {
    async ask<T>(site: CentralSite, endpoint: string, path: string, read: (reply: SiteReply) => T): Promise<SiteResult<T>> {
      const url = siteUrl(site.url, path);
      // Errors name the endpoint, not the whole query: the window is in the answer already.
      const where = redactUrl(url.split('?')[0]!);
      const exchange = await callSite(url, { fetch, timeoutMs, maxBytes });
      let result: SiteResult<T>;
      if (!exchange.ok) {
        result = { status: exchange.kind, error: `${where}: ${exchange.error}${exchange.advice ? `; ${exchange.advice}` : ''}`, latency_ms: exchange.latencyMs };
      } else {
        try {
          result = { status: 'ok', body: read(exchange), latency_ms: exchange.latencyMs };
        } catch (err) {
          if (!(err instanceof SiteAnswerError)) throw err;
          result = { status: 'error', error: `${where} ${err.message}`, latency_ms: exchange.latencyMs };
        }
      }
      noteOutcome(site, endpoint, result);
      return result;
    },
  };
}

/** The site's url may carry a path prefix (behind a proxy): paths are resolved below it. */
export function siteUrl(base: string, path: string): string {
  const root = base.endsWith('/') ? base : `${base}/`;
  return new URL(path.replace(/^\/+/, ''), root).toString();
}
