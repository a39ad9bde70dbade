import { spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log/logger';

/**
 * A long-running child (a server) that sluice started and must stop. Its output goes to a log
 * file, not the terminal; the last lines are kept for error messages. It runs in its own process
 * group, so a Ctrl-C in the terminal reaches only sluice, which then stops children in order
 * (workers first, servers last) instead of everything dying at once.
 */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Set once the process has exited, with how. */
  readonly exitError: () => Error | undefined;
  readonly exited: Promise<void>;
  /** Recent output, for error messages. */
  tail(): string;
  /** Sends `signal` to the group, then SIGKILL after `timeoutMs`; resolves once it has exited. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  log: Logger;
  /** The whole environment of the child: build it with serverEnv(). */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

const TAIL_LINES = 40;
/** What a server needs from sluice's environment; the rest (DATABASE_URL, API keys) stays out of it. */
const PASSED_TO_SERVERS = /^(PATH|HOME|USER|LANG|LC_[A-Z]+|TZ|TMPDIR)$/;

/** A child server's environment: the harmless basics of `parent`, plus `extra`. */
export function serverEnv(parent: NodeJS.ProcessEnv, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(parent)) if (PASSED_TO_SERVERS.test(key)) env[key] = value;
  return { ...env, ...extra };
}
const running = new Set<ManagedProcess>();

export function startManagedProcess(options: StartOptions): ManagedProcess {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const logStream = fs.createWriteStream(options.logFile, { flags: 'a' });
  const spawnOptions: SpawnOptions = {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env,
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
  };
  const child = spawn(options.command, options.args, spawnOptions);
  const recent: string[] = [];
  const record = (chunk: Buffer) => {
    logStream.write(chunk);
    recent.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    recent.splice(0, Math.max(0, recent.length - TAIL_LINES));
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);

  let exitError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    const finish = (error: Error) => {
      exitError ??= error;
      running.delete(managed);
      logStream.end();
      resolve();
    };
    child.once('error', (err) => finish(new Error(`${options.name} could not start (${options.command}): ${err.message}`)));
    child.once('exit', (code, signal) =>
      finish(new Error(`${options.name} exited (${signal ? `signal ${signal}` : `code ${code}`}); its log is ${options.logFile}`)),
    );
  });

  const managed: ManagedProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    exitError: () => exitError,
    exited,
    tail: () => recent.join('\n'),
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (exitError) return;
      signalGroup(child.pid, signal);
      const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(managed);
  options.log.debug({ pid: child.pid, command: options.command, args: options.args, logFile: options.logFile }, `started ${options.name}`);
  return managed;
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

// Last resort: if sluice exits without stopping its children (an uncaught error), take them along
// rather than leave servers holding ports and data directories.
process.once('exit', () => {
  for (const child of running) signalGroup(child.pid, 'SIGKILL');
});
