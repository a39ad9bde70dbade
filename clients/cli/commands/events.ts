import { Option, type Command } from 'commander';
import { EVENT_STATUSES } from '../../../activities/events/event-body';
import { migrate } from '../../../infra/db/migrate';
import { UserError } from '../../../infra/errors/user-error';
import { tailEvents } from '../../events-api/tail-events';
import { serveEventsApi } from '../../events-api/serve-events-api';
import { databaseUrlOf, eventsApiUrlOf } from '../../service-addresses';
import { commandContext } from '../context';
import { stopSignal } from '../stop-signal';

interface TailOptions {
  url?: string;
  limit: string;
  follow?: boolean;
  interval: string;
  app?: string;
  status?: string;
  json?: boolean;
}

export function registerEvents(program: Command): void {
  const events = program.command('events').description("a site's event API: serve it, and follow what comes in");

  events
    .command('serve')
    .description('serve this site\'s event API on events.api.host:port (POST /v1/event, /v1/events/batch, GET /v1/jobs, …) until Ctrl-C')
    .action(async (_options, command: Command) => {
      const { settings, log } = commandContext(command.optsWithGlobals());
      const databaseUrl = databaseUrlOf(settings);
      await migrate(databaseUrl, log);
      const stop = stopSignal(log);
      const api = await serveEventsApi(settings, databaseUrl, log);
      process.stdout.write(`event API of site ${settings.events.site} on ${api.url}\n`);
      await stop.received;
      log.info('stopping the event API: requests in flight are answered');
      await api.close();
    });

  events
    .command('tail')
    .description('show the latest events of a site, oldest first; --follow keeps printing new ones')
    .option('--url <url>', 'the site API (default: http://events.api.host:port from config)')
    .option('-n, --limit <n>', 'how many recent events to show first', '20')
    .option('-f, --follow', 'keep polling for new events until Ctrl-C')
    .option('--interval <seconds>', 'seconds between polls with --follow', '1')
    .option('--app <app_id>', 'only this app\'s events')
    .addOption(new Option('--status <status>', 'only events with this status').choices([...EVENT_STATUSES]))
    .option('--json', 'one JSON event per line')
    .action(async (options: TailOptions, command: Command) => {
      const { settings, log } = commandContext(command.optsWithGlobals());
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 0 || limit > settings.events.api.maxPageSize) throw new UserError(`--limit ${options.limit} is not a whole number from 0 to ${settings.events.api.maxPageSize}.`);
      const interval = Number(options.interval);
      if (!(interval >= 0.1 && interval <= 3600)) throw new UserError(`--interval ${options.interval} is not a number of seconds from 0.1 to 3600.`);
      const url = options.url ?? eventsApiUrlOf(settings.events);
      const stop = options.follow ? stopSignal(log) : undefined;
      await tailEvents({
        url,
        limit,
        follow: options.follow ? { intervalMs: interval * 1000, stopped: stop!.received } : undefined,
        filter: { app_id: options.app, status: options.status },
        write: (line) => process.stdout.write(`${line}\n`),
        format: options.json ? 'json' : 'text',
      });
    });
}
