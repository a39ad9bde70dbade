import { Option, type Command } from 'commander';
import type { NodePlan } from '../../../activities/fleet/deployment-plan';
import { deploymentStatus, type DeploymentStatus } from '../../fleet/deployment-status';
import { followDeployment, formatDeployProgress } from '../../fleet/deploy-progress';
import { deployModels, type DeployModelsResult, type RolloutStrategy } from '../../../workflows/deploy-models';
import { planDeployment } from '../../../workflows/plan-deployment';
import { CONTROL_QUEUE } from '../../../workflows/task-queues';
import { formatBytes } from '../../ingest/ingest-status';
import { clientFor, commandContext } from '../context';
import { showProgress } from '../progress-line';

const list = (text: string | undefined) => (text === undefined ? undefined : text.split(',').map((item) => item.trim()).filter(Boolean));

interface ScopeOptions {
  hosts?: string;
  models?: string;
  json?: boolean;
}

/** `sluice deploy plan|run|status`: what a model deployment would change on each node, doing it, and how the last one went. */
export function registerDeploy(program: Command): void {
  const deploy = program.command('deploy').description('deploy model versions from the registry to the edge nodes');
  withScope(deploy.command('plan').description('per node: files to add, change and remove, task configs that change (with a diff), services to restart; changes nothing'))
    .option('--no-diff', 'leave out the config diffs')
    .action(async (options: ScopeOptions & { diff: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals());
      const client = await clientFor(context);
      try {
        const plans = await client.workflow.execute(planDeployment, {
          taskQueue: CONTROL_QUEUE,
          workflowId: `deploy-plan-${new Date().toISOString()}`,
          args: [{ hosts: list(options.hosts), models: list(options.models) }],
        });
        process.stdout.write(options.json ? `${JSON.stringify(plans, null, 2)}\n` : formatPlans(plans, options.diff));
        if (plans.some((plan) => plan.status === 'failed')) process.exitCode = 1;
      } finally {
        await client.connection.close();
      }
    });
  withScope(deploy.command('run').description('deploy: a canary node first, then batches (deploy.batchSize, deploy.maxFailPercent); a node failing its restart or health check is rolled back; offline nodes end as pending'))
    .addOption(new Option('--strategy <name>', 'canary: one node first, then batches; rolling: batches only; all-at-once: every node together').choices(['canary', 'rolling', 'all-at-once']).default('canary'))
    .action(async (options: ScopeOptions & { strategy: RolloutStrategy }, command: Command) => {
      const context = commandContext(command.optsWithGlobals());
      const client = await clientFor(context);
      try {
        const workflowId = `deploy-${new Date().toISOString()}`;
        process.stderr.write(`deploying (workflow ${workflowId}; sluice deploy status or the Web UI follow it too)…\n`);
        const handle = await client.workflow.start(deployModels, { taskQueue: CONTROL_QUEUE, workflowId, args: [{ hosts: list(options.hosts), models: list(options.models), strategy: options.strategy }] });
        const following = followDeployment(handle, (progress, staging) => showProgress(formatDeployProgress(progress, staging)));
        const result = await handle.result();
        await following;
        showProgress('');
        process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatOutcome(result));
        if (result.stopped || result.nodes.some((n) => n.status === 'failed')) process.exitCode = 1;
      } finally {
        await client.connection.close();
      }
    });
  withScope(deploy.command('status').description('the latest deployment (or --workflow ID): per-node progress while it runs, per-node outcome once done'))
    .option('--workflow <id>', 'a deployment by its workflow id')
    .action(async (options: ScopeOptions & { workflow?: string }, command: Command) => {
      const context = commandContext(command.optsWithGlobals());
      const client = await clientFor(context);
      try {
        const status = await deploymentStatus(client, options.workflow);
        if (options.json) process.stdout.write(`${JSON.stringify(status ?? null, null, 2)}\n`);
        else process.stdout.write(status ? formatStatus(status, list(options.hosts), list(options.models)) : 'No deployment has run yet (sluice deploy run, or a promotion, starts one).\n');
      } finally {
        await client.connection.close();
      }
    });
}

