import { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createStackCheckActivities } from '../activities/stack-check/stack-check-activities';
import type { ObjectStore } from '../activities/storage/object-store';
import { baseWorkerOptions, type WorkerContext } from './worker-options';

/** Activities that need the catalog (Postgres) and object storage, on `sluice-cloud`. */
export function createCloudActivities(deps: { pool: Pool; store: ObjectStore }) {
  return { ...createStackCheckActivities(deps) };
}

export function createCloudWorker(context: WorkerContext & { pool: Pool; store: ObjectStore }): Promise<Worker> {
  return Worker.create({
    ...baseWorkerOptions({ role: 'cloud' }, context),
    activities: createCloudActivities(context),
  });
}
