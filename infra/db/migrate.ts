import path from 'node:path';
import { runner } from 'node-pg-migrate';
import { Client } from 'pg';
import type { Logger } from '../log/logger';
import { projectRoot } from '../project-root';
import { postgresUnreachable } from './pool';

export const MIGRATIONS_TABLE = 'sluice_migrations';

export function migrationsDir(): string {
  return path.join(projectRoot(), 'infra', 'migrations');
}

/**
 * Brings the schema up to date with the versioned SQL files in infra/migrations. node-pg-migrate
 * holds an advisory lock while it runs, so workers starting at once do not race, and it refuses
 * to run when an applied migration is missing from the directory (a checkout older than the DB).
 */
export async function migrate(databaseUrl: string, log: Logger): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw postgresUnreachable(databaseUrl, err);
  }
  try {
    const applied = await runner({
      dbClient: client,
      dir: migrationsDir(),
      migrationsTable: MIGRATIONS_TABLE,
      direction: 'up',
      checkOrder: true,
      singleTransaction: true,
      logger: { debug: () => undefined, info: (msg: string) => log.debug(msg), warn: (msg: string) => log.warn(msg), error: (msg: string) => log.error(msg) },
    });
    const names = applied.map((migration) => migration.name);
    if (names.length > 0) log.info({ migrations: names }, 'applied database migrations');
    return names;
  } finally {
    await client.end();
  }
}
