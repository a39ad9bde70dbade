import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { baseWorkerOptions, type WorkerContext } from './worker-options';

/**
 * The control role runs every workflow (and no activities) on the `sluice` queue. Tests pass a
 * bundle built once per run; otherwise the SDK bundles the workflow code at start.
 */
export function createControlWorker(context: WorkerContext & { workflowBundle?: WorkflowBundleOption }): Promise<Worker> {
  return Worker.create({
    ...baseWorkerOptions({ role: 'control' }, context),
    ...(context.workflowBundle ? { workflowBundle: context.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
}
