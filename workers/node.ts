import { Worker } from '@temporalio/worker';
import { createHostActivities } from '../activities/host/host-activities';
import { createModelInventoryActivities } from '../activities/host/model-inventory';
import { baseWorkerOptions, type WorkerContext } from './worker-options';

/** Activities on an edge node's own files and services, on `sluice-node-<host>`. */
export function createNodeActivities(deps: { host: string; root: string }) {
  return { ...createHostActivities(deps), ...createModelInventoryActivities(deps) };
}

export function createNodeWorker(context: WorkerContext & { host: string; root: string }): Promise<Worker> {
  return Worker.create({
    ...baseWorkerOptions({ role: 'node', host: context.host, root: context.root }, context),
    activities: createNodeActivities(context),
  });
}
