import type { Pool } from 'pg';
import { createObjectStore } from '../activities/storage/create-object-store';
import type { ObjectStore } from '../activities/storage/object-store';
import type { Settings } from '../infra/config/load-config';
import { createPool } from '../infra/db/pool';
import type { Logger } from '../infra/log/logger';

/** The clients cloud activities use, opened once per process and closed after the workers stop. */
export interface CloudServices {
  pool: Pool;
  store: ObjectStore;
  close(): Promise<void>;
}

export function openCloudServices(settings: Settings, databaseUrl: string, log: Logger): CloudServices {
  const pool = createPool(databaseUrl, settings.postgres.poolSize, log);
  const store = createObjectStore(settings.storage.kind === 's3' && settings.storage.s3 ? { kind: 's3', s3: settings.storage.s3 } : { kind: 'local', local: { root: settings.paths.objectsDir } });
  return { pool, store, close: () => pool.end() };
}
