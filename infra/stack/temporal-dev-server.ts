import fs from 'node:fs';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { UserError } from '../errors/user-error';
import type { Logger } from '../log/logger';
import { openConnection } from '../temporal/connect';
import { devServerSearchAttributeFlags } from '../temporal/search-attributes';
import { serverEnv, startManagedProcess, type ManagedProcess } from './managed-process';
import { isPortOpen, waitFor } from './wait-for';

export interface DevServerOptions {
  cliPath: string;
  /** SQLite file for persistent state; undefined keeps everything in memory (tests). */
  dbFile?: string;
  port: number;
  uiPort: number;
  /** Disable the Web UI (tests). */
  headless?: boolean;
  /** Created at launch; the first is the one readiness is checked against. */
  namespaces: string[];
  logFile: string;
  log: Logger;
  /** sluice's environment; the server gets only its basics (serverEnv). */
  env: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string | undefined;
  /** Undefined when a dev server was already running and is reused; sluice does not stop it. */
  process: ManagedProcess | undefined;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Starts `temporal server start-dev` on loopback, or reuses one already answering on the port, so
 * `sluice up` can run again while an earlier one (or a separately started server) still runs.
 */
export async function startTemporalDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const address = `${HOST}:${options.port}`;
  const uiUrl = options.headless ? undefined : `http://localhost:${options.uiPort}`;
  if (await isPortOpen(HOST, options.port)) {
    if (!(await answersAsTemporal(address))) {
      throw new UserError(`Port ${options.port} is in use by something that is not a Temporal server.`, 'Stop that program or set temporal.devServer.port to a free port.');
    }
    options.log.info({ address }, 'a Temporal server is already running there; using it');
    return { address, uiUrl, process: undefined, stop: async () => undefined };
  }

  const args = [
    'server', 'start-dev',
    '--ip', HOST,
    '--port', String(options.port),
    ...options.namespaces.flatMap((namespace) => ['--namespace', namespace]),
    '--log-level', 'warn',
    ...devServerSearchAttributeFlags(),
  ];
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  args.push(...(options.headless ? ['--headless'] : ['--ui-port', String(options.uiPort)]));

  const server = startManagedProcess({ name: 'Temporal dev server', command: options.cliPath, args, logFile: options.logFile, log: options.log, env: serverEnv(options.env) });
  try {
    await waitFor(async () => ((await answersAsTemporal(address, options.namespaces[0])) ? true : undefined), {
      timeoutMs: options.startTimeoutMs ?? 60_000,
      what: `the Temporal dev server on ${address}`,
      failure: server.exitError,
    });
  } catch (err) {
    await server.stop();
    throw new UserError(`The Temporal dev server did not start: ${(err as Error).message}\n${server.tail()}`, `See ${options.logFile}. If the SQLite file is locked by another server, stop that one first.`);
  }
  return { address, uiUrl, process: server, stop: () => server.stop('SIGTERM', 15_000) };
}

/** True when a Temporal frontend answers at `address` (and knows `namespace`, when given). */
async function answersAsTemporal(address: string, namespace?: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await openConnection({ address, connectTimeout: '1s' });
    if (namespace) await connection.workflowService.describeNamespace({ namespace });
    else await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close();
  }
}
