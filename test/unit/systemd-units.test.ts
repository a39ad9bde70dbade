import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../clients/cli/main';
import { projectRoot } from '../../infra/project-root';

/**
 * The systemd units in infra/systemd start sluice commands by name; a renamed command or option
 * would only show on a production host, as a unit that fails to start. Each unit's ExecStart is
 * parsed here by the real CLI, with every command's action replaced by one that records it.
 */

const UNITS_DIR = path.join(projectRoot(), 'infra', 'systemd');
const LAUNCHER = ['/usr/bin/node', '/opt/sluice/bin/sluice', '--config', '/etc/sluice/sluice.yaml'];

/** What each unit runs. A new unit must be added here, with what it should run. */
const EXPECTED: Record<string, { command: string; options: Record<string, unknown> }> = {
  'sluice-control.service': { command: 'worker', options: { role: 'control' } },
  'sluice-cloud.service': { command: 'worker', options: { role: 'cloud' } },
  'sluice-datasink@.service': { command: 'worker', options: { role: 'datasink', host: 'an-instance' } },
  'sluice-node@.service': { command: 'worker', options: { role: 'node', host: 'an-instance' } },
  'sluice-events.service': { command: 'events serve', options: {} },
  'sluice-central.service': { command: 'central', options: {} },
};

function unitFiles(): string[] {
  return fs.readdirSync(UNITS_DIR).filter((name) => name.endsWith('.service'));
}

/** The unit's ExecStart, split into words, with the instance name (%i) filled in. */
function execStart(unit: string): string[] {
  const lines = fs.readFileSync(path.join(UNITS_DIR, unit), 'utf8').split('\n').filter((line) => line.startsWith('ExecStart='));
  if (lines.length !== 1) throw new Error(`${unit} has ${lines.length} ExecStart lines, expected 1`);
  return lines[0]!.slice('ExecStart='.length).trim().replaceAll('%i', 'an-instance').split(/\s+/);
}

interface Ran {
  readonly command: string;
  readonly options: Record<string, unknown>;
  readonly globals: Record<string, unknown>;
}

/** Parses sluice's arguments with the real CLI and says which command would run, with what; rejects as the CLI would. */
async function parse(args: readonly string[]): Promise<Ran> {
  const program = buildProgram();
  let ran: Ran | undefined;
  const errors: string[] = [];
  const record = (command: Command, names: string[]) => {
    command.configureOutput({ writeOut: () => undefined, writeErr: (text) => errors.push(text) });
    if (command.commands.length === 0) {
      command.action(function (this: Command) {
        ran = { command: names.join(' '), options: { ...this.opts() }, globals: this.optsWithGlobals() };
      });
    }
    for (const sub of command.commands) record(sub, [...names, sub.name()]);
  };
  record(program, []);
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (err) {
    throw new Error(`sluice ${args.join(' ')}: ${errors.join('').trim() || (err as Error).message}`);
  }
  if (!ran) throw new Error(`sluice ${args.join(' ')} names no command`);
  return ran;
}

describe('systemd units (infra/systemd)', () => {
  it('each unit is listed with what it runs', () => {
    expect(unitFiles().sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s starts the sluice command it is for, with the shared config', async (unit, expected) => {
    const words = execStart(unit);
    expect(words.slice(0, LAUNCHER.length)).toEqual(LAUNCHER);
    const ran = await parse(words.slice(2));
    expect(ran.command).toBe(expected.command);
    expect(ran.options).toEqual(expected.options);
    expect(ran.globals.config).toBe('/etc/sluice/sluice.yaml');
  });

  it('the parse refuses what the CLI refuses, so the checks above can fail', async () => {
    await expect(parse(['events', 'serv'])).rejects.toThrow(/sluice events serv/);
    await expect(parse(['worker', '--role', 'cloudy'])).rejects.toThrow(/cloudy/);
    await expect(parse(['central', '--port', '1'])).rejects.toThrow(/unknown option '--port'/);
  });

  it('the README names each unit', () => {
    const readme = fs.readFileSync(path.join(projectRoot(), 'README.md'), 'utf8');
    const missing = unitFiles().filter((unit) => !readme.includes(`systemctl enable --now ${unit.replace(/@?\.service$/, '')}`));
    expect(missing).toEqual([]);
  });
});
