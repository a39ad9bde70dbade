import type { Duration } from '@temporalio/common';
import { ActivityFailure } from '@temporalio/workflow';
import type { FileChange, NodePlan } from '../activities/fleet/deployment-plan';
import type { FileToFetch } from '../activities/host/apply-model-files';
import { isOffline, nodeActivities, planNodes, type PlanDeploymentInput } from './plan-deployment';
import { registry, registryFilesOn } from './registry-proxy';

export interface DeployModelsInput extends PlanDeploymentInput {
  /** Nodes per batch after the canary; default from config (deploy.batchSize). */
  readonly batchSize?: number;
  /** Percent of tried nodes that may fail before the rollout stops; default from config. */
  readonly maxFailPercent?: number;
}

export interface NodeDeployment {
  readonly host: string;
  /** skipped: not reached, because the rollout stopped; pending: offline, not a failure. */
  readonly status: 'deployed' | 'unchanged' | 'pending' | 'failed' | 'skipped';
  readonly bytesMoved: number;
  readonly detail: string;
}

export interface DeployModelsResult {
  readonly plans: NodePlan[];
  readonly nodes: NodeDeployment[];
  /** Why the rollout stopped early, if it did. */
  readonly stopped?: string;
}

/**
 * Brings the edge nodes to the registry's targets: plans first (as `sluice deploy plan`), then
 * the first node with changes as a canary, then the rest in batches. A failed canary stops the
 * rollout; after it, the rollout stops once failures pass maxFailPercent of the nodes tried.
 * Each node fetches only missing or changed files (verified, atomically placed) and removes what
 * no target needs; a second deployment with nothing changed moves nothing. Offline nodes are
 * reported as pending. Service restarts, health checks and rollback on failure come next.
 */
export async function deployModels(input: DeployModelsInput = {}): Promise<DeployModelsResult> {
  const { plans, rollout } = await planNodes(input, 'deploy');
  const batchSize = input.batchSize ?? rollout.batchSize;
  const maxFailPercent = input.maxFailPercent ?? rollout.maxFailPercent;
  const outcomes = new Map<string, NodeDeployment>();
  const toChange: NodePlan[] = [];
  for (const plan of plans) {
    if (plan.status === 'pending') outcomes.set(plan.host, { host: plan.host, status: 'pending', bytesMoved: 0, detail: 'offline: its worker did not answer' });
    else if (plan.add.length + plan.change.length + plan.remove.length === 0) outcomes.set(plan.host, { host: plan.host, status: 'unchanged', bytesMoved: 0, detail: `${plan.unchanged} files already in place` });
    else toChange.push(plan);
  }

  const keys = await sourceKeys(toChange.flatMap((plan) => [...plan.add, ...plan.change]));
  const deploy = async (plan: NodePlan): Promise<NodeDeployment> => {
    const fetch: FileToFetch[] = [...plan.add, ...plan.change].map((file) => ({ ...file, key: keys.get(fileId(file))! }));
    try {
      const applied = await nodeActivities(plan.host, rollout.offlineTimeout as Duration).nodeApplyFiles({ fetch, remove: plan.remove });
      return { host: plan.host, status: 'deployed', bytesMoved: applied.bytesMoved, detail: `${applied.fetched} fetched, ${applied.alreadyInPlace} already in place, ${applied.removed} removed` };
    } catch (err) {
      if (isOffline(err)) return { host: plan.host, status: 'pending', bytesMoved: 0, detail: 'offline: its worker did not take the deployment' };
      return { host: plan.host, status: 'failed', bytesMoved: 0, detail: err instanceof ActivityFailure && err.cause ? err.cause.message : String(err) };
    }
  };

  let stopped: string | undefined;
  const [canary, ...rest] = toChange;
  if (canary) {
    const outcome = await deploy(canary);
    outcomes.set(canary.host, outcome);
    if (outcome.status === 'failed') stopped = `the canary ${canary.host} failed: ${outcome.detail}`;
  }
  let tried = 0;
  let failed = 0;
  for (let at = 0; at < rest.length && !stopped; at += batchSize) {
    const batch = await Promise.all(rest.slice(at, at + batchSize).map(deploy));
    for (const outcome of batch) {
      outcomes.set(outcome.host, outcome);
      if (outcome.status === 'pending') continue;
      tried += 1;
      if (outcome.status === 'failed') failed += 1;
    }
    if (failed > 0 && (failed / tried) * 100 > maxFailPercent) stopped = `${failed} of ${tried} nodes failed, more than the ${maxFailPercent}% allowed`;
  }
  for (const plan of toChange) if (!outcomes.has(plan.host)) outcomes.set(plan.host, { host: plan.host, status: 'skipped', bytesMoved: 0, detail: 'not reached: the rollout stopped' });
  return { plans, nodes: plans.map((plan) => outcomes.get(plan.host)!), ...(stopped ? { stopped } : {}) };
}

const fileId = (file: Pick<FileChange, 'model' | 'version' | 'path'>) => `${file.model}/${file.version}/${file.path}`;

/** Object-storage keys of every file to move, asked once of wherever the registry keeps its files. */
async function sourceKeys(files: readonly FileChange[]): Promise<Map<string, string>> {
  const unique = [...new Map(files.map((file) => [fileId(file), file])).values()];
  if (unique.length === 0) return new Map();
  const keys = await registryFilesOn(await registry.registryFilesQueue()).registryShareFiles({
    files: unique.map((file) => ({ model: file.model, version: file.version, file: { path: file.path, size: file.size, sha256: file.sha256 } })),
  });
  return new Map(unique.map((file, i) => [fileId(file), keys[i]!]));
}
