import { Worker } from '@temporalio/worker';
import { createHostActivities } from '../activities/host/host-activities';
import { createModelFileActivities } from '../activities/host/apply-model-files';
import { createModelInventoryActivities } from '../activities/host/model-inventory';
import type { ObjectStore } from '../activities/storage/object-store';
import { baseWorkerOptions, type WorkerContext } from './worker-options';

/** Activities on an edge node's own files and services, on `sluice-node-<host>`; files come from object storage. */
export function createNodeActivities(deps: { host: string; root: string; store: ObjectStore }) {
  return { ...createHostActivities(deps), ...createModelInventoryActivities(deps), ...createModelFileActivities(deps) };
}

export function createNodeWorker(context: WorkerContext & { host: string; root: string; store: ObjectStore }): Promise<Worker> {
  return Worker.create({
    ...baseWorkerOptions({ role: 'node', host: context.host, root: context.root }, context),
    activities: createNodeActivities(context),
  });
}
