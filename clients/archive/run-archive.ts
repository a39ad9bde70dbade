import type { Client, WorkflowHandle } from '@temporalio/client';
import { archiveEvents, archiveProgressQuery, type ArchiveProgress, type PartitionProgress } from '../../workflows/archive-events';
import { archiveStepQuery } from '../../workflows/archive-partition';
import { pendingHeartbeats } from '../pending-heartbeats';
import type { ArchiveRange } from './archive-options';
import { archiveStepText } from './format-archive';
import { CONTROL_QUEUE } from '../../workflows/task-queues';

/** Starts archiveEvents for the range (the same workflow the events-archive Schedule starts). */
export function startArchive(client: Client, range: ArchiveRange): Promise<WorkflowHandle<typeof archiveEvents>> {
  return client.workflow.start(archiveEvents, { taskQueue: CONTROL_QUEUE, workflowId: `archive-events-${new Date().toISOString()}`, args: [range] });
}

/**
 * Follows a run: asks for its progress every `everyMs` and reports each partition whose status
 * (or, while it runs, whose step) changed; settles with the run. Progress comes from queries, so
 * following never changes the run.
 */
export async function followArchive(
  client: Client,
  handle: WorkflowHandle<typeof archiveEvents>,
  report: (partition: PartitionProgress, step: string | undefined) => void,
  everyMs = 1000,
): Promise<ArchiveProgress> {
  const seen = new Map<string, string>();
  let last: ArchiveProgress = { partitions: [] };
  const poll = async () => {
    last = await handle.query(archiveProgressQuery).catch(() => last);
    for (const partition of last.partitions) {
      const step = partition.status === 'running' ? await runningStep(client, partition) : undefined;
      const shown = `${partition.status}/${step ?? ''}`;
      const id = `${partition.table}/${partition.day}`;
      if (seen.get(id) === shown) continue;
      seen.set(id, shown);
      report(partition, step);
    }
  };
  const outcome = handle.result().then(
    () => ({ ok: true as const }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  for (;;) {
    const settled = await Promise.race([outcome, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), everyMs))]);
    await poll();
    if (settled) {
      if (!settled.ok) throw settled.err;
      return last;
    }
  }
}

/** Where a running partition's archival is: its workflow's step, made finer by its activity's last heartbeat. */
async function runningStep(client: Client, partition: PartitionProgress): Promise<string | undefined> {
  const handle = client.workflow.getHandle(partition.workflowId);
  const [state, description] = await Promise.all([handle.query(archiveStepQuery).catch(() => undefined), handle.describe().catch(() => undefined)]);
  return archiveStepText(state?.step, description ? pendingHeartbeats(description)[0]?.details : undefined, partition.approxRows);
}
