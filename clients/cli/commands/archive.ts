import type { Command } from 'commander';
import { listParts } from '../../../activities/archive/archive-manifest';
import { planArchive } from '../../../activities/archive/plan-archive';
import { durationMs } from '../../../infra/config/duration';
import { createPool } from '../../../infra/db/pool';
import { archiveRange, type ArchiveCliOptions } from '../../archive/archive-options';
import { formatManifest, formatPartition, formatPlan } from '../../archive/format-archive';
import { followArchive, startArchive } from '../../archive/run-archive';
import { databaseUrlOf } from '../../service-addresses';
import { clientFor, commandContext, type CommandContext } from '../context';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `sluice archive plan|run|list`: Parquet archival of the event tables' day partitions. */
export function registerArchive(program: Command): void {
  const archive = program.command('archive').description('archive day partitions of events, jobs and subjobs to Parquet, verify them by reading back, then drop them');
  const rangeOptions = (command: Command) =>
    command
      .option('--from <day>', 'first day (YYYY-MM-DD, UTC), included')
      .option('--to <day>', 'last day (YYYY-MM-DD, UTC), included')
      .option('--table <table>', 'events, jobs or subjobs (repeatable; default: all three)', collect)
      .option('--json', 'print JSON');

  rangeOptions(archive.command('plan').description('show which partitions a run would archive now, and their part numbers; changes nothing')).action(
    async (options: ArchiveCliOptions & { json?: boolean }, command: Command) => {
      const range = archiveRange(options);
      const context = commandContext(command.optsWithGlobals());
      await withPool(context, async (pool) => {
        const { hotWindow } = context.settings.events.archive;
        const plan = await planArchive(pool, { ...range, now: new Date().toISOString(), hotWindowMs: durationMs(hotWindow) });
        process.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan, hotWindow));
      });
    },
  );

  rangeOptions(archive.command('run').description('archive the planned partitions now (workflow archiveEvents), with progress per partition'))
    .option('--no-wait', 'start the run, print its workflow id and return')
    .action(async (options: ArchiveCliOptions & { json?: boolean; wait: boolean }, command: Command) => {
      const range = archiveRange(options);
      const context = commandContext(command.optsWithGlobals());
      const client = await clientFor(context);
      try {
        const handle = await startArchive(client, range);
        if (!options.wait) {
          process.stdout.write(options.json ? `${JSON.stringify({ workflowId: handle.workflowId })}\n` : `started ${handle.workflowId}; follow it with: temporal workflow query --workflow-id ${handle.workflowId} --type archiveProgress\n`);
          return;
        }
        process.stderr.write(`archiving (workflow ${handle.workflowId})…\n`);
        const report = options.json ? () => undefined : (partition: Parameters<typeof formatPartition>[0], step: string | undefined) => process.stdout.write(`${formatPartition(partition, step)}\n`);
        const done = await followArchive(client, handle, report);
        if (options.json) process.stdout.write(`${JSON.stringify(done, null, 2)}\n`);
        else if (done.partitions.length === 0) process.stdout.write('Nothing to archive.\n');
        else process.stdout.write(`${summary(done.partitions)}\n`);
      } finally {
        await client.connection.close();
      }
    });

  rangeOptions(archive.command('list').description('show the archive manifest: each part\'s key, rows, bytes and state')).action(
    async (options: ArchiveCliOptions & { json?: boolean }, command: Command) => {
      const range = archiveRange(options);
      const context = commandContext(command.optsWithGlobals());
      await withPool(context, async (pool) => {
        const parts = await listParts(pool, range);
        process.stdout.write(options.json ? `${JSON.stringify(parts, null, 2)}\n` : formatManifest(parts));
      });
    },
  );
}

function summary(partitions: readonly { status: string }[]): string {
  const count = (status: string) => partitions.filter((p) => p.status === status).length;
  return `Archived ${count('archived')}, empty ${count('empty')}, kept because they changed ${count('changed')}, busy ${count('busy')}, failed ${count('failed')}.`;
}

async function withPool(context: CommandContext, work: (pool: ReturnType<typeof createPool>) => Promise<void>): Promise<void> {
  const pool = createPool(databaseUrlOf(context.settings), 1, context.log);
  try {
    await work(pool);
  } finally {
    await pool.end();
  }
}
