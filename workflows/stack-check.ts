import { ActivityFailure, ApplicationFailure, proxyActivities, upsertSearchAttributes, uuid4, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type { HostActivities, HostReport } from '../activities/host/host-activities';
import type { StackCheckActivities } from '../activities/stack-check/stack-check-activities';
import { SLUICE_KIND } from './search-attributes';
import { CLOUD_QUEUE, datasinkQueue, nodeQueue } from './task-queues';

export interface StackCheckInput {
  /** Datasink hosts whose workers must answer. */
  datasinks?: string[];
  /** Edge-node hosts whose workers must answer. */
  nodes?: string[];
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface StackCheckReport {
  ok: boolean;
  checks: CheckResult[];
  hosts: HostReport[];
}

// A check should answer in seconds; a few quick retries cover a blip, not an outage.
const checkRetry: RetryPolicy = { maximumAttempts: 3, initialInterval: '500ms', backoffCoefficient: 2 };

const cloud = proxyActivities<StackCheckActivities>({
  taskQueue: CLOUD_QUEUE,
  startToCloseTimeout: '20s',
  // No cloud worker polling means the activity would wait forever; fail the check instead.
  scheduleToStartTimeout: '30s',
  retry: checkRetry,
});

function hostActivities(taskQueue: string): HostActivities {
  return proxyActivities<HostActivities>({ taskQueue, startToCloseTimeout: '20s', scheduleToStartTimeout: '20s', retry: checkRetry });
}

/**
 * End-to-end check of the stack (`sluice doctor`): a cloud worker writes, reads back and deletes
 * a Postgres row and an object, and every named host worker proves it polls its queue and can
 * write its root directory. Fails, with the report as the failure's details, if any check fails.
 */
export async function stackCheck(input: StackCheckInput = {}): Promise<StackCheckReport> {
  // Set here rather than by the starter, so runs from schedules and the temporal CLI are found too.
  upsertSearchAttributes([{ key: SLUICE_KIND, value: 'stack-check' }]);
  const token = uuid4();
  const payload = `stackCheck ${workflowInfo().workflowId} ${token}`;
  const checks: CheckResult[] = [];
  const hosts: HostReport[] = [];

  checks.push(
    await check('postgres', async () => {
      try {
        await cloud.writeCheckRow(token, payload);
        const back = await cloud.readCheckRow(token);
        if (back !== payload) throw new Error(`read back ${JSON.stringify(back)} instead of the row just written`);
      } finally {
        await cloud.deleteCheckRow(token);
      }
      return 'wrote, read back and deleted a row in sluice_stack_check';
    }),
  );

  const key = `sluice-stack-check/${token}.txt`;
  checks.push(
    await check('object storage', async () => {
      let gone = false;
      try {
        await cloud.writeCheckObject(key, payload);
        const back = await cloud.readCheckObject(key);
        if (back !== payload) throw new Error(`read back ${JSON.stringify(back)} instead of the object just written`);
      } finally {
        gone = await cloud.deleteCheckObject(key);
      }
      if (!gone) throw new Error(`object ${key} still exists after delete`);
      return `wrote, read back and deleted ${key}`;
    }),
  );

  const targets = [
    ...(input.datasinks ?? []).map((host) => ({ host, queue: datasinkQueue(host) })),
    ...(input.nodes ?? []).map((host) => ({ host, queue: nodeQueue(host) })),
  ];
  checks.push(
    ...(await Promise.all(
      targets.map(({ host, queue }) =>
        check(`host ${host} (${queue})`, async () => {
          const report = await hostActivities(queue).probeHost(token);
          hosts.push(report);
          return `worker on ${report.hostname} wrote ${report.root}; ${Math.round(report.freeBytes / 2 ** 20)} MiB free`;
        }),
      ),
    )),
  );

  const report: StackCheckReport = { ok: checks.every((result) => result.ok), checks, hosts };
  if (!report.ok) {
    const failed = checks.filter((result) => !result.ok).map((result) => `${result.name}: ${result.detail}`);
    throw ApplicationFailure.nonRetryable(`stack check failed: ${failed.join('; ')}`, 'StackCheckFailed', report);
  }
  return report;
}

async function check(name: string, run: () => Promise<string>): Promise<CheckResult> {
  try {
    return { name, ok: true, detail: await run() };
  } catch (err) {
    return { name, ok: false, detail: describeFailure(err) };
  }
}

/** An activity's own failure message: "Activity task failed" alone tells a person nothing. */
function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
