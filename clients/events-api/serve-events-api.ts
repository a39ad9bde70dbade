import type { Settings } from '../../infra/config/load-config';
import { UserError, messageOf } from '../../infra/errors/user-error';
import { checkDatabase, createPool } from '../../infra/db/pool';
import type { Logger } from '../../infra/log/logger';
import { buildEventsApi } from './events-api';

export interface RunningEventsApi {
  readonly url: string;
  /** Stops taking requests, answers those in flight, then closes the database pool. */
  close(): Promise<void>;
}

/** Serves the site's event API on events.api.host:port (`sluice events serve`, and `sluice up` with events.enabled). */
export async function serveEventsApi(settings: Settings, databaseUrl: string, log: Logger): Promise<RunningEventsApi> {
  const pool = createPool(databaseUrl, settings.postgres.poolSize, log);
  await checkDatabase(pool, databaseUrl);
  const app = buildEventsApi({ pool, config: settings.events, log });
  const { host, port } = settings.events.api;
  let url: string;
  try {
    url = await app.listen({ host, port });
  } catch (err) {
    await pool.end();
    throw new UserError(`The event API cannot listen on ${host}:${port}: ${messageOf(err)}`, 'Stop what holds that port, or set events.api.port (0 picks a free one).', { cause: err });
  }
  // Not `url`: the logger redacts that key, which holds database URLs elsewhere.
  log.info({ listen: url, site: settings.events.site }, 'event API listening');
  return {
    url,
    async close() {
      await app.close();
      await pool.end();
    },
  };
}
