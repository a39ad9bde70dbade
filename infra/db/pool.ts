import { Pool } from 'pg';
import { UserError, messageOf } from '../errors/user-error';
import { redactUrl, type Logger } from '../log/logger';

export function createPool(url: string, size: number, log: Logger): Pool {
  return loggingIdleErrors(new Pool({ connectionString: url, max: size, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 }), log);
}

/**
 * Another pool of `like`'s size to the same database, whose sessions plan each prepared statement
 * once and keep that plan (plan_cache_mode = force_generic_plan), named `applicationName` in
 * pg_stat_activity. For statements whose plan does not depend on their parameters' values, such
 * as the ingest's, which takes its rows as arrays: Postgres otherwise plans such a statement anew
 * on every execution (the ingest's showed 830 custom plans and no generic one). The setting is per
 * session, so it gets sessions of its own: the queries' statements keep their custom plans.
 */
export function createGenericPlanPool(like: Pool, applicationName: string, log: Logger): Pool {
  const pool = new Pool({ ...like.options, application_name: applicationName });
  // Queued before the query the client was taken for, so that query is planned this way too.
  pool.on('connect', (client) => {
    client.query('SET plan_cache_mode = force_generic_plan').catch((err: unknown) => log.warn({ err: messageOf(err) }, 'could not set plan_cache_mode; statements keep custom plans'));
  });
  return loggingIdleErrors(pool, log);
}

/** An idle client losing its connection must not crash the process; the next query reconnects. */
function loggingIdleErrors(pool: Pool, log: Logger): Pool {
  pool.on('error', (err) => log.warn({ err: messageOf(err) }, 'idle Postgres connection lost'));
  return pool;
}

/** Connects once and says clearly where and why it failed. */
export async function checkDatabase(pool: Pool, url: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    throw postgresUnreachable(url, err);
  }
}

export function postgresUnreachable(url: string, err: unknown): UserError {
  return new UserError(
    `Postgres at ${redactUrl(url)} is not reachable: ${messageOf(err)}`,
    'Start that server. Without postgres.url it is the embedded Postgres, which runs while `sluice up` (npm start) runs on this machine; or set postgres.url / DATABASE_URL to a running server.',
    { cause: err },
  );
}
