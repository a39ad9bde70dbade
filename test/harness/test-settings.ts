import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadConfig, type Settings } from '../../infra/config/load-config';
import { WORKFLOW_TYPES } from '../../workflows/workflow-types';
import { testNamespace, testStack } from './test-stack-info';

export interface TestSettingsOptions {
  storage?: 'local' | 's3';
  /** Extra config merged over the test stack's (e.g. fleet, schedules). */
  config?: Record<string, unknown>;
  /** A database of the test's own (isolatedDatabaseUrl()) instead of the shared one. */
  databaseUrl?: string;
}

/**
 * Settings pointing at the shared test stack, loaded through the real config loader from a real
 * YAML file in a fresh state directory, with this jest worker's namespace.
 */
export function testSettings(options: TestSettingsOptions = {}): Settings {
  const stack = testStack();
  // Inside the run's work directory, which the global teardown removes.
  const stateDir = fs.mkdtempSync(path.join(stack.workDir, 'state-'));
  const config = {
    stateDir,
    log: { level: 'warn' },
    // Many cloud workers run side by side in one test run; each gets a free port.
    metrics: { port: 0 },
    temporal: { address: stack.temporalAddress, namespace: testNamespace() },
    postgres: { url: options.databaseUrl ?? stack.databaseUrl, poolSize: 2 },
    storage:
      options.storage === 's3'
        ? {
            kind: 's3',
            s3: {
              endpoint: stack.s3.endpoint,
              bucket: stack.s3.bucket,
              region: stack.s3.region,
              accessKeyId: stack.s3.accessKey,
              secretAccessKey: stack.s3.secretKey,
              prefix: `${path.basename(stateDir)}/`,
            },
          }
        : { kind: 'local' },
    ...options.config,
  };
  const file = path.join(stateDir, 'sluice.yaml');
  fs.writeFileSync(file, YAML.stringify(config));
  return loadConfig({ file, env: {}, workflowTypes: WORKFLOW_TYPES });
}
