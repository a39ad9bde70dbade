import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { EventsActivities } from '../activities/events/events-activities';
import type { PartitionUpkeepResult } from '../activities/events/partition-upkeep';
import type { RollupRefresh } from '../activities/events/event-rollups';
import { SLUICE_KIND } from './search-attributes';
import { CLOUD_QUEUE } from './task-queues';

const cloud = proxyActivities<EventsActivities>({
  taskQueue: CLOUD_QUEUE,
  startToCloseTimeout: '10m',
  retry: { maximumAttempts: 5, initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * Partition upkeep (Schedule events-upkeep): the coming days' partitions are created before any
 * event needs one, and days past retention are dropped whole, unless archival is on, in which
 * case they leave only once archived and verified.
 */
export async function eventsUpkeep(): Promise<PartitionUpkeepResult> {
  upsertSearchAttributes([{ key: SLUICE_KIND, value: 'events-upkeep' }]);
  return cloud.maintainEventPartitions({ now: new Date(workflowInfo().runStartTime).toISOString() });
}

/** Rollup refresh (Schedule events-rollups): only the hours that ingests touched since the last one. */
export async function eventRollups(): Promise<RollupRefresh> {
  upsertSearchAttributes([{ key: SLUICE_KIND, value: 'events-rollups' }]);
  return cloud.refreshEventRollups();
}
