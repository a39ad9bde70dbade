import { TimeoutType, type Duration } from '@temporalio/common';
import { ActivityFailure, proxyActivities, TimeoutFailure, upsertSearchAttributes } from '@temporalio/workflow';
import { planNode, type NodePlan } from '../activities/fleet/deployment-plan';
import type { FleetActivities } from '../activities/fleet/fleet-activities';
import type { ModelInventoryActivities } from '../activities/host/model-inventory';
import { SLUICE_HOSTS, SLUICE_KIND } from './search-attributes';
import { CLOUD_QUEUE, nodeQueue } from './task-queues';

export interface PlanDeploymentInput {
  /** Only these hosts, like Ansible's --limit. */
  readonly hosts?: string[];
  /** Only these models, like the seed's playbook tags. */
  readonly models?: string[];
  /** How long a node may be offline before it is reported as pending (a Temporal duration). */
  readonly offlineTimeout?: Duration;
}

const fleet = proxyActivities<FleetActivities>({ taskQueue: CLOUD_QUEUE, startToCloseTimeout: '1m', retry: { maximumAttempts: 5 } });

/**
 * What a deployment would do, per node, changing nothing (`sluice deploy plan`, like
 * `ansible --check --diff`): each node's target versions from the registry (pins and role lists
 * applied), and the files to add, change and remove, from what the node itself reports holding.
 */
export async function planDeployment(input: PlanDeploymentInput = {}): Promise<NodePlan[]> {
  const { hosts, managed } = await fleet.deploymentTargets({ hosts: input.hosts, models: input.models });
  upsertSearchAttributes([
    { key: SLUICE_KIND, value: 'deploy-plan' },
    { key: SLUICE_HOSTS, value: hosts.map((entry) => entry.host) },
  ]);
  const managedModels = new Set(managed);
  return Promise.all(
    hosts.map(async ({ host, targets }): Promise<NodePlan> => {
      const node = proxyActivities<ModelInventoryActivities>({
        taskQueue: nodeQueue(host),
        scheduleToStartTimeout: input.offlineTimeout ?? '5m',
        startToCloseTimeout: '30m',
        heartbeatTimeout: '1m',
        retry: { maximumAttempts: 3 },
      });
      try {
        const { files } = await node.nodeInventory();
        return planNode(host, targets, files, managedModels);
      } catch (err) {
        if (err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_START) {
          return { host, status: 'pending', targets: targets.map(({ model, version, pinned }) => ({ model, version, pinned })), add: [], change: [], remove: [], unchanged: 0, bytes: 0 };
        }
        throw err;
      }
    }),
  );
}
