import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Connection } from '@temporalio/client';
import { migrate } from '../../infra/db/migrate';
import { createLogger } from '../../infra/log/logger';
import { projectRoot } from '../../infra/project-root';
import { startEmbeddedPostgres } from '../../infra/stack/embedded-postgres';
import { locateGoTool, TEMPORAL_CLI, VERSITYGW } from '../../infra/stack/go-tool';
import { startTemporalDevServer } from '../../infra/stack/temporal-dev-server';
import { startVersityGw } from '../../infra/stack/versitygw';
import { findFreePort } from '../../infra/stack/wait-for';
import { ensureSearchAttributes } from '../../infra/temporal/search-attributes';
import { NAMESPACE_COUNT, STACK_ENV, type TestStackInfo } from './test-stack-info';

declare global {
  // eslint-disable-next-line no-var
  var __SLUICE_TEST_STOP__: (() => Promise<void>) | undefined;
}

export default async function globalSetup(): Promise<void> {
  const log = createLogger({ level: process.env.SLUICE_TEST_LOG_LEVEL ?? 'info', pretty: false });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-test-'));
  // As root, Postgres runs as another user, which must be able to enter this directory.
  fs.chmodSync(workDir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  globalThis.__SLUICE_TEST_STOP__ = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    fs.rmSync(workDir, { recursive: true, force: true });
  };

  const toolsDir = process.env.SLUICE_TOOLS_DIR ?? path.join(projectRoot(), '.sluice', 'tools');
  // Sequential: two Go builds at once on a 2-core machine are slower than one after the other.
  const temporalCliPath = await locateGoTool(TEMPORAL_CLI, { explicitPath: process.env.TEMPORAL_CLI_PATH, toolsDir, log });
  const versityPath = await locateGoTool(VERSITYGW, { explicitPath: process.env.VERSITYGW_PATH, toolsDir, log });

  const namespaces = Array.from({ length: NAMESPACE_COUNT }, (_, index) => `sluice-test-${index + 1}`);
  const [temporal, postgres, s3, workflowBundlePath] = await Promise.all([
    findFreePort().then((port) =>
      startTemporalDevServer({ cliPath: temporalCliPath, port, uiPort: port + 1, headless: true, namespaces, logFile: path.join(workDir, 'temporal.log'), log }),
    ),
    findFreePort().then((port) =>
      startEmbeddedPostgres({ dataDir: path.join(workDir, 'postgres'), port, database: 'sluice_test', logFile: path.join(workDir, 'postgres.log'), log }),
    ),
    startVersityGw({ binary: versityPath, dataDir: path.join(workDir, 's3'), accessKey: 'sluice-test', secretKey: 'sluice-test-secret', bucket: 'sluice-test', log }),
    bundleOnce(workDir),
  ]);
  stops.push(postgres.stop, s3.stop, temporal.stop);

  const databaseUrl = process.env.SLUICE_TEST_DATABASE_URL ?? postgres.url;
  await migrate(databaseUrl, log);
  const connection = await Connection.connect({ address: temporal.address });
  for (const namespace of namespaces) await ensureSearchAttributes(connection, namespace);
  await connection.close();

  const info: TestStackInfo = {
    workDir,
    temporalAddress: temporal.address,
    temporalCliPath,
    namespaces,
    databaseUrl,
    s3: { endpoint: s3.endpoint, bucket: 'sluice-test', region: 'us-east-1', accessKey: 'sluice-test', secretKey: 'sluice-test-secret' },
    workflowBundlePath,
    toolsDir,
  };
  process.env[STACK_ENV] = JSON.stringify(info);
  // The object-store contract tests use the shared S3 server too.
  process.env.SLUICE_TEST_S3_ENDPOINT = info.s3.endpoint;
  process.env.SLUICE_TEST_S3_BUCKET = info.s3.bucket;
  process.env.SLUICE_TEST_S3_ACCESS_KEY = info.s3.accessKey;
  process.env.SLUICE_TEST_S3_SECRET_KEY = info.s3.secretKey;
  process.env.SLUICE_TEST_S3_REGION = info.s3.region;
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
