import type { CentralConfig } from '../../infra/config/events-schema';
import { durationMs } from '../../infra/config/duration';
import { UserError, messageOf } from '../../infra/errors/user-error';
import type { Logger } from '../../infra/log/logger';
import { buildCentralApi } from './central-api';
import { siteListProblems } from './central-sites';

export interface RunningCentralApi {
  readonly url: string;
  /** Stops taking requests and answers those in flight (each ends within the site timeout). */
  close(): Promise<void>;
}

/** Serves the central API on central.host:port (`sluice central`). */
export async function serveCentralApi(config: CentralConfig, log: Logger): Promise<RunningCentralApi> {
  if (config.sites.length === 0) {
    throw new UserError('central.sites is empty: the central API has no site to read from.', 'List each site\'s event API under central.sites as { id, url }, e.g. { id: site-a, url: "http://site-a:18000" }.');
  }
  const problems = siteListProblems(config.sites);
  if (problems.length > 0) throw new UserError(`central.sites is wrong: ${problems.join('; ')}.`, 'Fix central.sites in the config file.');
  const app = buildCentralApi({ sites: config.sites, timeoutMs: durationMs(config.timeout), log });
  const { host, port } = config;
  let url: string;
  try {
    url = await app.listen({ host, port });
  } catch (err) {
    throw new UserError(`The central API cannot listen on ${host}:${port}: ${messageOf(err)}`, 'Stop what holds that port, or set central.port (0 picks a free one).', { cause: err });
  }
  log.info({ listen: url, sites: config.sites.map((site) => site.id), timeout: config.timeout }, 'central API listening');
  return { url, close: () => app.close() };
}
