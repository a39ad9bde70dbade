import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import type { ScheduleConfig } from '../../infra/config/schema';
import type { Logger } from '../../infra/log/logger';
import { isManaged, scheduleCreateOptions, scheduleFingerprint, scheduleUpdateOptions } from './schedule-options';

export interface ReconcileResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Managed schedules no longer in config. */
  deleted: string[];
  /** Names in config taken by a schedule sluice does not manage; left alone. */
  conflicts: string[];
}

/**
 * Makes the server's sluice-managed schedules match config: creates what is missing, updates what
 * changed (keeping a pause made from the CLI), deletes managed schedules that config dropped, and
 * never touches a schedule sluice did not create.
 */
export async function reconcileSchedules(client: Client, desired: Record<string, ScheduleConfig>, log: Logger): Promise<ReconcileResult> {
  const result: ReconcileResult = { created: [], updated: [], unchanged: [], deleted: [], conflicts: [] };

  for (const [name, schedule] of Object.entries(desired)) {
    const handle = client.schedule.getHandle(name);
    const current = await describeOrUndefined(handle.describe());
    if (!current) {
      // Another control worker starting at the same time may create it first; that is fine.
      const created = await client.schedule.create(scheduleCreateOptions(name, schedule)).then(
        () => true,
        (err: unknown) => (err instanceof ScheduleAlreadyRunning ? false : Promise.reject(err)),
      );
      (created ? result.created : result.unchanged).push(name);
    } else if (!isManaged(current.memo)) {
      log.warn({ schedule: name }, `a schedule named "${name}" exists and was not created by sluice; leaving it alone (rename the one in config)`);
      result.conflicts.push(name);
    } else if (current.action.memo?.sluiceScheduleFingerprint === scheduleFingerprint(name, schedule)) {
      result.unchanged.push(name);
    } else {
      const next = scheduleUpdateOptions(name, schedule);
      await handle.update((previous) => ({ ...next, state: { ...next.state, paused: previous.state.paused } }));
      result.updated.push(name);
    }
  }

  for await (const summary of client.schedule.list()) {
    if (isManaged(summary.memo) && !(summary.scheduleId in desired)) {
      // Listing lags behind deletes, so a schedule deleted a moment ago may still be listed.
      const deleted = await client.schedule
        .getHandle(summary.scheduleId)
        .delete()
        .then(() => true, (err: unknown) => (err instanceof ScheduleNotFoundError ? false : Promise.reject(err)));
      if (deleted) result.deleted.push(summary.scheduleId);
    }
  }

  log.info(result, 'schedules reconciled');
  return result;
}

async function describeOrUndefined(described: Promise<ScheduleDescription>): Promise<ScheduleDescription | undefined> {
  try {
    return await described;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}
