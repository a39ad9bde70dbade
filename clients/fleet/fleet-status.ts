import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Pool } from 'pg';
import { listFleetNodes } from '../../activities/fleet/fleet-nodes';
import { resolveTargets } from '../../activities/fleet/targets';
import type { Settings } from '../../infra/config/load-config';
import { datasinkQueue, nodeQueue } from '../../workflows/task-queues';

/** A worker that polled this recently is online: long polls last a minute, and Temporal notes each. */
const ONLINE_WITHIN_MS = 2 * 60_000;

export interface FleetRow {
  readonly host: string;
  readonly role: string;
  readonly accelerator: string;
  /** When its worker last polled its queue (Temporal), or else when it last answered a deployment. */
  readonly lastSeen: Date | null;
  readonly online: boolean;
  readonly models: { model: string; installed: string[]; target: string | null; pinned: boolean }[];
  readonly lastDeployment: { workflowId: string; status: string; detail: string | null; at: Date | null } | null;
}

/**
 * `sluice fleet`: per host, whether its worker is polling now, what it holds (as it last
 * reported) against what it should hold (the registry's targets, pins and role lists applied),
 * and how its last deployment ended.
 */
export async function fleetStatus(deps: { pool: Pool; client: Client; settings: Settings }): Promise<FleetRow[]> {
  const { settings } = deps;
  const targets = await resolveTargets(deps.pool, settings.fleet);
  const reports = new Map((await listFleetNodes(deps.pool)).map((row) => [row.host, row]));
  return Promise.all(
    settings.fleet.map(async (entry): Promise<FleetRow> => {
      const report = reports.get(entry.host);
      const polled = await lastPoll(deps.client, settings.temporal.namespace, entry.role === 'datasink' ? datasinkQueue(entry.host) : nodeQueue(entry.host));
      const wanted = targets.find((host) => host.host === entry.host)?.targets ?? [];
      const names = [...new Set([...wanted.map((target) => target.model), ...(report?.installed ?? []).map((held) => held.model)])].sort();
      return {
        host: entry.host,
        role: entry.role,
        accelerator: entry.accelerator,
        lastSeen: polled ?? report?.reportedAt ?? null,
        online: polled !== undefined && Date.now() - polled.getTime() < ONLINE_WITHIN_MS,
        models: names.map((model) => {
          const target = wanted.find((candidate) => candidate.model === model);
          return { model, installed: (report?.installed ?? []).filter((held) => held.model === model).map((held) => held.version).sort(), target: target?.version ?? null, pinned: target?.pinned ?? false };
        }),
        lastDeployment: report?.lastDeployment ? { workflowId: report.lastDeployment, status: report.lastStatus ?? 'unknown', detail: report.lastDetail, at: report.lastDeployedAt } : null,
      };
    }),
  );
}

async function lastPoll(client: Client, namespace: string, queue: string): Promise<Date | undefined> {
  const response = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: queue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  const times = (response.pollers ?? []).map((poller) => Number(poller.lastAccessTime?.seconds ?? 0) * 1000 + Math.floor((poller.lastAccessTime?.nanos ?? 0) / 1e6)).filter((ms) => ms > 0);
  return times.length > 0 ? new Date(Math.max(...times)) : undefined;
}
