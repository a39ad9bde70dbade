import { proxyActivities, type RetryPolicy } from '@temporalio/workflow';
import type { RegistryActivities } from '../activities/registry/registry-activities';
import type { RegistryFileActivities } from '../activities/registry/registry-file-activities';
import { CLOUD_QUEUE } from './task-queues';

/**
 * The registry activities as workflows call them. Refusals (unknown model, damaged files, a
 * conflict) are UserErrors and fail at once; only infrastructure errors are retried.
 */
const retry: RetryPolicy = { maximumAttempts: 5, initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m' };

export const registry = proxyActivities<RegistryActivities>({
  taskQueue: CLOUD_QUEUE,
  // Copying and hashing a few hundred MB of model files; heartbeats notice a lost worker sooner.
  startToCloseTimeout: '30m',
  heartbeatTimeout: '2m',
  retry,
});

/**
 * The registry's file activities on the worker that holds the files: the cloud worker for object
 * storage, the registry datasink's worker for its disk (registry.registryFilesQueue() says which).
 * A datasink that is down fails the step after 10 minutes instead of holding it forever.
 */
export function registryFilesOn(taskQueue: string): RegistryFileActivities {
  return proxyActivities<RegistryFileActivities>({ taskQueue, startToCloseTimeout: '30m', heartbeatTimeout: '2m', scheduleToStartTimeout: '10m', retry });
}

/**
 * Runs of the first registry workflows did their file work in cloud activities that assumed object
 * storage; runs started since ask where the files are. Recorded histories of the first kind still
 * replay (test/histories).
 */
export const REGISTRY_FILES_WHERE_THEY_ARE = 'registry-files-where-they-are';
