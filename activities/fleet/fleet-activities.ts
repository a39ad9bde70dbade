import type { Pool } from 'pg';
import { FACELIST_MODEL } from '../registry/facelist-names';
import { resolveTargets, type FleetNode, type HostTargets } from './targets';

/** The fleet side of deployments, on the cloud queue: who should hold what, from the registry. */
/** The rollout settings of config (`deploy:`). */
export interface RolloutSettings {
  readonly batchSize: number;
  readonly maxFailPercent: number;
  /** A Temporal duration, e.g. "10m". */
  readonly offlineTimeout: string;
}

export function createFleetActivities(deps: { pool: Pool; fleet: readonly FleetNode[]; rollout: RolloutSettings }) {
  return {
    async deploymentTargets(input: { hosts?: string[]; models?: string[] }): Promise<{ hosts: HostTargets[]; managed: string[]; rollout: RolloutSettings }> {
      const hosts = await resolveTargets(deps.pool, deps.fleet, input);
      const { rows } = await deps.pool.query<{ model: string }>('SELECT model FROM registry_models WHERE model <> $1 ORDER BY model', [FACELIST_MODEL]);
      return { hosts, managed: input.models ?? rows.map((row) => row.model), rollout: deps.rollout };
    },
  };
}

export type FleetActivities = ReturnType<typeof createFleetActivities>;
