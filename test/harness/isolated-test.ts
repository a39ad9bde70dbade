import type { Client } from '@temporalio/client';
import { Pool } from 'pg';
import type { Settings } from '../../infra/config/load-config';
import type { RoleSpec } from '../../workers/role';
import type { RunningWorkers } from '../../workers/start-workers';
import { isolatedDatabaseUrl } from './isolated-database';
import { NoaaMirror } from './noaa-mirror';
import { testSettings } from './test-settings';
import { startTestWorkers, testClient } from './test-workers';

export interface IsolatedTest {
  /** NOAA-shaped buckets on the run's S3 server. */
  readonly mirror: NoaaMirror;
  /** This test's own database (see isolatedDatabaseUrl), and a pool on it. */
  pool(): Pool;
  /** Settings on this test's database, with `config` over the test stack's. */
  settings(config?: Record<string, unknown>): Settings;
  /** Workers and clients are shut down and closed after each test. */
  startWorkers(settings: Settings, specs: RoleSpec[]): Promise<RunningWorkers>;
  client(settings: Settings): Promise<Client>;
}

/**
 * For tests of state every test would otherwise share (the weather catalog, the model registry):
 * call it once in a describe block. Each test gets a fresh database, since other files ingest,
 * purge and promote beside it, and its workers and clients are stopped after it.
 */
export function useIsolatedTest(): IsolatedTest {
  const mirror = new NoaaMirror();
  let databaseUrl: string | undefined;
  let pool: Pool | undefined;
  const workers: RunningWorkers[] = [];
  const clients: Client[] = [];

  beforeEach(async () => {
    databaseUrl = await isolatedDatabaseUrl();
    pool = new Pool({ connectionString: databaseUrl, max: 2 });
  });
  afterEach(async () => {
    for (const running of workers.splice(0)) await running.shutdown();
    for (const client of clients.splice(0)) await client.connection.close();
    await pool?.end();
    pool = undefined;
  });
  afterAll(() => mirror.close());

  const required = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useIsolatedTest: only available inside a test');
    return value;
  };
  return {
    mirror,
    pool: () => required(pool),
    settings: (config = {}) => testSettings({ databaseUrl: required(databaseUrl), config }),
    async startWorkers(settings, specs) {
      const running = await startTestWorkers(settings, specs);
      workers.push(running);
      return running;
    },
    async client(settings) {
      const client = await testClient(settings);
      clients.push(client);
      return client;
    },
  };
}
