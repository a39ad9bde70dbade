import { Worker } from '@temporalio/worker';
import { createFacelistActivities } from '../activities/host/facelist-activities';
import { createHostActivities } from '../activities/host/host-activities';
import type { ObjectStore } from '../activities/storage/object-store';
import { baseWorkerOptions, type WorkerContext } from './worker-options';

/** Activities on a datasink's own disk, on `sluice-datasink-<host>`; files come from object storage. */
export function createDatasinkActivities(deps: { host: string; root: string; store: ObjectStore }) {
  return { ...createHostActivities(deps), ...createFacelistActivities(deps) };
}

export function createDatasinkWorker(context: WorkerContext & { host: string; root: string; store: ObjectStore }): Promise<Worker> {
  return Worker.create({
    ...baseWorkerOptions({ role: 'datasink', host: context.host, root: context.root }, context),
    activities: createDatasinkActivities(context),
  });
}
