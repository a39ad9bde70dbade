/**
 * One Temporal dev server, one Postgres and one S3 server (versitygw) for the whole run, started
 * by the global setup; workflow code is bundled once there too. Each jest worker gets its own
 * Temporal namespace, so test files running side by side never see each other's tasks.
 */
// As in bin/sluice: keep the AWS SDK's Node 22 notice out of test output (workers inherit this).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

module.exports = {
  // Node's, ending worker processes quickly (see the file).
  testEnvironment: '<rootDir>/test/harness/node-environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 60_000,
  // A test that leaves a handle open must not hang CI; the harness stops its servers itself.
  forceExit: true,
};
