import type { Command } from 'commander';
import { findSource } from '../../../activities/ingest/configured-sources';
import type { IngestCycleResult } from '../../../workflows/ingest-cycle';
import { createPool } from '../../../infra/db/pool';
import { UserError } from '../../../infra/errors/user-error';
import { formatIngestStatus, ingestStatus } from '../../ingest/ingest-status';
import { formatCycleResult, formatProgress, runIngestCycles } from '../../ingest/run-ingest';
import { databaseUrlOf } from '../../service-addresses';
import { clientFor, commandContext, type CommandContext } from '../context';
import { showProgress } from '../progress-line';
import { stopSignal } from '../stop-signal';

/** `sluice ingest run|status`. */
export function registerIngest(program: Command): void {
  const ingest = program.command('ingest').description('ingest NOAA weather data (GFS, HRRR, GOES-16/18, MRMS) into the catalog');

  ingest
    .command('run')
    .description('run ingestCycle for the sources now, with progress; without --once, again every poll interval until Ctrl-C')
    .option('--models <ids>', 'comma-separated source ids (default: the sources enabled in config)')
    .option('--once', 'one cycle per source, then exit (non-zero if any file failed or was quarantined)')
    .option('--json', 'print the results as JSON')
    .action(async (options: { models?: string; once?: boolean; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals());
      const sources = selectedSources(context, options.models);
      const client = await clientFor(context);
      const stop = stopSignal(context.log);
      try {
        for (;;) {
          const results = await runIngestCycles(client, sources, (progress) => showProgress(formatProgress(progress)));
          showProgress('');
          process.stdout.write(options.json ? `${JSON.stringify(results, null, 2)}\n` : results.map(formatCycleResult).join(''));
          if (options.once) {
            if (results.some(hadProblems)) process.exitCode = 1;
            return;
          }
          const waitSeconds = Math.min(...sources.map((id) => findSource(context.settings.ingestSources, id).schedule.pollIntervalSeconds));
          context.log.info(`next run in ${waitSeconds} s (Ctrl-C to stop)`);
          const stopped = await Promise.race([stop.received.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), waitSeconds * 1000).unref())]);
          if (stopped) return;
        }
      } finally {
        await client.connection.close();
      }
    });

  ingest
    .command('status')
    .description('per source: schedule, last ingest, files and fields stored, cycle completeness, quarantined files')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals());
      const pool = createPool(databaseUrlOf(context.settings), 1, context.log);
      // Without a reachable Temporal the catalog still answers; the schedule column says so.
      const client = await clientFor(context).catch((err: unknown) => {
        context.log.warn({ err }, 'Temporal is not reachable; showing the catalog only');
        return undefined;
      });
      try {
        const statuses = await ingestStatus(pool, client, context.settings.ingestSources);
        process.stdout.write(options.json ? `${JSON.stringify(statuses, null, 2)}\n` : formatIngestStatus(statuses));
      } finally {
        await client?.connection.close();
        await pool.end();
      }
    });
}

function selectedSources(context: CommandContext, models: string | undefined): string[] {
  if (models === undefined) {
    const enabled = context.settings.ingestSources.filter((entry) => entry.enabled).map((entry) => entry.source.id);
    if (enabled.length === 0) {
      throw new UserError('No ingest source is enabled in the config.', 'Pass --models gfs,hrrr, or list sources under ingest.sources in sluice.yaml (e.g. "gfs: {}").');
    }
    return enabled;
  }
  const ids = models.split(',').map((id) => id.trim()).filter(Boolean);
  if (ids.length === 0) throw new UserError('--models is empty.', `Name sources, e.g. --models gfs,hrrr; known: ${context.settings.ingestSources.map((e) => e.source.id).join(', ')}.`);
  for (const id of ids) findSource(context.settings.ingestSources, id);
  return [...new Set(ids)];
}

function hadProblems(result: IngestCycleResult): boolean {
  return result.quarantined.length > 0 || result.failed.length > 0;
}
