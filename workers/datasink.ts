import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { createFacelistActivities } from '../activities/host/facelist-activities';
import { createHostActivities } from '../activities/host/host-activities';
import { DiskRegistryFiles } from '../activities/registry/disk-registry-files';
import { createRegistryFileActivities } from '../activities/registry/registry-file-activities';
import type { ObjectStore } from '../activities/storage/object-store';
import { baseWorkerOptions, type WorkerContext } from './worker-options';

/**
 * Activities on a datasink's own disk, on `sluice-datasink-<host>`; files come from object storage.
 * The registry's file activities answer here for a registry kept under <root>/<prefix>.
 */
export function createDatasinkActivities(deps: { host: string; root: string; store: ObjectStore; registryPrefix: string }) {
  const registryRoot = path.join(deps.root, deps.registryPrefix.replace(/\/$/, ''));
  return {
    ...createHostActivities(deps),
    ...createFacelistActivities(deps),
    ...createRegistryFileActivities({ files: new DiskRegistryFiles(registryRoot, deps.store, deps.registryPrefix, deps.host), store: deps.store, prefix: deps.registryPrefix }),
  };
}

export function createDatasinkWorker(context: WorkerContext & { host: string; root: string; store: ObjectStore; registryPrefix: string }): Promise<Worker> {
  return Worker.create({
    ...baseWorkerOptions({ role: 'datasink', host: context.host, root: context.root }, context),
    activities: createDatasinkActivities(context),
  });
}
