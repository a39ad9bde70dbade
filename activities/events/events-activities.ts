import type { Pool } from 'pg';
import { durationMs } from '../../infra/config/duration';
import type { EventsConfig } from '../../infra/config/events-schema';
import { refreshRollups, type RollupRefresh } from './event-rollups';
import { partitionUpkeep, type PartitionUpkeepResult } from './partition-upkeep';

/** The upkeep of a site's event tables, on the cloud queue: what TimescaleDB's background jobs did. */
export function createEventsActivities(deps: { pool: Pool; config: EventsConfig }) {
  const { pool, config } = deps;
  return {
    async maintainEventPartitions(input: { now: string }): Promise<PartitionUpkeepResult> {
      return partitionUpkeep(pool, {
        now: input.now,
        retentionMs: durationMs(config.retention),
        partitionsAhead: config.partitionsAhead,
        archiveEnabled: config.archive.enabled,
      });
    },

    async refreshEventRollups(): Promise<RollupRefresh> {
      return refreshRollups(pool);
    },
  };
}

export type EventsActivities = ReturnType<typeof createEventsActivities>;
