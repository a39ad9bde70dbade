import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { StagingProgress } from '../../activities/host/node-staging';
import { deployProgressQuery, type DeployProgress } from '../../workflows/deploy-models';
import { formatBytes } from '../ingest/ingest-status';

/** Bytes staged so far per host, from the heartbeats of running nodeStageFiles activities. */
export type StagingByHost = Map<string, StagingProgress>;

/**
 * Follows a running deployModels: its per-node phases (a query) and, for nodes that are
 * downloading, how far along they are (the heartbeat details of their staging activity, read from
 * the workflow's pending activities). Calls `onUpdate` every `intervalMs` until the run closes.
 */
export async function followDeployment(handle: WorkflowHandle, onUpdate: (progress: DeployProgress, staging: StagingByHost) => void, intervalMs = 500): Promise<void> {
  for (;;) {
    const description = await handle.describe().catch(() => undefined);
    if (description && description.status.name !== 'RUNNING') return;
    const progress = await handle.query(deployProgressQuery).catch(() => undefined);
    if (progress && description) onUpdate(progress, stagingOf(description.raw.pendingActivities ?? []));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function stagingOf(pending: readonly { activityType?: { name?: string | null } | null; heartbeatDetails?: { payloads?: unknown[] | null } | null }[]): StagingByHost {
  const staging: StagingByHost = new Map();
  for (const activity of pending) {
    const payload = activity.activityType?.name === 'nodeStageFiles' ? activity.heartbeatDetails?.payloads?.[0] : undefined;
    if (!payload) continue;
    try {
      const details = defaultPayloadConverter.fromPayload<StagingProgress & { host: string }>(payload as Parameters<typeof defaultPayloadConverter.fromPayload>[0]);
      if (details?.host) staging.set(details.host, details);
    } catch {
      // Details of another shape (an older worker): no byte count for that node.
    }
  }
  return staging;
}

/** One line: the stage, then each node's phase, with download progress where known. */
export function formatDeployProgress(progress: DeployProgress, staging: StagingByHost): string {
  const nodes = progress.nodes.map(({ host, phase }) => {
    const bytes = staging.get(host);
    const percent = bytes && bytes.bytes > 0 ? ` ${Math.floor((bytes.bytesDone / bytes.bytes) * 100)}% of ${formatBytes(bytes.bytes)}` : '';
    return `${host} ${phase}${phase === 'staging' ? percent : ''}`;
  });
  return `${progress.stage}${nodes.length > 0 ? `: ${nodes.join(' · ')}` : ''}`;
}
