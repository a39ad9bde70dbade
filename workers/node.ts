import { Worker } from '@temporalio/worker';
import { createHostActivities } from '../activities/host/host-activities';
import { createModelFileActivities } from '../activities/host/apply-model-files';
import { createNodeDeployActivities } from '../activities/host/node-deploy-activities';
import type { ObjectStore } from '../activities/storage/object-store';
import type { Settings } from '../infra/config/load-config';
import { baseWorkerOptions, type WorkerContext } from './worker-options';

type FleetEntry = Settings['fleet'][number];

/** A node worker started for a host that is not in the inventory still reports and takes model files; it has no services or templates. */
const NO_SETUP = { services: {}, templates: [], vars: {} };

/** Activities on an edge node's own files and services, on `sluice-node-<host>`; files come from object storage. */
export function createNodeActivities(deps: { host: string; root: string; store: ObjectStore; inventory?: FleetEntry }) {
  const node = { host: deps.host, root: deps.root, role: deps.inventory?.role, accelerator: deps.inventory?.accelerator };
  return {
    ...createHostActivities(deps),
    ...createNodeDeployActivities({ node, setup: deps.inventory ?? NO_SETUP, store: deps.store }),
    // nodeApplyFiles: kept for deployments started before the node transaction steps (patch 'node-transactions').
    ...createModelFileActivities(deps),
  };
}

export function createNodeWorker(context: WorkerContext & { host: string; root: string; store: ObjectStore; inventory?: FleetEntry }): Promise<Worker> {
  return Worker.create({
    ...baseWorkerOptions({ role: 'node', host: context.host, root: context.root }, context),
    activities: createNodeActivities(context),
  });
}
