import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { UserError } from '../../infra/errors/user-error';
import { deployProgressQuery, type DeployModelsResult, type DeployProgress } from '../../workflows/deploy-models';

export interface DeploymentStatus {
  readonly workflowId: string;
  readonly status: string;
  readonly startTime: Date;
  readonly closeTime?: Date;
  /** While it runs. */
  readonly progress?: DeployProgress;
  /** Once it completed. */
  readonly result?: DeployModelsResult;
}

/**
 * The most recent deployment (deployModels run, standalone or started by a promotion), or the one
 * named: its per-node progress while it runs, its outcome once it is done.
 */
export async function deploymentStatus(client: Client, workflowId?: string): Promise<DeploymentStatus | undefined> {
  const info = workflowId ? await client.workflow.getHandle(workflowId).describe().catch(() => undefined) : await latest(client);
  if (!info) {
    if (workflowId) throw new UserError(`No deployment with workflow id ${workflowId}.`, 'Run sluice deploy status without --workflow to see the latest one.');
    return undefined;
  }
  if (info.type !== 'deployModels') throw new UserError(`Workflow ${info.workflowId} is a ${info.type}, not a deployment.`, 'Name a deployModels workflow (sluice deploy run prints its id).');
  const handle = client.workflow.getHandle(info.workflowId, info.runId);
  const base = { workflowId: info.workflowId, status: info.status.name, startTime: info.startTime, ...(info.closeTime ? { closeTime: info.closeTime } : {}) };
  if (info.status.name === 'RUNNING') return { ...base, progress: await handle.query(deployProgressQuery) };
  if (info.status.name === 'COMPLETED') return { ...base, result: (await handle.result()) as DeployModelsResult };
  return base;
}

async function latest(client: Client): Promise<WorkflowExecutionInfo | undefined> {
  let newest: WorkflowExecutionInfo | undefined;
  // Visibility lists newest first, but not every store promises it: keep the newest of the first page.
  let seen = 0;
  for await (const info of client.workflow.list({ query: 'WorkflowType = "deployModels"' })) {
    if (!newest || info.startTime > newest.startTime) newest = info;
    if (++seen >= 100) break;
  }
  return newest;
}
