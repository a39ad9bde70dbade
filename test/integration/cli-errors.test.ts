import fs from 'node:fs';
import path from 'node:path';
import { findFreePort } from '../../infra/stack/wait-for';
import { cleanEnv, runCli, startCli } from '../harness/run-cli';
import { testStack } from '../harness/test-stack-info';

function configFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(testStack().workDir, 'cli-'));
  const file = path.join(dir, 'sluice.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/** A stack trace has lines like "    at foo (file.js:1:2)". */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

describe('sluice CLI: bad input and unreachable services give one clear message', () => {
  it('names the bad field of a config file, exits non-zero, and prints no stack trace', async () => {
    const result = await runCli(['--config', configFile('temporal:\n  adress: x\nworkers:\n  cloud:\n    maxConcurrentActivities: "8"\n'), 'doctor'], cleanEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('temporal: unknown key "adress"');
    expect(result.stderr).toContain('workers.cloud.maxConcurrentActivities: expected number');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('says when Temporal is unreachable', async () => {
    const port = await findFreePort();
    const result = await runCli(['schedule', 'list'], cleanEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Temporal at 127.0.0.1:${port} (namespace default) is not reachable`);
    expect(result.stderr).toContain('TEMPORAL_ADDRESS');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('says when Postgres is unreachable, without the password', async () => {
    const port = await findFreePort();
    const result = await runCli(['worker', '--role', 'cloud'], cleanEnv({ DATABASE_URL: `postgres://sluice:topsecret@127.0.0.1:${port}/sluice`, TEMPORAL_ADDRESS: '127.0.0.1:1' }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Postgres at postgres://sluice:redacted@127.0.0.1:${port}/sluice is not reachable`);
    // The embedded Postgres is the usual one to find down: only sluice up starts it.
    expect(result.stderr).toContain('Without postgres.url it is the embedded Postgres, which runs while `sluice up` (npm start) runs on this machine');
    expect(result.stderr).not.toContain('topsecret');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('shows the cause with --verbose', async () => {
    const port = await findFreePort();
    const result = await runCli(['--verbose', 'worker', '--role', 'cloud'], cleanEnv({ DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/x` }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(STACK_LINE);
  });

  it('says to install Go when there is no temporal binary and no go to build one', async () => {
    const stateDir = fs.mkdtempSync(path.join(testStack().workDir, 'nogo-'));
    // An empty PATH: neither temporal nor go can be found (node itself is started by absolute path).
    const emptyBin = fs.mkdtempSync(path.join(testStack().workDir, 'bin-'));
    const result = await runCli(['up'], cleanEnv({ PATH: emptyBin, SLUICE_STATE_DIR: stateDir }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('temporal was not found on PATH and Go is not installed to build it');
    expect(result.stderr).toContain('TEMPORAL_CLI_PATH');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('stops a first-start tool build on Ctrl-C, killing the build', async () => {
    const stateDir = fs.mkdtempSync(path.join(testStack().workDir, 'abort-'));
    const fakeBin = fs.mkdtempSync(path.join(testStack().workDir, 'fakego-'));
    const pidFile = path.join(fakeBin, 'go.pid');
    // A "go" that answers `go version` and then builds forever.
    fs.writeFileSync(path.join(fakeBin, 'go'), `#!/bin/sh\nif [ "$1" = version ]; then echo "go version go1.26.0 linux/amd64"; exit 0; fi\necho $$ > ${pidFile}\nexec sleep 600\n`, { mode: 0o755 });
    const up = startCli(['up'], cleanEnv({ PATH: `${fakeBin}:/usr/bin:/bin`, SLUICE_STATE_DIR: stateDir, SLUICE_LOG__LEVEL: 'info' }), /Building temporal/);
    const { child, exited, output } = await up;
    for (let i = 0; i < 50 && !fs.existsSync(pidFile); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    const goPid = Number(fs.readFileSync(pidFile, 'utf8'));
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(output()).toContain('Interrupted while starting');
    // The build's process is gone (allow a moment for it to be reaped).
    const alive = () => {
      try {
        process.kill(goPid, 0);
        return !fs.readFileSync(`/proc/${goPid}/stat`, 'utf8').split(' ')[2]!.startsWith('Z');
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 20 && alive(); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive()).toBe(false);
    expect(fs.readdirSync(path.join(stateDir, 'tools'))).toEqual([]);
  });

  it('refuses a host worker without --host, and a role that does not exist', async () => {
    const noHost = await runCli(['worker', '--role', 'node'], cleanEnv());
    expect(noHost.code).toBe(1);
    expect(noHost.stderr).toContain('A node worker needs --host NAME');
    const badRole = await runCli(['worker', '--role', 'chef'], cleanEnv());
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toContain("Allowed choices are control, cloud, datasink, node");
    const badLevel = await runCli(['--log-level', 'loud', 'doctor'], cleanEnv());
    expect(badLevel.code).toBe(1);
    expect(badLevel.stderr).toContain("argument 'loud' is invalid");
  });

  it('reports unreachable S3 and Postgres in doctor with a fix for each, and exits non-zero', async () => {
    const [pgPort, s3Port, temporalPort] = await Promise.all([findFreePort(), findFreePort(), findFreePort()]);
    const file = configFile(`storage:\n  kind: s3\n  s3:\n    endpoint: http://127.0.0.1:${s3Port}\n    bucket: nowhere\n    accessKeyId: a\n    secretAccessKey: b\n`);
    const result = await runCli(['--config', file, 'doctor'], cleanEnv({ DATABASE_URL: `postgres://u:p@127.0.0.1:${pgPort}/x`, TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}` }));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}Temporal: .*\n {6}fix: /);
    expect(result.stdout).toMatch(/FAIL {2}Postgres: .*not reachable.*\n {6}fix: /);
    expect(result.stdout).toMatch(/FAIL {2}object storage: .*\n {6}fix: .*storage\.s3\.endpoint/);
  });
});
