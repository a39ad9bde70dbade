import { Worker } from '@temporalio/worker';
import { createHostActivities } from '../activities/host/host-activities';
import { baseWorkerOptions, type WorkerContext } from './worker-options';

/** Activities on a datasink's own disk, on `sluice-datasink-<host>`. */
export function createDatasinkActivities(deps: { host: string; root: string }) {
  return { ...createHostActivities(deps) };
}

export function createDatasinkWorker(context: WorkerContext & { host: string; root: string }): Promise<Worker> {
  return Worker.create({
    ...baseWorkerOptions({ role: 'datasink', host: context.host, root: context.root }, context),
    activities: createDatasinkActivities(context),
  });
}
