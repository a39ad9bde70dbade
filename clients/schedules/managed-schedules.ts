import type { Client, ScheduleDescription, ScheduleHandle } from '@temporalio/client';
import { ScheduleNotFoundError } from '@temporalio/client';
import { UserError } from '../../infra/errors/user-error';
import { isManaged } from './schedule-options';

/** The handle of a schedule sluice manages; anything else is refused with a clear error. */
export async function managedSchedule(client: Client, name: string): Promise<{ handle: ScheduleHandle; description: ScheduleDescription }> {
  const handle = client.schedule.getHandle(name);
  let description: ScheduleDescription;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) {
      throw new UserError(`There is no schedule named "${name}".`, 'sluice schedule list shows the schedules sluice manages.');
    }
    throw err;
  }
  if (!isManaged(description.memo)) {
    throw new UserError(`Schedule "${name}" was not created by sluice, so sluice leaves it alone.`, `Use temporal schedule ... --schedule-id ${name} for it.`);
  }
  return { handle, description };
}

export interface ScheduleRow {
  name: string;
  workflow: string;
  spec: string;
  paused: boolean;
  note: string | undefined;
  nextRun: Date | undefined;
  lastRun: Date | undefined;
}

/**
 * Every schedule sluice manages: those config declares (described directly, because listing lags
 * behind a create) and any other managed one the server lists.
 */
export async function listManagedSchedules(client: Client, configured: string[]): Promise<ScheduleRow[]> {
  const names = new Set(configured);
  for await (const summary of client.schedule.list()) if (isManaged(summary.memo)) names.add(summary.scheduleId);
  const rows: ScheduleRow[] = [];
  for (const name of names) {
    const description = await client.schedule.getHandle(name).describe().catch((err: unknown) => {
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw err;
    });
    if (!description || !isManaged(description.memo)) continue;
    rows.push({
      name,
      workflow: description.action.workflowType,
      spec: describeSpec(description),
      paused: description.state.paused,
      note: description.state.note,
      nextRun: description.info.nextActionTimes[0],
      lastRun: description.info.recentActions.at(-1)?.takenAt,
    });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

function describeSpec(description: ScheduleDescription): string {
  const spec = description.spec;
  const intervals = (spec.intervals ?? []).map((interval) => `every ${Number(interval.every) / 1000}s`);
  const calendars = (spec.calendars ?? []).map((calendar) => `calendar ${JSON.stringify(calendar)}`);
  return [...intervals, ...calendars].join(', ') + (spec.timezone ? ` (${spec.timezone})` : '');
}
