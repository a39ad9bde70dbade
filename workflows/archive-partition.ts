import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ArchiveActivities } from '../activities/archive/archive-activities';
import type { PartitionedTable } from '../activities/events/day-partitions';
import { CLOUD_QUEUE } from './task-queues';

export interface ArchivePartitionInput {
  readonly table: PartitionedTable;
  readonly day: string;
}

export type ArchiveOutcome =
  /** Archived, verified and dropped. */
  | 'archived'
  /** Empty: recorded and dropped, no object. */
  | 'empty'
  /** Changed after its export: kept, archived again by the next run. */
  | 'changed';

export interface ArchivePartitionResult {
  readonly table: PartitionedTable;
  readonly day: string;
  readonly part: number;
  readonly key: string | null;
  readonly rows: number;
  readonly bytes: number;
  readonly outcome: ArchiveOutcome;
  /** What changed, for 'changed'. */
  readonly changes?: readonly string[];
}

export type ArchiveStep = 'claiming' | 'exporting' | 'verifying' | 'dropping' | 'done';

export interface ArchiveStepState {
  readonly step: ArchiveStep;
  readonly part?: number;
  readonly key?: string | null;
}

/** Where one partition's archival is, e.g. `temporal workflow query --type archiveStep`. */
export const archiveStepQuery = defineQuery<ArchiveStepState>('archiveStep');

/** The workflow id of a partition's archival: one run at a time per partition, whoever starts it. */
export function archivePartitionWorkflowId(site: string, table: PartitionedTable, day: string): string {
  return `archive-${site}-${table}-${day}`;
}

const cloud = proxyActivities<ArchiveActivities>({
  taskQueue: CLOUD_QUEUE,
  startToCloseTimeout: '2h',
  // Each step heartbeats every 5 s: a worker that dies is replaced after this, not after 2 hours.
  heartbeatTimeout: '20s',
  retry: { maximumAttempts: 10, initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2m' },
});

/**
 * One day's partition of one table: claim its part (the one in flight, or the next number), export
 * and upload it, verify the uploaded object by reading it back, and only then drop the partition.
 * Each step is an idempotent activity; the manifest carries the state between them, so a crash
 * anywhere resumes with the same part and key.
 */
export async function archivePartition(input: ArchivePartitionInput): Promise<ArchivePartitionResult> {
  let state: ArchiveStepState = { step: 'claiming' };
  setHandler(archiveStepQuery, () => state);
  const claimed = await cloud.claimArchivePart(input);
  const ref = { table: input.table, day: input.day, part: claimed.part };
  state = { step: 'exporting', part: claimed.part, key: claimed.key };
  const exported = await cloud.exportArchivePart(ref);
  state = { step: 'verifying', part: claimed.part, key: exported.part.key };
  const verified = await cloud.verifyArchivePart(ref);
  state = { step: 'dropping', part: claimed.part, key: verified.key };
  // The export's snapshot lets the drop prove cheaply that the partition did not change since.
  const dropped = await cloud.dropArchivedPartition(exported.snapshot ? { ...ref, exportedFrom: exported.snapshot } : ref);
  state = { step: 'done', part: claimed.part, key: verified.key };
  const rows = verified.figures?.rows ?? 0;
  const result = { table: input.table, day: input.day, part: claimed.part, key: verified.key, rows, bytes: verified.bytes ?? 0 };
  if (!dropped.dropped) return { ...result, outcome: 'changed', changes: dropped.changes };
  return { ...result, outcome: verified.key === null ? 'empty' : 'archived' };
}
