import type { Command } from 'commander';
import { desiredSchedules } from '../../schedules/desired-schedules';
import { listManagedSchedules, managedSchedule } from '../../schedules/managed-schedules';
import { clientFor, commandContext } from '../context';

/** `sluice schedule list|pause|unpause|trigger`, over the schedules declared in config. */
export function registerSchedule(program: Command): void {
  const schedule = program.command('schedule').description('list, pause, unpause or trigger the schedules sluice manages');

  schedule
    .command('list')
    .description('the schedules sluice manages, with state and next run')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals());
      const client = await clientFor(context);
      try {
        const rows = await listManagedSchedules(client, Object.keys(desiredSchedules(context.settings)));
        if (options.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        if (rows.length === 0) return void process.stdout.write('No schedules; declare them under "schedules:" in sluice.yaml, or set ingest.enabled.\n');
        for (const row of rows) {
          const state = row.paused ? `PAUSED${row.note ? ` (${row.note})` : ''}` : 'active';
          process.stdout.write(`${row.name}  ${row.workflow}  ${row.spec}  ${state}  next ${row.nextRun?.toISOString() ?? '-'}  last ${row.lastRun?.toISOString() ?? '-'}\n`);
        }
      } finally {
        await client.connection.close();
      }
    });

  schedule
    .command('pause <name>')
    .description('pause a schedule; it stays paused across restarts until unpaused')
    .option('--note <text>', 'why, shown in list and the Web UI', 'paused with sluice schedule pause')
    .action(async (name: string, options: { note: string }, command: Command) => {
      await withSchedule(command, name, async (handle) => handle.pause(options.note), `paused ${name}`);
    });

  schedule
    .command('unpause <name>')
    .description('resume a paused schedule')
    .action(async (name: string, _options, command: Command) => {
      await withSchedule(command, name, async (handle) => handle.unpause('unpaused with sluice schedule unpause'), `unpaused ${name}`);
    });

  schedule
    .command('trigger <name>')
    .description('start the scheduled workflow now (the overlap policy still applies)')
    .action(async (name: string, _options, command: Command) => {
      await withSchedule(command, name, async (handle) => handle.trigger(), `triggered ${name}`);
    });
}

async function withSchedule(
  command: Command,
  name: string,
  act: (handle: Awaited<ReturnType<typeof managedSchedule>>['handle']) => Promise<void>,
  done: string,
): Promise<void> {
  const client = await clientFor(commandContext(command.optsWithGlobals()));
  try {
    const { handle } = await managedSchedule(client, name);
    await act(handle);
    process.stdout.write(`${done}\n`);
  } finally {
    await client.connection.close();
  }
}
