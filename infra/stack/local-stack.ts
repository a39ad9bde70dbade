import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../config/load-config';
import { migrate } from '../db/migrate';
import type { Logger } from '../log/logger';
import { startEmbeddedPostgres } from './embedded-postgres';
import { locateGoTool, TEMPORAL_CLI } from './go-tool';
import { startTemporalDevServer } from './temporal-dev-server';

export interface LocalStack {
  temporalAddress: string;
  /** The Web UI, when sluice started (or found) a dev server. */
  uiUrl: string | undefined;
  databaseUrl: string;
  /** Stops what this call started, servers last-started first. */
  stop(): Promise<void>;
}

/**
 * Brings up what the config says to run locally: a Temporal dev server when temporal.address is
 * "embedded", an embedded Postgres when postgres.url is unset, the local object directory; then
 * migrates the schema. Services given by address are only used, never started or stopped.
 */
export interface LocalStackOptions {
  env: NodeJS.ProcessEnv;
  /** Stops start-up between steps (and a running tool build); the services started so far are stopped. */
  signal?: AbortSignal;
}

export async function startLocalStack(settings: Settings, log: Logger, options: LocalStackOptions): Promise<LocalStack> {
  const { env, signal } = options;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((err: unknown) => log.warn({ err }, 'stopping a service failed'));
  };
  try {
    fs.mkdirSync(settings.paths.stateDir, { recursive: true });
    if (settings.storage.kind === 'local') fs.mkdirSync(settings.paths.objectsDir, { recursive: true });

    let temporalAddress = settings.temporal.address;
    let uiUrl: string | undefined;
    if (temporalAddress === 'embedded') {
      const cliPath = await locateGoTool(TEMPORAL_CLI, { explicitPath: settings.temporal.devServer.cliPath, toolsDir: settings.paths.toolsDir, log, env, signal });
      signal?.throwIfAborted();
      log.info('starting the Temporal dev server');
      const server = await startTemporalDevServer({
        cliPath,
        dbFile: settings.paths.temporalDb,
        port: settings.temporal.devServer.port,
        uiPort: settings.temporal.devServer.uiPort,
        namespaces: [settings.temporal.namespace],
        logFile: path.join(settings.paths.logsDir, 'temporal.log'),
        log,
        env,
      });
      stops.push(server.stop);
      temporalAddress = server.address;
      uiUrl = server.uiUrl;
    }

    let databaseUrl = settings.postgres.url;
    signal?.throwIfAborted();
    if (!databaseUrl) {
      log.info('starting the embedded Postgres');
      const postgres = await startEmbeddedPostgres({
        dataDir: settings.paths.postgresData,
        port: settings.postgres.embedded.port,
        database: settings.postgres.embedded.database,
        logFile: path.join(settings.paths.logsDir, 'postgres.log'),
        log,
        env,
      });
      stops.push(postgres.stop);
      databaseUrl = postgres.url;
    }
    signal?.throwIfAborted();
    await migrate(databaseUrl, log);
    return { temporalAddress, uiUrl, databaseUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
