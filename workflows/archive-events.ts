import {
  ApplicationFailure,
  ChildWorkflowFailure,
  defineQuery,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ArchiveActivities } from '../activities/archive/archive-activities';
import type { PartitionedTable } from '../activities/events/day-partitions';
import { archivePartition, archivePartitionWorkflowId, type ArchiveOutcome } from './archive-partition';
import { SLUICE_KIND } from './search-attributes';
import { CLOUD_QUEUE } from './task-queues';

export interface ArchiveEventsInput {
  /** First day (YYYY-MM-DD) to consider; default: any. */
  readonly from?: string;
  /** Last day to consider; default: any before the hot window. */
  readonly to?: string;
  readonly tables?: readonly PartitionedTable[];
  /** ISO; defaults to the workflow's start. */
  readonly now?: string;
}

export type PartitionStatus = 'pending' | 'running' | ArchiveOutcome | 'busy' | 'failed';

export interface PartitionProgress {
  readonly table: PartitionedTable;
  readonly day: string;
  readonly part: number;
  readonly status: PartitionStatus;
  /** The child workflow that archives it (query it for its step). */
  readonly workflowId: string;
  readonly approxRows: number;
  readonly rows?: number;
  readonly bytes?: number;
  readonly key?: string | null;
  /** Why it failed, or what changed. */
  readonly detail?: string;
}

export interface ArchiveProgress {
  readonly cutoffDay?: string;
  readonly partitions: readonly PartitionProgress[];
}

export type ArchiveEventsResult = Required<ArchiveProgress>;

/** Per-partition progress of a run, e.g. `temporal workflow query --type archiveProgress`. */
export const archiveProgressQuery = defineQuery<ArchiveProgress>('archiveProgress');

const cloud = proxyActivities<ArchiveActivities>({
  taskQueue: CLOUD_QUEUE,
  startToCloseTimeout: '5m',
  retry: { maximumAttempts: 5, initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * Parquet archival (design card, family 3): plans the partitions outside the hot window, then
 * archives them one after the other, each in a child workflow whose id names the partition, so two
 * runs (a Schedule's and a backfill) can never work on one partition at once: the second finds it
 * busy and leaves it. One partition failing does not stop the others; the run fails at the end,
 * naming every partition that failed.
 */
export async function archiveEvents(input: ArchiveEventsInput = {}): Promise<ArchiveEventsResult> {
  upsertSearchAttributes([{ key: SLUICE_KIND, value: 'archive' }]);
  let progress: ArchiveProgress = { partitions: [] };
  setHandler(archiveProgressQuery, () => progress);
  const now = input.now ?? new Date(workflowInfo().runStartTime).toISOString();
  const plan = await cloud.planArchive({ now, from: input.from, to: input.to, tables: input.tables ? [...input.tables] : undefined });
  const partitions: PartitionProgress[] = plan.partitions.map((p) => ({
    table: p.table,
    day: p.day,
    part: p.part,
    status: 'pending',
    workflowId: archivePartitionWorkflowId(plan.site, p.table, p.day),
    approxRows: p.approxRows,
  }));
  const update = (index: number, change: Partial<PartitionProgress>) => {
    partitions[index] = { ...partitions[index]!, ...change };
    progress = { cutoffDay: plan.cutoffDay, partitions: [...partitions] };
  };
  progress = { cutoffDay: plan.cutoffDay, partitions: [...partitions] };

  for (let index = 0; index < partitions.length; index++) {
    const { table, day, workflowId } = partitions[index]!;
    update(index, { status: 'running' });
    try {
      const child = await startChild(archivePartition, { workflowId, args: [{ table, day }] });
      const result = await child.result();
      update(index, { status: result.outcome, part: result.part, rows: result.rows, bytes: result.bytes, key: result.key, ...(result.changes ? { detail: result.changes.join('; ') } : {}) });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) update(index, { status: 'busy', detail: `another run is archiving it (workflow ${workflowId})` });
      else if (err instanceof ChildWorkflowFailure) update(index, { status: 'failed', detail: failureMessage(err) });
      else throw err;
    }
  }
  const failed = partitions.filter((p) => p.status === 'failed');
  if (failed.length > 0) {
    throw ApplicationFailure.create({
      type: 'ArchivePartitionsFailed',
      message: `${failed.length} of ${partitions.length} partitions were not archived (they were not dropped): ${failed.map((p) => `${p.table} ${p.day}: ${p.detail}`).join(' | ')}`,
      nonRetryable: true,
      details: [{ cutoffDay: plan.cutoffDay, partitions }],
    });
  }
  return { cutoffDay: plan.cutoffDay, partitions };
}

/** The innermost message of a child's failure (the activity's own error). */
function failureMessage(err: ChildWorkflowFailure): string {
  let cause: Error | undefined = err;
  while (cause && (cause as { cause?: Error }).cause) cause = (cause as { cause?: Error }).cause;
  return cause?.message ?? err.message;
}
