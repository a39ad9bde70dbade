import type { Command } from 'commander';
import { UserError } from '../../../infra/errors/user-error';
import { startLocalStack } from '../../../infra/stack/local-stack';
import { connectClient, temporalTarget } from '../../../infra/temporal/connect';
import { startWorkers } from '../../../workers/start-workers';
import { serveEventsApi, type RunningEventsApi } from '../../events-api/serve-events-api';
import { prepareNamespace } from '../../prepare-namespace';
import { desiredSchedules } from '../../schedules/desired-schedules';
import { commandContext } from '../context';
import { allRoleSpecs } from '../fleet-roles';
import { stopSignal } from '../stop-signal';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('run the whole stack on this machine: Temporal dev server, Postgres, every worker role; Ctrl-C stops it all')
    .action(async (_options, command: Command) => {
      const { settings, log } = commandContext(command.optsWithGlobals());
      const stop = stopSignal(log);
      const aborter = new AbortController();
      void stop.received.then(() => aborter.abort(new UserError('Interrupted while starting; everything started so far was stopped.')));
      const stack = await startLocalStack(settings, log, { env: process.env, signal: aborter.signal });
      try {
        if (stop.requested()) return;
        const target = temporalTarget(settings, stack.temporalAddress);
        const client = await connectClient(target);
        try {
          await prepareNamespace(client, desiredSchedules(settings), log);
        } finally {
          await client.connection.close();
        }

        if (stop.requested()) return;
        const workers = await startWorkers({ specs: allRoleSpecs(settings), target, settings, databaseUrl: stack.databaseUrl, log });
        // The site's event API, when this machine runs a site's data plane.
        let eventsApi: RunningEventsApi | undefined;
        try {
          if (settings.events.enabled) eventsApi = await serveEventsApi(settings, stack.databaseUrl, log);
        } catch (err) {
          await workers.shutdown();
          throw err;
        }
        process.stdout.write(
          `\nsluice is up.\n  Temporal:  ${stack.temporalAddress} (namespace ${target.namespace})\n` +
            (stack.uiUrl ? `  Web UI:    ${stack.uiUrl}\n` : '') +
            (eventsApi ? `  Event API: ${eventsApi.url} (site ${settings.events.site})\n` : '') +
            `  State:     ${settings.paths.stateDir}\n  Check it:  sluice doctor   Stop: Ctrl-C\n\n`,
        );
        await Promise.race([stop.received, workers.done]);
        await eventsApi?.close();
        log.info('stopping the workers: running activities may finish');
        await workers.shutdown();
        await workers.done;
      } finally {
        log.info('stopping the local services');
        await stack.stop();
        log.info('stopped');
      }
    });
}
