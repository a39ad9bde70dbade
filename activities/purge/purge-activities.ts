import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { PurgeConfig } from '../../infra/config/ingest-schema';
import type { ConfiguredSource } from '../ingest/configured-sources';
import type { WeatherMetrics } from '../ingest/weather-metrics';
import type { ObjectStore } from '../storage/object-store';
import { planPurge, type PurgePlan } from './plan-purge';
import { purgeCycle, type PurgeResult } from './purge-cycle';

export interface PurgeDeps {
  pool: Pool;
  store: ObjectStore;
  sources: readonly ConfiguredSource[];
  config: PurgeConfig;
  metrics: WeatherMetrics;
}

/** The I/O of the retention purge, on the cloud queue. */
export function createPurgeActivities(deps: PurgeDeps) {
  return {
    async planPurge(input: { now: string }): Promise<PurgePlan & { batchSize: number }> {
      const plan = await planPurge(deps.pool, deps.sources.map((entry) => entry.source), new Date(input.now), deps.config.keepCompleteCycles);
      return { ...plan, batchSize: deps.config.batchSize };
    },

    async purgeCycle(input: { source: string; cycle: string; batchSize: number }): Promise<PurgeResult> {
      const context = Context.current();
      const result = await purgeCycle({ ...deps, heartbeat: () => context.heartbeat() }, input);
      deps.metrics.purged(result.deleted, result.bytesFreed);
      return result;
    },
  };
}

export type PurgeActivities = ReturnType<typeof createPurgeActivities>;
