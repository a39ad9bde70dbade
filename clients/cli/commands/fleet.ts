import type { Command } from 'commander';
import { createPool } from '../../../infra/db/pool';
import { fleetStatus, type FleetRow } from '../../fleet/fleet-status';
import { databaseUrlOf } from '../../service-addresses';
import { clientFor, commandContext } from '../context';

/** `sluice fleet`: every host of the inventory, online or when last seen, installed against target versions. */
export function registerFleet(program: Command): void {
  program
    .command('fleet')
    .description('per host: online or last seen, installed vs target model versions, last deployment')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals());
      const pool = createPool(databaseUrlOf(context.settings), 1, context.log);
      const client = await clientFor(context);
      try {
        const rows = await fleetStatus({ pool, client, settings: context.settings });
        process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : formatFleet(rows));
      } finally {
        await client.connection.close();
        await pool.end();
      }
    });
}

export function formatFleet(rows: readonly FleetRow[], now = new Date()): string {
  if (rows.length === 0) return 'The fleet inventory is empty: list hosts under fleet: in the config.\n';
  const lines: string[] = [];
  for (const row of rows) {
    const seen = row.online ? 'online' : row.lastSeen ? `last seen ${ago(row.lastSeen, now)}` : 'never seen';
    lines.push(`${row.host} (${row.role}${row.accelerator === 'coral' ? ', coral' : ''}): ${seen}`);
    for (const model of row.models) {
      const installed = model.installed.join(', ') || 'nothing';
      const state = model.target === null ? 'not a target here' : model.installed.length === 1 && model.installed[0] === model.target ? 'up to date' : `target ${model.target}`;
      lines.push(`  ${model.model}: ${installed}  ${state}${model.pinned ? ' (pinned)' : ''}`);
    }
    if (row.lastDeployment) lines.push(`  last deployment: ${row.lastDeployment.status}${row.lastDeployment.at ? ` ${ago(row.lastDeployment.at, now)}` : ''} (${row.lastDeployment.workflowId})${row.lastDeployment.status === 'failed' && row.lastDeployment.detail ? `: ${row.lastDeployment.detail}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function ago(at: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86400)}d ago`;
}
