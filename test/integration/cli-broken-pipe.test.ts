import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { findFreePort } from '../../infra/stack/wait-for';
import { cleanEnv, startCli } from '../harness/run-cli';
import { testStack } from '../harness/test-stack-info';

describe('sluice CLI whose output pipe is gone', () => {
  // `sluice central 2>&1 | tee log`, then Ctrl-C: the terminal stops both, tee first. Its stop
  // logging then hit a closed pipe, and pino's exit flush (sonic-boom 4) retried that write
  // forever: the process could only be killed with SIGKILL.
  it('still stops on SIGTERM once the reader of its logs has exited', async () => {
    const dir = fs.mkdtempSync(path.join(testStack().workDir, 'pipe-'));
    const file = path.join(dir, 'sluice.yaml');
    fs.writeFileSync(file, YAML.stringify({ central: { port: 0, sites: [{ id: 'site-a', url: `http://127.0.0.1:${await findFreePort()}` }] } }));
    const central = await startCli(['--config', file, 'central'], cleanEnv(), /central API listening/);
    central.child.stdout!.destroy();
    central.child.stderr!.destroy();
    central.child.kill('SIGTERM');
    const gaveUp = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 10_000).unref());
    const outcome = await Promise.race([central.exited, gaveUp]);
    if (outcome === 'still running') central.child.kill('SIGKILL');
    expect(outcome).toBe(0);
  });
});
