import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { IngestActivities, IngestFileInput, IngestFileResult } from '../activities/ingest/ingest-activities';
import { SLUICE_KIND, SLUICE_SOURCE } from './search-attributes';
import { CLOUD_QUEUE } from './task-queues';

export interface IngestFileWorkflowInput {
  readonly file: IngestFileInput;
  /** Attempts for transient errors (network, 5xx, a worker lost); bad files fail at once. */
  readonly attempts: number;
  /** How long without a heartbeat before the worker is taken as lost. */
  readonly heartbeatTimeoutMs: number;
}

/**
 * One source object, as its own workflow so that each file's attempts and outcome are visible in
 * the Web UI, and its id (see ingestFileWorkflowId) makes a second start of the same version a
 * no-op while the first runs.
 */
export async function ingestFile(input: IngestFileWorkflowInput): Promise<IngestFileResult> {
  upsertSearchAttributes([
    { key: SLUICE_KIND, value: 'ingest-file' },
    { key: SLUICE_SOURCE, value: input.file.source },
  ]);
  const { ingestSourceFile } = proxyActivities<IngestActivities>({
    taskQueue: CLOUD_QUEUE,
    // A 500 MB GFS file on a slow link; heartbeats notice a lost worker long before this.
    startToCloseTimeout: '1h',
    heartbeatTimeout: input.heartbeatTimeoutMs,
    retry: { maximumAttempts: input.attempts, initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' },
  });
  return ingestSourceFile(input.file);
}

/** Stable per source object version: the same file at the same ETag always maps to the same workflow. */
export function ingestFileWorkflowId(file: Pick<IngestFileInput, 'source' | 'key' | 'etag'>): string {
  return `ingest-file/${file.source}/${file.key}@${file.etag}`;
}
