/** What the global setup started, handed to test files through one environment variable. */
export interface TestStackInfo {
  workDir: string;
  temporalAddress: string;
  temporalCliPath: string;
  /** One per jest worker; see testNamespace(). */
  namespaces: string[];
  databaseUrl: string;
  /** A migrated database no one connects to, copied by isolatedDatabaseUrl(). */
  templateDatabase: string;
  s3: { endpoint: string; bucket: string; region: string; accessKey: string; secretKey: string };
  workflowBundlePath: string;
  toolsDir: string;
}

export const STACK_ENV = 'SLUICE_TEST_STACK';
/** More than jest's maxWorkers, in case it is raised on a bigger machine. */
export const NAMESPACE_COUNT = 8;

export function testStack(): TestStackInfo {
  const raw = process.env[STACK_ENV];
  if (!raw) throw new Error(`${STACK_ENV} is not set: run tests through jest (npm test), which starts the test stack`);
  return JSON.parse(raw) as TestStackInfo;
}

export function testNamespace(): string {
  const stack = testStack();
  const index = (Number(process.env.JEST_WORKER_ID ?? '1') - 1) % stack.namespaces.length;
  return stack.namespaces[index]!;
}
