import { Pool } from 'pg';
import { UserError, messageOf } from '../errors/user-error';
import { redactUrl, type Logger } from '../log/logger';

export function createPool(url: string, size: number, log: Logger): Pool {
  const pool = new Pool({ connectionString: url, max: size, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
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
    'Start that server, or fix postgres.url / DATABASE_URL (unset it to use the embedded Postgres).',
    { cause: err },
  );
}