/** --hosts and --models narrow a deployment like Ansible's --limit and tags. */
function withScope(command: Command): Command {
  return command
    .option('--hosts <names>', 'only these hosts, comma-separated')
    .option('--models <names>', 'only these models, comma-separated')
    .option('--json', 'print JSON');
}

export function formatPlans(plans: readonly NodePlan[], withDiff = true): string {
  if (plans.length === 0) return 'No edge nodes to deploy to (fleet: has no outposts or sentinels, or --hosts left none).\n';
  const lines: string[] = [];
  for (const plan of plans) {
    const targets = plan.targets.map((t) => `${t.model} ${t.version}${t.pinned ? ' (pinned)' : ''}`).join(', ') || 'nothing';
    if (plan.status === 'pending') {
      lines.push(`${plan.host}: PENDING (its worker did not answer); targets: ${targets}`);
      continue;
    }
    if (plan.status === 'failed') {
      lines.push(`${plan.host}: CANNOT BE PLANNED: ${plan.error}`);
      continue;
    }
    const configs = plan.configs.filter((config) => config.status !== 'unchanged');
    lines.push(
      `${plan.host}: ${plan.add.length} to add, ${plan.change.length} to change, ${plan.remove.length} to remove, ${plan.unchanged} unchanged; ${formatBytes(plan.bytes)} to move; targets: ${targets}`,
    );
    for (const f of plan.add) lines.push(`  + ${f.model}/${f.version}/${f.path}  ${formatBytes(f.size)}`);
    for (const f of plan.change) lines.push(`  ~ ${f.model}/${f.version}/${f.path}  ${formatBytes(f.size)}`);
    for (const f of plan.remove) lines.push(`  - ${f.model}/${f.version}/${f.path}`);
    for (const config of configs) {
      lines.push(`  ${config.status === 'create' ? '+' : '~'} config ${config.path}${config.services.length > 0 ? ` (restarts ${config.services.join(', ')})` : ''}`);
      if (withDiff) lines.push(...config.diff.trimEnd().split('\n').map((line) => `      ${line}`));
    }
    if (plan.restart.length > 0) lines.push(`  restart: ${plan.restart.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatOutcome(result: DeployModelsResult, hosts?: readonly string[]): string {
  const lines = result.nodes.filter((n) => !hosts || hosts.includes(n.host)).map((n) => `${n.host}: ${n.status.toUpperCase()}  ${formatBytes(n.bytesMoved)} moved  ${n.detail}`);
  if (result.stopped) lines.push(`Rollout stopped: ${result.stopped}`);
  return `${lines.join('\n')}\n`;
}

function formatStatus(status: DeploymentStatus, hosts?: readonly string[], models?: readonly string[]): string {
  const header = `Deployment ${status.workflowId}: ${status.status.toLowerCase()}, started ${status.startTime.toISOString()}${status.closeTime ? `, closed ${status.closeTime.toISOString()}` : ''}`;
  if (status.progress) {
    const nodes = status.progress.nodes.filter((node) => !hosts || hosts.includes(node.host));
    return `${header}\n${status.progress.stage}\n${nodes.map((node) => `  ${node.host}: ${node.phase}${node.detail ? `  ${node.detail}` : ''}`).join('\n')}\n`;
  }
  if (!status.result) return `${header}\n`;
  const targets = status.result.plans
    .filter((plan) => !hosts || hosts.includes(plan.host))
    .map((plan) => `  ${plan.host} targets: ${plan.targets.filter((t) => !models || models.includes(t.model)).map((t) => `${t.model} ${t.version}`).join(', ') || 'nothing'}`);
  return `${header}\n${formatOutcome(status.result, hosts)}${targets.join('\n')}\n`;
}
