import { TimeoutType, type Duration } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, patched, proxyActivities, TimeoutFailure, upsertSearchAttributes } from '@temporalio/workflow';
import { planNode, type NodePlan } from '../activities/fleet/deployment-plan';
import type { FleetActivities, RolloutSettings } from '../activities/fleet/fleet-activities';
import type { ModelFileActivities } from '../activities/host/apply-model-files';
import type { NodeDeployActivities, NodeInventory } from '../activities/host/node-deploy-activities';
import { SLUICE_HOSTS, SLUICE_KIND } from './search-attributes';
import { CLOUD_QUEUE, nodeQueue } from './task-queues';

export interface PlanDeploymentInput {
  /** Only these hosts, like Ansible's --limit. */
  readonly hosts?: string[];
  /** Only these models, like the seed's playbook tags. */
  readonly models?: string[];
  /** How long a node may be offline before it is reported as pending; default from config. */
  readonly offlineTimeout?: Duration;
}

export const fleet = proxyActivities<FleetActivities>({ taskQueue: CLOUD_QUEUE, startToCloseTimeout: '1m', retry: { maximumAttempts: 5 } });

/**
 * A node's deployment steps on its own queue. A node that does not pick a step up within
 * `offlineTimeout` is offline; one that stops heartbeating (its worker died mid-transfer) is
 * retried, on whichever worker polls its queue next, and the transfer resumes.
 */
export function nodeSteps(host: string, rollout: Pick<RolloutSettings, 'offlineTimeout' | 'heartbeatTimeout'>): NodeDeployActivities {
  return proxyActivities<NodeDeployActivities>({
    taskQueue: nodeQueue(host),
    scheduleToStartTimeout: rollout.offlineTimeout as Duration,
    startToCloseTimeout: '2h',
    heartbeatTimeout: rollout.heartbeatTimeout as Duration,
    retry: { maximumAttempts: 5, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  });
}

/** A node's report (nodeInventory), and nodeApplyFiles as deployments before patch 'node-transactions' called it. */
export function nodeActivities(host: string, offlineTimeout: Duration): NodeDeployActivities & ModelFileActivities {
  return proxyActivities<NodeDeployActivities & ModelFileActivities>({
    taskQueue: nodeQueue(host),
    scheduleToStartTimeout: offlineTimeout,
    startToCloseTimeout: '1h',
    heartbeatTimeout: '1m',
    retry: { maximumAttempts: 3, initialInterval: '2s', backoffCoefficient: 2 },
  });
}

/** True when an activity failed because no worker on the node's queue took it: the node is offline. */
export function isOffline(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_START;
}

/** The message of an activity's failure, without the SDK's wrapping. */
export function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Targets from the registry and each node's own report (files, task configs rendered for its
 * targets, services), compared; shared by planDeployment and deployModels. With `record`, what
 * each node reported is kept for `sluice fleet`.
 */
export async function planNodes(input: PlanDeploymentInput, kind: string, record = false): Promise<{ plans: NodePlan[]; rollout: RolloutSettings }> {
  const { hosts, managed, rollout } = await fleet.deploymentTargets({ hosts: input.hosts, models: input.models });
  upsertSearchAttributes([
    { key: SLUICE_KIND, value: kind },
    { key: SLUICE_HOSTS, value: hosts.map((entry) => entry.host) },
  ]);
  const offlineTimeout = input.offlineTimeout ?? rollout.offlineTimeout;
  const managedModels = new Set(managed);
  const plans = await Promise.all(
    hosts.map(async ({ host, targets }): Promise<NodePlan> => {
      const base = { host, targets: targets.map(({ model, version, pinned }) => ({ model, version, pinned })), installed: [], add: [], change: [], remove: [], unchanged: 0, bytes: 0, configs: [], configModels: [], restart: [] };
      try {
        const report: Partial<NodeInventory> = await nodeActivities(host, offlineTimeout as Duration).nodeInventory({ targets: targets.map(({ model, version }) => ({ model, version })), managed });
        // Reports recorded before nodes rendered configs (replayed histories) hold files only.
        return planNode(host, targets, { files: report.files ?? [], configs: report.configs ?? [], configModels: report.configModels ?? [], services: report.services ?? [] }, managedModels);
      } catch (err) {
        if (isOffline(err)) return { ...base, status: 'pending' };
        // A node that cannot render its configs (an unknown template variable) fails alone.
        if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) return { ...base, status: 'failed', error: err.cause.message };
        throw err;
      }
    }),
  );
  if (record) await fleet.recordNodeReports({ plans });
  return { plans, rollout: { ...rollout, offlineTimeout: String(offlineTimeout) } };
}

/**
 * What a deployment would do, per node, changing nothing (`sluice deploy plan`, like
 * `ansible --check --diff`): each node's target versions from the registry (pins and role lists
 * applied), the files to add, change and remove, the task configs that change (with a diff) and
 * the services that would restart, from what the node itself reports.
 */
export async function planDeployment(input: PlanDeploymentInput = {}): Promise<NodePlan[]> {
  return (await planNodes(input, 'deploy-plan', patched('fleet-node-reports'))).plans;
}
