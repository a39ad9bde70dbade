import {
  ApplicationFailure,
  ContinueAsNew,
  continueAsNew,
  defineQuery,
  executeChild,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CycleStatus } from '../activities/ingest/cycle-completeness';
import type { IngestActivities } from '../activities/ingest/ingest-activities';
import type { IngestTask } from '../activities/ingest/ingest-task';
import { QUARANTINED } from '../activities/ingest/quarantine';
import { ingestFile, ingestFileWorkflowId } from './ingest-file';
import { runBounded } from './run-bounded';
import { SLUICE_KIND, SLUICE_SOURCE } from './search-attributes';
import { CLOUD_QUEUE } from './task-queues';

export interface IngestCycleInput {
  /** A source id from config: gfs, hrrr, goes16, goes18, mrms. */
  readonly source: string;
  /** Plan as of this ISO time; defaults to the workflow's start. Kept across continue-as-new. */
  readonly now?: string;
  /** Totals of the runs this one continues. */
  readonly carried?: IngestCycleTotals;
  /** Epoch ms the first of the continued runs started, for the duration metric. */
  readonly startedAt?: number;
}

export interface IngestCycleTotals {
  readonly ingested: number;
  readonly fields: number;
  readonly bytesFetched: number;
  /** Refused as malformed; listed by `sluice ingest status` until the source replaces them. */
  readonly quarantined: { key: string; reason: string }[];
  /** Failed after every attempt on transient errors; the next run tries them again. */
  readonly failed: { key: string; reason: string }[];
  /** Replaced at the source while this run fetched them, or being ingested by another run. */
  readonly skipped: number;
}

export interface IngestCycleResult extends IngestCycleTotals {
  readonly source: string;
  readonly now: string;
  readonly planned: number;
  readonly unchanged: number;
  readonly notYetPublished: number;
  readonly cycles: CycleStatus[];
}

export interface IngestProgress {
  readonly source: string;
  readonly phase: 'planning' | 'ingesting' | 'finishing' | 'done';
  readonly planned: number;
  readonly done: number;
  readonly ingested: number;
  readonly quarantined: number;
  readonly failed: number;
}

export const ingestProgressQuery = defineQuery<IngestProgress>('progress');

const EMPTY: IngestCycleTotals = { ingested: 0, fields: 0, bytesFetched: 0, quarantined: [], failed: [], skipped: 0 };

const cloud = proxyActivities<IngestActivities>({
  taskQueue: CLOUD_QUEUE,
  // Planning lists a few prefixes and reads ingest_state; completeness is a few queries per cycle.
  startToCloseTimeout: '10m',
  retry: { maximumAttempts: 5, initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * One poll of one source (what the seed's per-model CronJob did, on a Schedule): plan the files
 * that should exist by now and are not yet ingested at their current ETag and size, ingest each in
 * its own child workflow with bounded parallelism, then bring cycle completeness up to date. A
 * malformed file is quarantined and the rest carry on. Runs with more files than maxFilesPerRun
 * continue as new with the same `now`, so history stays bounded and the plan stays the same.
 */
export async function ingestCycle(input: IngestCycleInput): Promise<IngestCycleResult> {
  upsertSearchAttributes([
    { key: SLUICE_KIND, value: 'ingest' },
    { key: SLUICE_SOURCE, value: input.source },
  ]);
  const started = input.startedAt ?? Date.now();
  try {
    return await runCycle(input, started);
  } catch (err) {
    // A run that fails as a whole (the plan cannot list the bucket) counts as failed in the metrics.
    if (!(err instanceof ContinueAsNew) && !isCancellation(err)) {
      await cloud.recordIngestRun({ source: input.source, status: 'failed', seconds: (Date.now() - started) / 1000 }).catch(() => undefined);
    }
    throw err;
  }
}

async function runCycle(input: IngestCycleInput, started: number): Promise<IngestCycleResult> {
  const now = input.now ?? new Date(workflowInfo().runStartTime).toISOString();
  let progress: IngestProgress = { source: input.source, phase: 'planning', planned: 0, done: 0, ingested: 0, quarantined: 0, failed: 0 };
  setHandler(ingestProgressQuery, () => progress);

  const plan = await cloud.planIngest({ source: input.source, now });
  const totals = { ...EMPTY, ...input.carried, quarantined: [...(input.carried?.quarantined ?? [])], failed: [...(input.carried?.failed ?? [])] };
  // Files that already failed in an earlier part of this run wait for the next scheduled run;
  // retrying them here could continue-as-new forever.
  const failedBefore = new Set(totals.failed.map((failure) => failure.key));
  const remaining = plan.tasks.filter((task) => !failedBefore.has(task.key));
  const batch = remaining.slice(0, plan.limits.maxFilesPerRun);
  progress = { ...progress, phase: 'ingesting', planned: batch.length };

  await runBounded(batch, plan.limits.parallelism, async (task) => {
    await ingestOne(input.source, task, plan.limits, totals);
    progress = { ...progress, done: progress.done + 1, ingested: totals.ingested, quarantined: totals.quarantined.length, failed: totals.failed.length };
  });

  if (remaining.length > batch.length) {
    await continueAsNew<typeof ingestCycle>({ source: input.source, now, carried: totals, startedAt: started });
  }

  progress = { ...progress, phase: 'finishing' };
  const cycles = await cloud.updateCycleCompleteness({ source: input.source, cycles: plan.cycles, observedPerHour: plan.observedPerHour });
  const status = totals.quarantined.length + totals.failed.length === 0 ? 'success' : 'partial';
  await cloud.recordIngestRun({ source: input.source, status, seconds: (Date.now() - started) / 1000 });
  progress = { ...progress, phase: 'done' };
  return {
    ...totals,
    source: input.source,
    now,
    planned: plan.tasks.length,
    unchanged: plan.counts.unchanged,
    notYetPublished: plan.counts.notYetPublished,
    cycles,
  };
}

type Limits = { attempts: number; heartbeatTimeoutMs: number };

async function ingestOne(source: string, task: IngestTask, limits: Limits, totals: { -readonly [K in keyof IngestCycleTotals]: IngestCycleTotals[K] }): Promise<void> {
  const file = { ...task, source };
  try {
    const result = await executeChild(ingestFile, {
      workflowId: ingestFileWorkflowId(file),
      args: [{ file, attempts: limits.attempts, heartbeatTimeoutMs: limits.heartbeatTimeoutMs }],
    });
    totals.ingested += 1;
    totals.fields += result.fields;
    totals.bytesFetched += result.bytesFetched;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      totals.skipped += 1;
      return;
    }
    const cause = rootCause(err);
    if (cause?.type === 'SourceObjectChangedError') totals.skipped += 1;
    else if (cause?.type === QUARANTINED) totals.quarantined.push({ key: task.key, reason: cause.message });
    else totals.failed.push({ key: task.key, reason: cause?.message ?? messageOfFailure(err) });
  }
}

function messageOfFailure(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The activity's own failure, inside the child workflow and activity failures that wrap it. */
function rootCause(err: unknown): ApplicationFailure | undefined {
  let current: unknown = err;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure) return current;
    current = current.cause;
  }
  return undefined;
}
