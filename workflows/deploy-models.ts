import { defineQuery, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { isNoop, type NodePlan } from '../activities/fleet/deployment-plan';
import { deployNode, sourceKeys, type NodeDeployment, type NodePhase } from './deploy-node';
import { legacyDeployModels } from './deploy-models-legacy';
import { fleet, planNodes, type PlanDeploymentInput } from './plan-deployment';

export type { NodeDeployment } from './deploy-node';

/**
 * canary: one node first, then batches (the default); rolling: batches from the start;
 * all-at-once: every node together, for a fleet that must change as one.
 */
export type RolloutStrategy = 'canary' | 'rolling' | 'all-at-once';

export interface DeployModelsInput extends PlanDeploymentInput {
  readonly strategy?: RolloutStrategy;
  /** Nodes per batch after the canary; default from config (deploy.batchSize). */
  readonly batchSize?: number;
  /** Percent of tried nodes that may fail before the rollout stops; default from config. */
  readonly maxFailPercent?: number;
}

export interface DeployModelsResult {
  readonly plans: NodePlan[];
  readonly nodes: NodeDeployment[];
  /** Why the rollout stopped early, if it did. */
  readonly stopped?: string;
}

export interface DeployProgress {
  readonly stage: 'planning' | 'rolling out' | 'done';
  readonly nodes: { host: string; phase: NodePhase; detail?: string }[];
  readonly stopped?: string;
}

export const deployProgressQuery = defineQuery<DeployProgress>('deployProgress');

/**
 * Brings the edge nodes to the registry's targets, the way fleet tools roll out: plans first (as
 * `sluice deploy plan`), then (strategy canary, the default) the first node with changes as a
 * canary, then the rest in batches.
 * Each node's change is a transaction (deployNode): a node whose restart or health check fails is
 * put back as it was. A failed canary stops the rollout; after it, the rollout stops once failures
 * pass maxFailPercent of the nodes it touches. Nothing changed means nothing moved and nothing
 * restarted. Offline nodes are reported as pending, not as failures. Each node's outcome is kept
 * for `sluice fleet`.
 */
export async function deployModels(input: DeployModelsInput = {}): Promise<DeployModelsResult> {
  if (!patched('node-transactions')) return legacyDeployModels(input);
  let stage: DeployProgress['stage'] = 'planning';
  const phases = new Map<string, { phase: NodePhase; detail?: string }>();
  let stopped: string | undefined;
  setHandler(deployProgressQuery, () => ({ stage, nodes: [...phases].map(([host, state]) => ({ host, ...state })), ...(stopped ? { stopped } : {}) }));

  const { plans, rollout } = await planNodes(input, 'deploy', true);
  const batchSize = input.batchSize ?? rollout.batchSize;
  const maxFailPercent = input.maxFailPercent ?? rollout.maxFailPercent;
  const outcomes = new Map<string, NodeDeployment>();
  const settle = (outcome: NodeDeployment) => {
    outcomes.set(outcome.host, outcome);
    phases.set(outcome.host, { phase: outcome.status, detail: outcome.detail });
  };
  const toChange: NodePlan[] = [];
  for (const plan of plans) {
    if (plan.status === 'pending') settle({ host: plan.host, status: 'pending', bytesMoved: 0, detail: 'offline: its worker did not answer' });
    else if (plan.status === 'failed') settle({ host: plan.host, status: 'failed', bytesMoved: 0, detail: plan.error ?? 'could not be planned' });
    else if (isNoop(plan)) settle({ host: plan.host, status: 'unchanged', bytesMoved: 0, detail: `${plan.unchanged} files and ${plan.configs.length} configs already in place` });
    else {
      toChange.push(plan);
      phases.set(plan.host, { phase: 'waiting' });
    }
  }
  stage = 'rolling out';

  const keys = await sourceKeys(toChange.flatMap((plan) => [...plan.add, ...plan.change]));
  // One id per run, the same on every node: its staging and journal directory there.
  const deployment = workflowInfo().runId;
  const deploy = async (plan: NodePlan) => settle(await deployNode(plan, keys, deployment, rollout, (phase) => phases.set(plan.host, { phase })));

  // Failures count against maxFailPercent of every node the rollout touches, those that could not
  // be planned (a template error) included: with the default 0, any failure stops it.
  const total = toChange.length + plans.filter((plan) => plan.status === 'failed').length;
  const failedCount = () => [...outcomes.values()].filter((outcome) => outcome.status === 'failed').length;
  const tooMany = () => failedCount() > 0 && (failedCount() / total) * 100 > maxFailPercent;
  if (tooMany()) stopped = `${failedCount()} of ${total} nodes could not be planned, more than the ${maxFailPercent}% allowed`;
  const strategy = input.strategy ?? 'canary';
  const canary = strategy === 'canary' ? toChange[0] : undefined;
  const rest = canary ? toChange.slice(1) : toChange;
  const batch = strategy === 'all-at-once' ? Math.max(rest.length, 1) : batchSize;
  if (canary && !stopped) {
    await deploy(canary);
    const outcome = outcomes.get(canary.host)!;
    if (outcome.status === 'failed') stopped = `the canary ${canary.host} failed: ${outcome.detail}`;
  }
  for (let at = 0; at < rest.length && !stopped; at += batch) {
    await Promise.all(rest.slice(at, at + batch).map(deploy));
    if (tooMany()) stopped = `${failedCount()} of ${total} nodes failed, more than the ${maxFailPercent}% allowed`;
  }
  for (const plan of toChange) if (!outcomes.has(plan.host)) settle({ host: plan.host, status: 'skipped', bytesMoved: 0, detail: 'not reached: the rollout stopped' });
  const nodes = plans.map((plan) => outcomes.get(plan.host)!);
  await fleet.recordNodeDeployments({ workflowId: workflowInfo().workflowId, nodes: nodes.map(({ host, status, detail, installed }) => ({ host, status, detail, ...(installed ? { installed } : {}) })) });
  stage = 'done';
  return { plans, nodes, ...(stopped ? { stopped } : {}) };
}
