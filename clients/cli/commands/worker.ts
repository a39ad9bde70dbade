import path from 'node:path';
import { Option, type Command } from 'commander';
import { UserError } from '../../../infra/errors/user-error';
import { hostName } from '../../../infra/config/schema';
import { migrate } from '../../../infra/db/migrate';
import { connectClient, temporalTarget } from '../../../infra/temporal/connect';
import { ROLES, type Role, type RoleSpec } from '../../../workers/role';
import { prepareNamespace } from '../../prepare-namespace';
import { desiredSchedules } from '../../schedules/desired-schedules';
import { startWorkers } from '../../../workers/start-workers';
import { databaseUrlOf, temporalAddressOf } from '../../service-addresses';
import { commandContext, type CommandContext } from '../context';
import { stopSignal } from '../stop-signal';

interface WorkerOptions {
  role: Role;
  host?: string;
  root?: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run one worker role against the Temporal cluster in config (for running each role on its own host)')
    .addOption(new Option('--role <role>', 'which role').choices([...ROLES]).makeOptionMandatory())
    .option('--host <name>', 'the host this datasink or node worker stands for (its task queue is sluice-<role>-<name>)')
    .option('--root <dir>', 'the directory this host worker owns (default: from the fleet inventory, else <stateDir>/hosts/<host>)')
    .action(async (options: WorkerOptions, command: Command) => {
      const context = commandContext(command.optsWithGlobals());
      const { settings, log } = context;
      const spec = roleSpec(options, context);
      const target = temporalTarget(settings, temporalAddressOf(settings));
      const databaseUrl = spec.role === 'cloud' ? databaseUrlOf(settings) : undefined;
      if (databaseUrl) await migrate(databaseUrl, log);
      if (spec.role === 'control') {
        // Control workers own the namespace-level setup: search attributes and the declared schedules.
        const client = await connectClient(target);
        try {
          await prepareNamespace(client, desiredSchedules(settings), log);
        } finally {
          await client.connection.close();
        }
      }
      const stop = stopSignal(log);
      const workers = await startWorkers({ specs: [spec], target, settings, databaseUrl, log });
      await Promise.race([stop.received, workers.done]);
      log.info('stopping the worker: running activities may finish');
      await workers.shutdown();
      await workers.done;
    });
}

function roleSpec(options: WorkerOptions, { settings }: CommandContext): RoleSpec {
  if (options.role === 'control' || options.role === 'cloud') {
    if (options.host) throw new UserError(`--host applies to datasink and node workers, not ${options.role}.`, 'Drop --host.');
    return { role: options.role };
  }
  if (!options.host) throw new UserError(`A ${options.role} worker needs --host NAME.`, `Name the host, e.g. sluice worker --role ${options.role} --host ${options.role === 'datasink' ? 'datasink1' : 'outpost1'}.`);
  const parsed = hostName.safeParse(options.host);
  if (!parsed.success) throw new UserError(`--host "${options.host}" is not a valid host name.`, 'Use lower-case letters, digits and dashes (it becomes part of a task-queue name).');
  const inventory = settings.fleet.find((entry) => entry.host === options.host);
  const root = options.root ? path.resolve(options.root) : inventory?.root ?? path.join(settings.paths.stateDir, 'hosts', options.host);
  return { role: options.role, host: options.host, root };
}
