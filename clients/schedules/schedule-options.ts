import crypto from 'node:crypto';
import { ScheduleOverlapPolicy, type ScheduleOptions, type ScheduleUpdateOptions } from '@temporalio/client';
import { durationMs } from '../../infra/config/duration';
import type { ScheduleConfig } from '../../infra/config/schema';
import { CONTROL_QUEUE } from '../../workflows/task-queues';

/** Schedule memo that marks a schedule as sluice's: only these are updated, paused or deleted. */
export const MANAGED_MEMO = { managedBy: 'sluice' } as const;

export function isManaged(memo: Record<string, unknown> | undefined): boolean {
  return memo?.managedBy === MANAGED_MEMO.managedBy;
}

const OVERLAP: Record<ScheduleConfig['overlap'], ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
};

/**
 * A fingerprint of everything about a schedule that config decides. It rides in the memo of the
 * workflows the schedule starts, which the server hands back on describe, so reconciling compares
 * one string instead of re-deriving the server's normalised form of a cron expression. `paused`
 * is left out on purpose: it is only the initial state, and a pause from the CLI must survive.
 */
export function scheduleFingerprint(name: string, schedule: ScheduleConfig): string {
  const { paused: _initialStateOnly, ...decided } = schedule;
  return crypto.createHash('sha256').update(canonicalJson({ name, taskQueue: CONTROL_QUEUE, ...decided })).digest('hex').slice(0, 16);
}

export function scheduleUpdateOptions(name: string, schedule: ScheduleConfig): ScheduleUpdateOptions {
  return {
    spec: {
      ...(schedule.cron ? { cronExpressions: [schedule.cron] } : { intervals: [{ every: durationMs(schedule.every!) }] }),
      timezone: schedule.timezone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: schedule.workflow,
      args: schedule.input === undefined ? [] : [schedule.input],
      taskQueue: CONTROL_QUEUE,
      // The server appends the scheduled time, so each run still has its own id.
      workflowId: name,
      memo: { sluiceSchedule: name, sluiceScheduleFingerprint: scheduleFingerprint(name, schedule) },
    },
    policies: { overlap: OVERLAP[schedule.overlap], catchupWindow: durationMs(schedule.catchupWindow) },
    state: { note: schedule.description },
  };
}

export function scheduleCreateOptions(name: string, schedule: ScheduleConfig): ScheduleOptions {
  const update = scheduleUpdateOptions(name, schedule);
  return { ...update, scheduleId: name, memo: { ...MANAGED_MEMO }, state: { ...update.state, paused: schedule.paused } };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
