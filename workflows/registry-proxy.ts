import { proxyActivities } from '@temporalio/workflow';
import type { RegistryActivities } from '../activities/registry/registry-activities';
import { CLOUD_QUEUE } from './task-queues';

/**
 * The registry activities as workflows call them. Refusals (unknown model, damaged files, a
 * conflict) are UserErrors and fail at once; only infrastructure errors are retried.
 */
export const registry = proxyActivities<RegistryActivities>({
  taskQueue: CLOUD_QUEUE,
  // Copying and hashing a few hundred MB of model files; heartbeats notice a lost worker sooner.
  startToCloseTimeout: '30m',
  heartbeatTimeout: '2m',
  retry: { maximumAttempts: 5, initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m' },
});
