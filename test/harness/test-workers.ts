import { Client, Connection } from '@temporalio/client';
import type { Settings } from '../../infra/config/load-config';
import { createLogger } from '../../infra/log/logger';
import { temporalTarget } from '../../infra/temporal/connect';
import type { RoleSpec } from '../../workers/role';
import { startWorkers, type RunningWorkers } from '../../workers/start-workers';
import { testStack } from './test-stack-info';

export const testLog = createLogger({ level: process.env.SLUICE_TEST_LOG_LEVEL ?? 'warn', pretty: false });

/** Real workers for `specs`, on the shared dev server, with the workflow bundle built once per run. */
export function startTestWorkers(settings: Settings, specs: RoleSpec[]): Promise<RunningWorkers> {
  return startWorkers({
    specs,
    target: temporalTarget(settings, settings.temporal.address),
    settings,
    databaseUrl: settings.postgres.url,
    log: testLog,
    workflowBundle: { codePath: testStack().workflowBundlePath },
  });
}

export async function testClient(settings: Settings): Promise<Client> {
  const connection = await Connection.connect({ address: settings.temporal.address });
  return new Client({ connection, namespace: settings.temporal.namespace });
}
