import type { WorkflowHandle } from '@temporalio/client';
import type { StagingProgress } from '../../activities/host/node-staging';
import { deployProgressQuery, type DeployProgress } from '../../workflows/deploy-models';
import { formatBytes } from '../ingest/ingest-status';
import { pendingHeartbeats } from '../pending-heartbeats';

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
    if (progress && description) onUpdate(progress, stagingOf(description));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function stagingOf(description: Parameters<typeof pendingHeartbeats>[0]): StagingByHost {
  const staging: StagingByHost = new Map();
  for (const { activity, details } of pendingHeartbeats(description)) {
    const progress = details as Partial<StagingProgress & { host: string }> | undefined;
    if (activity === 'nodeStageFiles' && typeof progress?.host === 'string') staging.set(progress.host, progress as StagingProgress);
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
