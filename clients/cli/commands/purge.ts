import type { Command } from 'commander';
import { purgeWeather, type PurgeWeatherResult } from '../../../workflows/purge-weather';
import { CONTROL_QUEUE } from '../../../workflows/task-queues';
import { formatBytes } from '../../ingest/ingest-status';
import { clientFor, commandContext } from '../context';

/** `sluice purge plan|run`: the retention purge, through the same workflow its Schedule starts. */
export function registerPurge(program: Command): void {
  const purge = program.command('purge').description('delete weather data past each source\'s retention (keeping the newest complete cycles)');
  for (const [name, dryRun, description] of [
    ['plan', true, 'show what a purge would delete now, deleting nothing'],
    ['run', false, 'plan, then delete the expired cycles in batches'],
  ] as const) {
    purge
      .command(name)
      .description(description)
      .option('--json', 'print JSON')
      .action(async (options: { json?: boolean }, command: Command) => {
        const context = commandContext(command.optsWithGlobals());
        const client = await clientFor(context);
        try {
          const workflowId = `purge-weather-${name}-${new Date().toISOString()}`;
          if (!dryRun) process.stderr.write(`purging (workflow ${workflowId}; follow it in the Web UI)…\n`);
          const result = await client.workflow.execute(purgeWeather, { taskQueue: CONTROL_QUEUE, workflowId, args: [{ dryRun }] });
          process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatPurge(result, dryRun));
          if (result.failed.length > 0) process.exitCode = 1;
        } finally {
          await client.connection.close();
        }
      });
  }
}

export function formatPurge(result: PurgeWeatherResult, dryRun: boolean): string {
  const { plan } = result;
  const lines = [`${dryRun ? 'Would delete' : 'Planned'} ${plan.totals.cycles} cycles, ${plan.totals.files} files, ${formatBytes(plan.totals.bytes)} (as of ${plan.now}; keeping the newest ${plan.keepCompleteCycles} complete cycles per source)`];
  for (const source of plan.sources) {
    if (source.expired.length === 0 && source.keptComplete.length === 0) continue;
    lines.push(`  ${source.source}: retention ${source.retentionHours} h (before ${source.cutoff})`);
    for (const cycle of source.expired) lines.push(`    ${cycle.cycle}  ${cycle.files} files  ${formatBytes(cycle.bytes)}`);
    for (const cycle of source.keptComplete) lines.push(`    ${cycle}  kept: one of the newest complete cycles`);
  }
  if (!dryRun) {
    lines.push(`Deleted ${result.deleted} objects, freed ${formatBytes(result.bytesFreed)}; ${result.failed.length} failed.`);
    for (const failure of result.failed) lines.push(`  FAILED ${failure.key}: ${failure.error} (its catalog row stays; the next purge retries)`);
  }
  return `${lines.join('\n')}\n`;
}
