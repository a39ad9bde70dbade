import type { Pool } from 'pg';
import { FACELIST_MODEL } from '../registry/facelist-names';
import type { NodePlan } from './deployment-plan';
import { recordDeployments, recordReports, type NodeOutcome } from './fleet-nodes';
import { resolveTargets, type FleetNode, type HostTargets } from './targets';

/** The rollout settings of config (`deploy:`). */
export interface RolloutSettings {
  readonly batchSize: number;
  readonly maxFailPercent: number;
  /** A Temporal duration, e.g. "10m". */
  readonly offlineTimeout: string;
  /** How long a node step may go without a heartbeat before it is tried again (its worker died). */
  readonly heartbeatTimeout: string;
}

/** The fleet side of deployments, on the cloud queue: who should hold what, from the registry, and what each node reported. */
export function createFleetActivities(deps: { pool: Pool; fleet: readonly FleetNode[]; rollout: RolloutSettings }) {
  return {
    async deploymentTargets(input: { hosts?: string[]; models?: string[] }): Promise<{ hosts: HostTargets[]; managed: string[]; rollout: RolloutSettings }> {
      const hosts = await resolveTargets(deps.pool, deps.fleet, input);
      const { rows } = await deps.pool.query<{ model: string }>('SELECT model FROM registry_models WHERE model <> $1 ORDER BY model', [FACELIST_MODEL]);
      return { hosts, managed: input.models ?? rows.map((row) => row.model), rollout: deps.rollout };
    },

    async recordNodeReports(input: { plans: NodePlan[] }): Promise<void> {
      await recordReports(deps.pool, input.plans);
    },

    async recordNodeDeployments(input: { workflowId: string; nodes: NodeOutcome[] }): Promise<void> {
      await recordDeployments(deps.pool, input.workflowId, input.nodes);
    },
  };
}

export type FleetActivities = ReturnType<typeof createFleetActivities>;
