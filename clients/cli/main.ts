import { Command, CommanderError, Option } from 'commander';
import { isUserError } from '../../infra/errors/user-error';
import { stopWhenOutputCloses } from './stop-signal';
import { explainWorkflowFailure } from './workflow-failure';
import { registerArchive } from './commands/archive';
import { registerCentral } from './commands/central';
import { registerDeploy } from './commands/deploy';
import { registerDoctor } from './commands/doctor';
import { registerEvents } from './commands/events';
import { registerFleet } from './commands/fleet';
import { registerGrib } from './commands/grib';
import { registerIngest } from './commands/ingest';
import { registerModel } from './commands/model';
import { registerPurge } from './commands/purge';
import { registerSchedule } from './commands/schedule';
import { registerUp } from './commands/up';
import { registerWorker } from './commands/worker';

export function buildProgram(): Command {
  const program = new Command('sluice')
    .description('durable Temporal workflows for edge-collected data and the models edge nodes run')
    .option('-c, --config <file>', 'config file (default: $SLUICE_CONFIG, else ./sluice.yaml if present)')
    .option('-v, --verbose', 'debug logs, and stack traces on errors')
    .addOption(new Option('--log-level <level>', 'log level (default: log.level in config)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']))
    .showHelpAfterError()
    .exitOverride();
  registerUp(program);
  registerWorker(program);
  registerDoctor(program);
  registerSchedule(program);
  registerGrib(program);
  registerIngest(program);
  registerModel(program);
  registerDeploy(program);
  registerFleet(program);
  registerPurge(program);
  registerEvents(program);
  registerCentral(program);
  registerArchive(program);
  return program;
}

/**
 * Runs the CLI. Errors a user can fix print as message + hint, without a stack trace unless
 * --verbose; anything else is a bug and prints in full.
 */
export async function main(argv: string[]): Promise<void> {
  stopWhenOutputCloses();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (caught) {
    if (caught instanceof CommanderError) {
      process.exitCode = caught.exitCode;
      return;
    }
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    const err = explainWorkflowFailure(caught);
    if (isUserError(err)) {
      process.stderr.write(`sluice: ${err.message}\n${err.hint ? `  ${err.hint}\n` : ''}`);
      if (verbose && err.cause instanceof Error) process.stderr.write(`${err.cause.stack}\n`);
    } else {
      process.stderr.write(`sluice: unexpected error: ${verbose && err instanceof Error ? err.stack : String(err instanceof Error ? err.message : err)}\n`);
      if (!verbose) process.stderr.write('  Run again with --verbose for the stack trace, and report it if it looks like a bug.\n');
    }
    process.exitCode = 1;
  }
}
