import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { projectRoot } from '../../infra/project-root';
import { findFreePort } from '../../infra/stack/wait-for';
import { cleanEnv, startCli } from '../harness/run-cli';
import { testStack } from '../harness/test-stack-info';

const BIN = path.join(projectRoot(), 'bin', 'sluice');

async function centralConfig(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(testStack().workDir, 'pipe-'));
  const file = path.join(dir, 'sluice.yaml');
  fs.writeFileSync(file, YAML.stringify({ central: { port: 0, sites: [{ id: 'site-a', url: `http://127.0.0.1:${await findFreePort()}` }] } }));
  return file;
}

/** The exit code, or 'still running' if it has not exited within the bound (then it is killed). */
async function exitWithin(child: ReturnType<typeof spawn>, exited: Promise<number | null>, ms = 10_000): Promise<number | null | 'still running'> {
  const gaveUp = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), ms).unref());
  const outcome = await Promise.race([exited, gaveUp]);
  if (outcome === 'still running') child.kill('SIGKILL');
  return outcome;
}

describe('sluice CLI whose output is no longer read', () => {
  // `sluice central 2>&1 | tee log`, then Ctrl-C: the terminal stops both, tee first. Its stop
  // logging then hit a closed pipe, and pino's exit flush (sonic-boom 4) retried that write
  // forever: the process could only be killed with SIGKILL.
  it('still stops on SIGTERM once the reader of its logs has exited', async () => {
    const central = await startCli(['--config', await centralConfig(), 'central'], cleanEnv(), /central API listening/);
    central.child.stdout!.destroy();
    central.child.stderr!.destroy();
    central.child.kill('SIGTERM');
    expect(await exitWithin(central.child, central.exited)).toBe(0);
  });

  it('stops a long-running command in order when its output is closed, as on Ctrl-C (`sluice events tail -f | head`)', async () => {
    const child = spawn(process.execPath, [BIN, '--config', await centralConfig(), 'central'], { env: cleanEnv(), cwd: projectRoot() });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exitWithin(child, exited)).toBe(0);
    expect(stderr).toMatch(/"msg":"output closed: stopping after the current step/);
    expect(stderr).toMatch(/"msg":"stopping the central API: requests in flight are answered"/);
  });

  it('ends a one-shot command quietly, with the status of a reader gone (141), and no stack trace', async () => {
    // doctor writes its first finding, then waits on the next check: the closed pipe's error arrives meanwhile.
    const env = cleanEnv({ TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: 'postgres://sluice@127.0.0.1:1/sluice' });
    const child = spawn(process.execPath, [BIN, 'doctor'], { env, cwd: projectRoot() });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exitWithin(child, exited)).toBe(141);
    expect(stderr).toBe('');
  });
});
