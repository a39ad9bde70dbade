import type { WorkflowExecutionDescription } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';

/** A running activity of a workflow, with the details of its last heartbeat the server has. */
export interface PendingHeartbeat {
  readonly activity: string;
  readonly details: unknown;
}

/**
 * The last heartbeat details of each of a workflow's pending activities (from describe()), as long
 * CLI work shows progress with them. Workers send them at most every 5 s (worker-options.ts).
 * Activities with no details, or details that do not decode, are left out.
 */
export function pendingHeartbeats(description: Pick<WorkflowExecutionDescription, 'raw'>): PendingHeartbeat[] {
  const heartbeats: PendingHeartbeat[] = [];
  for (const activity of description.raw.pendingActivities ?? []) {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    if (!payload) continue;
    try {
      heartbeats.push({ activity: activity.activityType?.name ?? '', details: defaultPayloadConverter.fromPayload(payload as Parameters<typeof defaultPayloadConverter.fromPayload>[0]) });
    } catch {
      // Written by another kind of worker: no progress for it.
    }
  }
  return heartbeats;
}
