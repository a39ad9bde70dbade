import { defineQuery, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { PurgeActivities } from '../activities/purge/purge-activities';
import type { PurgePlan } from '../activities/purge/plan-purge';
import { SLUICE_KIND } from './search-attributes';
import { CLOUD_QUEUE } from './task-queues';

export interface PurgeWeatherInput {
  /** Only plan: report what would go, delete nothing (`sluice purge plan`). */
  readonly dryRun?: boolean;
  /** ISO; defaults to the workflow's start. */
  readonly now?: string;
}

export interface PurgeWeatherResult {
  readonly plan: PurgePlan;
  readonly deleted: number;
  readonly bytesFreed: number;
  /** Kept with their catalog rows; the next run tries again. */
  readonly failed: { key: string; error: string }[];
}

/** The plan of a running or finished purge, e.g. `temporal workflow query --type plan`. */
export const purgePlanQuery = defineQuery<PurgePlan | undefined>('plan');

const cloud = proxyActivities<PurgeActivities>({
  taskQueue: CLOUD_QUEUE,
  startToCloseTimeout: '30m',
  heartbeatTimeout: '2m',
  retry: { maximumAttempts: 5, initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2m' },
});

/**
 * The retention purge (the seed's phase 3, which never got past a plan there): first the plan,
 * queryable while the run goes on, then each expired cycle deleted in batches. Every step is
 * idempotent: a purge cut short leaves rows only for objects not yet deleted, and the next run
 * picks them up.
 */
export async function purgeWeather(input: PurgeWeatherInput = {}): Promise<PurgeWeatherResult> {
  upsertSearchAttributes([{ key: SLUICE_KIND, value: 'purge' }]);
  let plan: PurgePlan | undefined;
  setHandler(purgePlanQuery, () => plan);
  const planned = await cloud.planPurge({ now: input.now ?? new Date(workflowInfo().runStartTime).toISOString() });
  plan = planned;
  const result = { plan: planned, deleted: 0, bytesFreed: 0, failed: [] as PurgeWeatherResult['failed'] };
  if (input.dryRun) return result;
  for (const cycle of planned.sources.flatMap((source) => source.expired)) {
    const outcome = await cloud.purgeCycle({ source: cycle.source, cycle: cycle.cycle, batchSize: planned.batchSize });
    result.deleted += outcome.deleted;
    result.bytesFreed += outcome.bytesFreed;
    result.failed.push(...outcome.failed);
  }
  return result;
}
