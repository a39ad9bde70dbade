import type { Command } from 'commander';
import { serveCentralApi } from '../../central-api/serve-central-api';
import { commandContext } from '../context';
import { stopSignal } from '../stop-signal';

/** `sluice central`: the API across sites (GET /v1/jobs/aggregate, /v1/sites/health) until Ctrl-C. */
export function registerCentral(program: Command): void {
  program
    .command('central')
    .description('serve the central API across the sites in central.sites on central.host:port (GET /v1/jobs/aggregate, /v1/sites/health) until Ctrl-C')
    .action(async (_options, command: Command) => {
      const { settings, log } = commandContext(command.optsWithGlobals());
      const stop = stopSignal(log);
      const api = await serveCentralApi(settings.central, log);
      process.stdout.write(`central API on ${api.url}, reading ${settings.central.sites.map((site) => site.id).join(', ')} (timeout ${settings.central.timeout})\n`);
      await stop.received;
      log.info('stopping the central API: requests in flight are answered');
      await api.close();
    });
}
