import type { Duration } from '@temporalio/common';
import { ActivityFailure } from '@temporalio/workflow';
import type { NodePlan } from '../activities/fleet/deployment-plan';
import type { FileToFetch } from '../activities/host/apply-model-files';
import type { DeployModelsInput, DeployModelsResult, NodeDeployment } from './deploy-models';
import { fileId, sourceKeys } from './deploy-node';
import { isOffline, nodeActivities, planNodes } from './plan-deployment';

/**
 * deployModels as it was before each node's change became a transaction (patch 'node-transactions'):
 * one nodeApplyFiles per node, no restarts, no health checks. Kept only so deployments started
 * before that change replay and finish the way they began; new runs never come here.
 */
export async function legacyDeployModels(input: DeployModelsInput): Promise<DeployModelsResult> {
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

