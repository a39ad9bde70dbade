import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { isPortOpen, findFreePort } from '../../infra/stack/wait-for';
import type { RunningWorkers } from '../../workers/start-workers';
import { cleanEnv, runCli, startCli } from '../harness/run-cli';
import { testSettings } from '../harness/test-settings';
import { testStack } from '../harness/test-stack-info';
import { startTestWorkers } from '../harness/test-workers';

describe('sluice CLI against a running stack', () => {
  it('doctor passes every check, stackCheck included, when the workers run', async () => {
    const settings = testSettings({ config: { fleet: [{ host: 'sink-doc', role: 'datasink' }] } });
    const workers: RunningWorkers = await startTestWorkers(settings, [
      { role: 'control' },
      { role: 'cloud' },
      { role: 'datasink', host: 'sink-doc', root: settings.fleet[0]!.root },
    ]);
    try {
      const result = await runCli(['--config', settings.file!, 'doctor'], cleanEnv());
      expect(result.stdout).toContain('All checks passed.');
      expect(result.stdout).toMatch(/ok {4}workers on sluice-datasink-sink-doc: 1 polling/);
      expect(result.stdout).toMatch(/ok {4}stackCheck workflow: stack-check-\S+: ok postgres; ok object storage; ok host sink-doc/);
      expect(result.code).toBe(0);
      // Without events.enabled, no archival to watch.
      expect(await (await fetch(workers.metricsUrl!)).text()).not.toContain('sluice_archive_');
    } finally {
      await workers.shutdown();
    }
  });

  it('doctor names the queue nobody polls and how to start its worker, and an event API that is not there', async () => {
    const apiPort = await findFreePort();
    const settings = testSettings({ config: { fleet: [{ host: 'ghost', role: 'outpost' }], events: { enabled: true, api: { port: apiPort } } } });
    const workers = await startTestWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    try {
      const result = await runCli(['--config', settings.file!, 'doctor'], cleanEnv());
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('FAIL  workers on sluice-node-ghost: no worker is polling');
      expect(result.stdout).toContain('fix: Run sluice up, or sluice worker --role node --host ghost on the host that owns it.');
      expect(result.stdout).toContain(`FAIL  event API: http://127.0.0.1:${apiPort}: cannot connect (ECONNREFUSED)`);
      expect(result.stdout).toContain('fix: With events.enabled, sluice up serves it; on a host of its own, run sluice events serve there');
      // The end-to-end check still runs for the parts that are there.
      expect(result.stdout).toMatch(/ok {4}stackCheck workflow: .*ok postgres; ok object storage$/m);
      // With events.enabled, the cloud worker's /metrics says how far archival is behind.
      expect(await (await fetch(workers.metricsUrl!)).text()).toMatch(/^sluice_archive_oldest_waiting_seconds\{table="events"\} \d+$/m);
    } finally {
      await workers.shutdown();
    }
  });

  it('up runs every role against a configured cluster, manages schedules, and stops on Ctrl-C', async () => {
    const settings = testSettings({
      config: {
        schedules: { 'cli-check': { workflow: 'stackCheck', every: '1h', paused: true, description: 'test schedule' } },
        fleet: [{ host: 'sink-up', role: 'datasink' }],
      },
    });
    const up = await startCli(['--config', settings.file!, 'up'], cleanEnv(), /sluice is up/);
    try {
      expect(up.output()).toContain(`Temporal:  ${settings.temporal.address}`);
      const list = await runCli(['--config', settings.file!, 'schedule', 'list', '--json'], cleanEnv());
      expect(JSON.parse(list.stdout)).toEqual([
        expect.objectContaining({ name: 'cli-check', workflow: 'stackCheck', paused: true, note: 'test schedule' }),
        // On by default: the model registry's weekly cleanup.
        expect.objectContaining({ name: 'registry-cleanup', workflow: 'registryCleanup', paused: false }),
      ]);

      const unpause = await runCli(['--config', settings.file!, 'schedule', 'unpause', 'cli-check'], cleanEnv());
      expect(unpause.stdout).toContain('unpaused cli-check');
      const trigger = await runCli(['--config', settings.file!, 'schedule', 'trigger', 'cli-check'], cleanEnv());
      expect(trigger.stdout).toContain('triggered cli-check');
      const pause = await runCli(['--config', settings.file!, 'schedule', 'pause', 'cli-check', '--note', 'hold'], cleanEnv());
      expect(pause.code).toBe(0);
      const after = JSON.parse((await runCli(['--config', settings.file!, 'schedule', 'list', '--json'], cleanEnv())).stdout);
      expect(after[0]).toMatchObject({ paused: true, note: 'hold' });
      const missing = await runCli(['--config', settings.file!, 'schedule', 'pause', 'no-such'], cleanEnv());
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('There is no schedule named "no-such"');

      const doctor = await runCli(['--config', settings.file!, 'doctor'], cleanEnv());
      expect(doctor.stdout).toContain('All checks passed.');
    } finally {
      // npm forwards the terminal's Ctrl-C, so one keypress can arrive twice: still a graceful stop.
      up.child.kill('SIGINT');
      setTimeout(() => up.child.kill('SIGINT'), 5);
      expect(await up.exited).toBe(0);
    }
  }, 150_000);

  it('up with nothing configured runs its own dev server, Web UI and Postgres, and Ctrl-C stops them all', async () => {
    const stateDir = fs.mkdtempSync(path.join(testStack().workDir, 'embedded-'));
    fs.chmodSync(stateDir, 0o755);
    // Its own ports, metrics' included: a sluice already running here holds the defaults.
    const [temporalPort, uiPort, pgPort, metricsPort] = [await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort()];
    const file = path.join(stateDir, 'sluice.yaml');
    fs.writeFileSync(file, YAML.stringify({ temporal: { devServer: { port: temporalPort, uiPort } }, postgres: { embedded: { port: pgPort } }, metrics: { port: metricsPort } }));
    const env = cleanEnv({ TEMPORAL_CLI_PATH: testStack().temporalCliPath });

    const up = await startCli(['--config', file, 'up'], env, /sluice is up/, 120_000);
    try {
      expect(up.output()).toContain(`Web UI:    http://localhost:${uiPort}`);
      const page = await fetch(`http://127.0.0.1:${uiPort}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
      const doctor = await runCli(['--config', file, 'doctor'], env);
      expect(doctor.stdout).toContain('All checks passed.');
      expect(fs.existsSync(path.join(stateDir, '.sluice', 'temporal.db'))).toBe(true);
    } finally {
      up.child.kill('SIGINT');
      expect(await up.exited).toBe(0);
    }
    expect(await isPortOpen('127.0.0.1', temporalPort)).toBe(false);
    expect(await isPortOpen('127.0.0.1', uiPort)).toBe(false);
    expect(await isPortOpen('127.0.0.1', pgPort)).toBe(false);
  }, 150_000);
});
