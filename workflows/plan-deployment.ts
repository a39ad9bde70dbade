import { TimeoutType, type Duration } from '@temporalio/common';
import { ActivityFailure, proxyActivities, TimeoutFailure, upsertSearchAttributes } from '@temporalio/workflow';
import { planNode, type NodePlan } from '../activities/fleet/deployment-plan';
import type { FleetActivities, RolloutSettings } from '../activities/fleet/fleet-activities';
import type { ModelFileActivities } from '../activities/host/apply-model-files';
import type { ModelInventoryActivities } from '../activities/host/model-inventory';
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

const fleet = proxyActivities<FleetActivities>({ taskQueue: CLOUD_QUEUE, startToCloseTimeout: '1m', retry: { maximumAttempts: 5 } });

/** A node's activities on its own queue; a node that does not pick a task up within `offlineTimeout` is offline. */
export function nodeActivities(host: string, offlineTimeout: Duration): ModelInventoryActivities & ModelFileActivities {
  return proxyActivities<ModelInventoryActivities & ModelFileActivities>({
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

/** Targets from the registry and each node's own inventory, compared; shared by planDeployment and deployModels. */
export async function planNodes(input: PlanDeploymentInput, kind: string): Promise<{ plans: NodePlan[]; rollout: RolloutSettings }> {
  const { hosts, managed, rollout } = await fleet.deploymentTargets({ hosts: input.hosts, models: input.models });
  upsertSearchAttributes([
    { key: SLUICE_KIND, value: kind },
    { key: SLUICE_HOSTS, value: hosts.map((entry) => entry.host) },
  ]);
  const offlineTimeout = input.offlineTimeout ?? rollout.offlineTimeout;
  const managedModels = new Set(managed);
  const plans = await Promise.all(
    hosts.map(async ({ host, targets }): Promise<NodePlan> => {
      try {
        const { files } = await nodeActivities(host, offlineTimeout as Duration).nodeInventory();
        return planNode(host, targets, files, managedModels);
      } catch (err) {
        if (!isOffline(err)) throw err;
        return { host, status: 'pending', targets: targets.map(({ model, version, pinned }) => ({ model, version, pinned })), add: [], change: [], remove: [], unchanged: 0, bytes: 0 };
      }
    }),
  );
  return { plans, rollout: { ...rollout, offlineTimeout: String(offlineTimeout) } };
}

/**
 * What a deployment would do, per node, changing nothing (`sluice deploy plan`, like
 * `ansible --check --diff`): each node's target versions from the registry (pins and role lists
 * applied), and the files to add, change and remove, from what the node itself reports holding.
 */
export async function planDeployment(input: PlanDeploymentInput = {}): Promise<NodePlan[]> {
  return (await planNodes(input, 'deploy-plan')).plans;
}
