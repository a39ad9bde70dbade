import type { Command } from 'commander';
import { formatFinding } from '../../doctor/finding';
import { runDoctor } from '../../doctor/run-doctor';
import { commandContext } from '../context';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check Temporal, Postgres, object storage and the workers, then run the stackCheck workflow end to end')
    .action(async (_options, command: Command) => {
      const { settings, log } = commandContext(command.optsWithGlobals());
      const healthy = await runDoctor(settings, log, (finding) => process.stdout.write(`${formatFinding(finding)}\n`));
      process.stdout.write(healthy ? '\nAll checks passed.\n' : '\nSome checks failed; see "fix:" above.\n');
      if (!healthy) process.exitCode = 1;
    });
}
