import path from 'node:path';
import { runner } from 'node-pg-migrate';
import { Client } from 'pg';
import { UserError, messageOf } from '../errors/user-error';
import type { Logger } from '../log/logger';
import { projectRoot } from '../project-root';
import { postgresUnreachable } from './pool';

export const MIGRATIONS_TABLE = 'sluice_migrations';
/** Any fixed number; every sluice process migrating the same database takes this lock. */
const MIGRATION_LOCK = 7_353_001;

export function migrationsDir(): string {
  return path.join(projectRoot(), 'infra', 'migrations');
}

/**
 * Brings the schema up to date with the versioned SQL files in infra/migrations, in one
 * transaction. node-pg-migrate's own lock fails at once when another process holds it; workers
 * that start together should instead wait their turn and then find nothing to do, so this takes
 * a blocking advisory lock of its own. node-pg-migrate refuses to run when an applied migration is
 * missing from the directory (a checkout older than the database).
 */
export async function migrate(databaseUrl: string, log: Logger): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw postgresUnreachable(databaseUrl, err);
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await runner({
      dbClient: client,
      noLock: true,
      dir: migrationsDir(),
      migrationsTable: MIGRATIONS_TABLE,
      direction: 'up',
      checkOrder: true,
      singleTransaction: true,
      logger: { debug: () => undefined, info: (msg: string) => log.debug(msg), warn: (msg: string) => log.warn(msg), error: (msg: string) => log.debug(msg) },
    }).catch((err: unknown) => {
      throw new UserError(
        `Migrating the database failed: ${messageOf(err)}`,
        `The database's migration history (table ${MIGRATIONS_TABLE}) must match infra/migrations of this sluice version; nothing was changed. Point postgres.url at the right database, or upgrade sluice.`,
        { cause: err },
      );
    });
    const names = applied.map((migration) => migration.name);
    if (names.length > 0) log.info({ migrations: names }, 'applied database migrations');
    return names;
  } finally {
    // Ending the session releases the advisory lock.
    await client.end();
  }
}
