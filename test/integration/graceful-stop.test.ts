import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import type { HostReport } from '../../activities/host/host-activities';
import { temporalTarget, connectWorkerConnection } from '../../infra/temporal/connect';
import { baseWorkerOptions } from '../../workers/worker-options';
import type { RunningWorkers } from '../../workers/start-workers';
import { stackCheck } from '../../workflows/stack-check';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { testSettings } from '../harness/test-settings';
import { startTestWorkers, testClient } from '../harness/test-workers';

/**
 * A stop must let running activities finish (within shutdownGraceTime): the SDK's default of 0
 * would cancel them mid-way. A datasink worker whose probe takes a while is stopped while the
 * probe runs.
 */
describe('stopping a worker', () => {
  let control: RunningWorkers;
  beforeAll(async () => {
    control = await startTestWorkers(testSettings(), [{ role: 'control' }, { role: 'cloud' }]);
  });
  afterAll(async () => {
    await control.shutdown();
  });

  async function stopDuringProbe(shutdownGraceTime: string) {
    const host = `slow-${shutdownGraceTime.replace(/\W/g, '')}-${Date.now().toString(36)}`;
    const settings = testSettings({ config: { workers: { datasink: { shutdownGraceTime } } } });
    const connection = await connectWorkerConnection(temporalTarget(settings, settings.temporal.address));
    let probeStarted!: () => void;
    const started = new Promise<void>((resolve) => (probeStarted = resolve));
    const outcome: { finished?: boolean; cancelled?: boolean } = {};
    const worker = await Worker.create({
      ...baseWorkerOptions({ role: 'datasink', host, root: '/tmp' }, { connection, namespace: settings.temporal.namespace, settings: settings.workers.datasink }),
      activities: {
        async probeHost(): Promise<HostReport> {
          probeStarted();
          try {
            await Context.current().sleep(1500);
            outcome.finished = true;
          } catch (err) {
            outcome.cancelled = true;
            throw err;
          }
          return { host, hostname: 'test', root: '/tmp', freeBytes: 1 };
        },
      },
    });
    const running = worker.run();
    const client = await testClient(settings);
    const handle = await client.workflow.start(stackCheck, { taskQueue: CONTROL_QUEUE, workflowId: `graceful-${host}`, args: [{ datasinks: [host] }] });
    await started;
    worker.shutdown();
    await running;
    await connection.close();
    return { outcome, handle, client };
  }

  it('lets a running activity finish when the grace time allows', async () => {
    const { outcome, handle, client } = await stopDuringProbe('30s');
    expect(outcome).toEqual({ finished: true });
    const report = await handle.result();
    expect(report.checks.find((check) => check.name.startsWith('host '))).toMatchObject({ ok: true });
    await client.connection.close();
  });

  it('cancels it at once with a grace time of zero (why the default is not kept)', async () => {
    const { outcome, handle, client } = await stopDuringProbe('0s');
    expect(outcome).toEqual({ cancelled: true });
    await handle.terminate('test over');
    await client.connection.close();
  });
});
