import type { Client } from '@temporalio/client';
import { loadConfig, type Settings } from '../../infra/config/load-config';
import { createLogger, type Logger } from '../../infra/log/logger';
import { connectClient, temporalTarget } from '../../infra/temporal/connect';
import { WORKFLOW_TYPES } from '../../workflows/workflow-types';
import { temporalAddressOf } from '../service-addresses';

/** Options every command takes (see main.ts). */
export interface GlobalOptions {
  config?: string;
  verbose?: boolean;
  logLevel?: string;
}

export interface CommandContext {
  settings: Settings;
  log: Logger;
  verbose: boolean;
}

export function commandContext(options: GlobalOptions): CommandContext {
  const settings = loadConfig({ file: options.config, workflowTypes: WORKFLOW_TYPES });
  const level = options.logLevel ?? (options.verbose ? 'debug' : settings.log.level);
  const log = createLogger({ level, pretty: settings.log.pretty ?? Boolean(process.stderr.isTTY) });
  return { settings, log, verbose: Boolean(options.verbose) };
}

/** A Temporal client for commands that talk to a running stack. */
export function clientFor(context: CommandContext): Promise<Client> {
  return connectClient(temporalTarget(context.settings, temporalAddressOf(context.settings)));
}
