import type { Command } from 'commander';
import type { NodePlan } from '../../../activities/fleet/deployment-plan';
import { deployModels } from '../../../workflows/deploy-models';
import { planDeployment } from '../../../workflows/plan-deployment';
import { CONTROL_QUEUE } from '../../../workflows/task-queues';
import { formatBytes } from '../../ingest/ingest-status';
import { clientFor, commandContext } from '../context';

const list = (text: string | undefined) => (text === undefined ? undefined : text.split(',').map((item) => item.trim()).filter(Boolean));

/** `sluice deploy plan|run`: what a model deployment would change on each node, and doing it. */
export function registerDeploy(program: Command): void {
  const deploy = program.command('deploy').description('deploy model versions from the registry to the edge nodes');
  withScope(deploy.command('plan').description('per node: target versions, files to add, change and remove, bytes to move (changes nothing)'))
    .action(async (options: { hosts?: string; models?: string; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals());
      const client = await clientFor(context);
      try {
        const plans = await client.workflow.execute(planDeployment, {
          taskQueue: CONTROL_QUEUE,
          workflowId: `deploy-plan-${new Date().toISOString()}`,
          args: [{ hosts: list(options.hosts), models: list(options.models) }],
        });
        process.stdout.write(options.json ? `${JSON.stringify(plans, null, 2)}\n` : formatPlans(plans));
      } finally {
        await client.connection.close();
      }
    });
  registerRun(deploy);
}

/** --hosts and --models narrow a deployment like Ansible's --limit and tags. */
function withScope(command: Command): Command {
  return command
    .option('--hosts <names>', 'only these hosts, comma-separated')
    .option('--models <names>', 'only these models, comma-separated')
    .option('--json', 'print JSON');
}

function registerRun(deploy: Command): void {
  withScope(deploy.command('run').description('deploy: a canary node first, then batches (deploy.batchSize, deploy.maxFailPercent); offline nodes end as pending'))
    .action(async (options: { hosts?: string; models?: string; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals());
      const client = await clientFor(context);
      try {
        const workflowId = `deploy-${new Date().toISOString()}`;
        process.stderr.write(`deploying (workflow ${workflowId}; follow it in the Web UI)…\n`);
        const result = await client.workflow.execute(deployModels, { taskQueue: CONTROL_QUEUE, workflowId, args: [{ hosts: list(options.hosts), models: list(options.models) }] });
        if (options.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          const lines = result.nodes.map((n) => `${n.host}: ${n.status.toUpperCase()}  ${formatBytes(n.bytesMoved)} moved  ${n.detail}`);
          if (result.stopped) lines.push(`Rollout stopped: ${result.stopped}`);
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        if (result.stopped || result.nodes.some((n) => n.status === 'failed')) process.exitCode = 1;
      } finally {
        await client.connection.close();
      }
    });
}

export function formatPlans(plans: readonly NodePlan[]): string {
  if (plans.length === 0) return 'No edge nodes to deploy to (fleet: has no outposts or sentinels, or --hosts left none).\n';
  const lines: string[] = [];
  for (const plan of plans) {
    const targets = plan.targets.map((t) => `${t.model} ${t.version}${t.pinned ? ' (pinned)' : ''}`).join(', ') || 'nothing';
    if (plan.status === 'pending') {
      lines.push(`${plan.host}: PENDING (its worker did not answer); targets: ${targets}`);
      continue;
    }
    lines.push(`${plan.host}: ${plan.add.length} to add, ${plan.change.length} to change, ${plan.remove.length} to remove, ${plan.unchanged} unchanged; ${formatBytes(plan.bytes)} to move; targets: ${targets}`);
    for (const f of plan.add) lines.push(`  + ${f.model}/${f.version}/${f.path}  ${formatBytes(f.size)}`);
    for (const f of plan.change) lines.push(`  ~ ${f.model}/${f.version}/${f.path}  ${formatBytes(f.size)}`);
    for (const f of plan.remove) lines.push(`  - ${f.model}/${f.version}/${f.path}`);
  }
  return `${lines.join('\n')}\n`;
}
