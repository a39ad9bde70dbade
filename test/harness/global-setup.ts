import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { loadConfig } from '../../infra/config/load-config';
import { Client } from 'pg';
import { migrate } from '../../infra/db/migrate';
import type { Logger } from '../../infra/log/logger';
import { databaseUrlFor } from './isolated-database';
import { createLogger } from '../../infra/log/logger';
import { projectRoot } from '../../infra/project-root';
import { startEmbeddedPostgres } from '../../infra/stack/embedded-postgres';
import { locateGoTool, TEMPORAL_CLI, VERSITYGW } from '../../infra/stack/go-tool';
import { startTemporalDevServer } from '../../infra/stack/temporal-dev-server';
import { startVersityGw } from '../../infra/stack/versitygw';
import { findFreePort } from '../../infra/stack/wait-for';
import { NAMESPACE_COUNT, STACK_ENV, type TestStackInfo } from './test-stack-info';

declare global {
  // eslint-disable-next-line no-var
  var __SLUICE_TEST_STOP__: (() => Promise<void>) | undefined;
}

export default async function globalSetup(): Promise<void> {
  const env = process.env;
  const log = createLogger({ level: env.SLUICE_TEST_LOG_LEVEL ?? 'info', pretty: false });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-test-'));
  // As root, Postgres runs as another user, which must be able to enter this directory.
  fs.chmodSync(workDir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  globalThis.__SLUICE_TEST_STOP__ = stopAll;
  // Each server is registered for stopping as soon as it is up, so a failure of another one (after
  // which jest skips the global teardown) leaves nothing running.
  const started = <T extends { stop(): Promise<void> }>(server: Promise<T>) =>
    server.then((value) => {
      stops.push(() => value.stop());
      return value;
    });

  try {
    // The tools are found where `npm start` finds them: the project's config decides (toolsDir,
    // SLUICE_TOOLS_DIR, TEMPORAL_CLI_PATH), so a build made by either serves both.
    const settings = loadConfig({ env, cwd: projectRoot() });
    const { toolsDir } = settings.paths;
    // One after the other: two Go builds at once on a 2-core machine are slower than in turn.
    const temporalCliPath = await locateGoTool(TEMPORAL_CLI, { explicitPath: settings.temporal.devServer.cliPath, toolsDir, log, env });
    const versityPath = await locateGoTool(VERSITYGW, { explicitPath: env.VERSITYGW_PATH, toolsDir, log, env });

    const namespaces = Array.from({ length: NAMESPACE_COUNT }, (_, index) => `sluice-test-${index + 1}`);
    const [temporal, postgres, s3, workflowBundlePath] = await Promise.all([
      findFreePort().then((port) =>
        started(startTemporalDevServer({ cliPath: temporalCliPath, port, uiPort: port + 1, headless: true, namespaces, logFile: path.join(workDir, 'temporal.log'), log, env })),
      ),
      findFreePort().then((port) =>
        started(startEmbeddedPostgres({ dataDir: path.join(workDir, 'postgres'), port, database: 'sluice_test', logFile: path.join(workDir, 'postgres.log'), log, env })),
      ),
      started(startVersityGw({ binary: versityPath, dataDir: path.join(workDir, 's3'), accessKey: 'sluice-test', secretKey: 'sluice-test-secret', bucket: 'sluice-test', log, env })),
      bundleOnce(workDir),
    ]);

    const databaseUrl = env.SLUICE_TEST_DATABASE_URL ?? postgres.url;
    await migrate(databaseUrl, log);
    const templateDatabase = await createTemplateDatabase(databaseUrl, log);

    const info: TestStackInfo = {
      workDir,
      temporalAddress: temporal.address,
      temporalCliPath,
      namespaces,
      databaseUrl,
      templateDatabase,
      s3: { endpoint: s3.endpoint, bucket: 'sluice-test', region: 'us-east-1', accessKey: 'sluice-test', secretKey: 'sluice-test-secret' },
      workflowBundlePath,
      toolsDir,
    };
    env[STACK_ENV] = JSON.stringify(info);
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * Tests of tables every source shares (the weather catalog) each get their own database, copied
 * from this migrated template in a few milliseconds, so files running side by side never see or
 * purge each other's rows.
 */
async function createTemplateDatabase(databaseUrl: string, log: Logger): Promise<string> {
  const name = `sluice_template_${process.pid}`;
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  await migrate(databaseUrlFor(databaseUrl, name), log);
  return name;
}

/** Workflow code is bundled once per run (1-2.5 s and ~200 MB each time) and shared by every test. */
async function bundleOnce(workDir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietBundlerLogger });
  const file = path.join(workDir, 'workflow-bundle.js');
  fs.writeFileSync(file, code);
  return file;
}

const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
