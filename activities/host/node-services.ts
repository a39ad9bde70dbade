import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeSetup } from '../../infra/config/node-setup';
import { durationMs } from '../../infra/config/duration';
import { HealthCheckFailedError, RestartFailedError, UnknownServiceError } from './node-errors';
import type { NodeIdentity } from './node-configs';

/** What is kept of a command's output for the error message: its end, where the reason usually is. */
const OUTPUT_TAIL_BYTES = 2048;

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** The last bytes of stdout and stderr together. */
  readonly output: string;
}

/**
 * Runs a configured command with /bin/sh -c in the node's root, like Ansible's shell module, in a
 * process group of its own so a timeout kills whatever it started, too.
 */
export function runShell(command: string, options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = Buffer.alloc(0);
    const keep = (chunk: Buffer) => {
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > OUTPUT_TAIL_BYTES) tail = tail.subarray(tail.length - OUTPUT_TAIL_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, output: tail.toString('utf8').trim() });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Runs each service's restart command in turn; the first that fails stops the rest. */
export async function restartServices(node: NodeIdentity, setup: NodeSetup, names: readonly string[], onEach: () => void): Promise<string[]> {
  const restarted: string[] = [];
  for (const name of names) {
    const service = serviceOf(node, setup, name);
    const result = await runShell(service.restart, { cwd: node.root, env: commandEnv(node, name), timeoutMs: durationMs(service.restartTimeout) });
    if (!succeeded(result)) {
      throw new RestartFailedError(`Restarting ${name} on ${node.host} failed: "${service.restart}" ${describeExit(result, service.restartTimeout)}${withOutput(result)}.`, `Fix the service, or fleet services.${name}.restart on ${node.host}.`);
    }
    restarted.push(name);
    onEach();
  }
  return restarted;
}

/**
 * Each service's health check, retried every healthInterval until it passes or healthTimeout has
 * gone by since it was first tried (a service takes a moment to come up after a restart).
 */
export async function checkHealth(node: NodeIdentity, setup: NodeSetup, names: readonly string[], onAttempt: () => void): Promise<{ checked: string[] }> {
  const checked: string[] = [];
  for (const name of names) {
    const service = serviceOf(node, setup, name);
    if (!service.healthCheck) continue;
    const deadline = Date.now() + durationMs(service.healthTimeout);
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const result = await runShell(service.healthCheck, { cwd: node.root, env: commandEnv(node, name), timeoutMs: Math.max(1000, Math.min(deadline - Date.now(), 30_000)) });
      onAttempt();
      if (succeeded(result)) break;
      if (Date.now() + durationMs(service.healthInterval) >= deadline) {
        throw new HealthCheckFailedError(
          `The health check of ${name} on ${node.host} still failed after ${attempts} attempt${attempts === 1 ? '' : 's'} over ${service.healthTimeout}: "${service.healthCheck}" ${describeExit(result)}${withOutput(result)}.`,
          `See why ${name} is unhealthy with the new files, or raise fleet services.${name}.healthTimeout if it only needs longer to start.`,
        );
      }
      await sleep(durationMs(service.healthInterval));
    }
    checked.push(name);
  }
  return { checked };
}

function serviceOf(node: NodeIdentity, setup: NodeSetup, name: string) {
  if (!Object.hasOwn(setup.services, name)) {
    throw new UnknownServiceError(`Service "${name}" is not configured on ${node.host}; its services: ${Object.keys(setup.services).join(', ') || 'none'}.`, `The node worker reads services from its own sluice.yaml (fleet entry or fleetRoles): add ${name} there and restart the worker.`);
  }
  return setup.services[name]!;
}

/** The commands get the node's identity; nothing secret of the worker's is added. */
function commandEnv(node: NodeIdentity, service: string): NodeJS.ProcessEnv {
  return { ...process.env, SLUICE_HOST: node.host, SLUICE_ROOT: node.root, SLUICE_SERVICE: service };
}

const succeeded = (result: CommandResult) => result.code === 0 && !result.timedOut;

function describeExit(result: CommandResult, timeout?: string): string {
  if (result.timedOut) return `did not finish in time${timeout ? ` (${timeout})` : ''} and was killed`;
  if (result.signal) return `was killed by ${result.signal}`;
  return `exited with code ${result.code}`;
}

const withOutput = (result: CommandResult) => (result.output ? ` (output: ${result.output.split('\n').slice(-5).join(' | ')})` : '');
