import type { Pool } from 'pg';
import { SourceBuckets } from '../activities/ingest/source-bucket';
import { noMetrics, type WeatherMetrics } from '../activities/ingest/weather-metrics';
import { createObjectStore } from '../activities/storage/create-object-store';
import type { ObjectStore } from '../activities/storage/object-store';
import { durationMs } from '../infra/config/duration';
import type { Settings } from '../infra/config/load-config';
import { checkDatabase, createPool } from '../infra/db/pool';
import type { Logger } from '../infra/log/logger';
import { registerArchiveMetrics } from './archive-metrics';
import { createRegistry, createWeatherMetrics, startMetricsServer, type MetricsServer } from './metrics';

/** The object store the config describes. */
export function objectStoreFor(settings: Settings, log: Logger): ObjectStore {
  const { storage } = settings;
  return createObjectStore(storage.kind === 's3' && storage.s3 ? { kind: 's3', s3: storage.s3 } : { kind: 'local', local: { root: settings.paths.objectsDir } }, { log });
}

/** The clients cloud activities use, opened once per process and closed after the workers stop. */
export interface CloudServices {
  pool: Pool;
  store: ObjectStore;
  /** NOAA's buckets, or the mirror config names. */
  buckets: SourceBuckets;
  metrics: WeatherMetrics;
  /** Where GET /metrics is served, when enabled. */
  metricsUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * Opens and checks Postgres and object storage, so a worker with a wrong endpoint, bucket or
 * credentials refuses to start with a message that says so, instead of failing every activity.
 */
export async function openCloudServices(settings: Settings, databaseUrl: string, log: Logger): Promise<CloudServices> {
  const pool = createPool(databaseUrl, settings.postgres.poolSize, log);
  let store: ObjectStore | undefined;
  let server: MetricsServer | undefined;
  const registry = createRegistry();
  try {
    await checkDatabase(pool, databaseUrl);
    store = objectStoreFor(settings, log);
    await store.check();
    if (settings.metrics.enabled) server = await startMetricsServer(registry, settings.metrics, log);
  } catch (err) {
    store?.close();
    await pool.end();
    throw err;
  }
  const opened = store;
  const { events } = settings;
  if (server && events.enabled && events.archive.enabled) registerArchiveMetrics(registry, pool, durationMs(events.archive.hotWindow), log);
  const buckets = new SourceBuckets(settings.ingest.noaa);
  return {
    pool,
    store: opened,
    buckets,
    metrics: server ? createWeatherMetrics(registry) : noMetrics,
    metricsUrl: server?.url,
    close: async () => {
      await server?.close();
      buckets.close();
      opened.close();
      await pool.end();
    },
  };
}
