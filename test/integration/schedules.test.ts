import type { Client } from '@temporalio/client';
import { reconcileSchedules } from '../../clients/schedules/reconcile';
import { listManagedSchedules, managedSchedule } from '../../clients/schedules/managed-schedules';
import { configSchema, type ScheduleConfig } from '../../infra/config/schema';
import { testSettings } from '../harness/test-settings';
import { testClient, testLog } from '../harness/test-workers';

/** Schedule names are unique per test, so reruns and parallel files never collide. */
const run = `${Date.now().toString(36)}`;

function schedules(entries: Record<string, Record<string, unknown>>): Record<string, ScheduleConfig> {
  return configSchema.parse({ schedules: entries }).schedules;
}

describe('reconciling schedules from config (real Temporal)', () => {
  let client: Client;

  beforeAll(async () => {
    client = await testClient(testSettings());
  });
  afterAll(async () => {
    await client.connection.close();
  });

  it('creates what is missing, then changes nothing when reconciled again', async () => {
    const name = `check-${run}-a`;
    const desired = schedules({ [name]: { workflow: 'stackCheck', every: '1h', input: { datasinks: [] } } });

    const first = await reconcileSchedules(client, desired, testLog);
    expect(first.created).toEqual([name]);
    const before = await client.schedule.getHandle(name).describe();

    const second = await reconcileSchedules(client, desired, testLog);
    expect(second).toMatchObject({ created: [], updated: [], unchanged: [name], conflicts: [] });
    const after = await client.schedule.getHandle(name).describe();
    expect(after.info.lastUpdatedAt).toEqual(before.info.lastUpdatedAt);
    expect(after.spec).toEqual(before.spec);
    expect(after.action).toEqual(before.action);

    await client.schedule.getHandle(name).delete();
  });

  it('lets control workers starting at once reconcile side by side', async () => {
    const name = `check-${run}-c`;
    const desired = schedules({ [name]: { workflow: 'stackCheck', every: '1h' } });
    const results = await Promise.all([1, 2, 3].map(() => reconcileSchedules(client, desired, testLog)));
    expect(results.flatMap((result) => result.created)).toEqual([name]);
    expect(results.flatMap((result) => result.unchanged)).toEqual([name, name]);
    await client.schedule.getHandle(name).delete();
  });

  it('updates what changed and keeps a pause made from the CLI', async () => {
    const name = `check-${run}-b`;
    await reconcileSchedules(client, schedules({ [name]: { workflow: 'stackCheck', every: '1h' } }), testLog);
    const { handle } = await managedSchedule(client, name);
    await handle.pause('maintenance');

    const result = await reconcileSchedules(client, schedules({ [name]: { workflow: 'stackCheck', cron: '0 3 * * 0', timezone: 'Europe/Berlin', overlap: 'buffer-one' } }), testLog);
    expect(result.updated).toEqual([name]);
    const described = await handle.describe();
    expect(described.state.paused).toBe(true);
    expect(described.spec.timezone).toBe('Europe/Berlin');
    expect(described.spec.intervals ?? []).toEqual([]);
    expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }], dayOfWeek: [{ start: 'SUNDAY', end: 'SUNDAY', step: 1 }] });
    expect(described.policies.overlap).toBe('BUFFER_ONE');

    await handle.delete();
  });

  it('never touches a schedule sluice did not create, even under a configured name', async () => {
    const foreign = `foreign-${run}`;
    await client.schedule.create({
      scheduleId: foreign,
      spec: { intervals: [{ every: '2h' }] },
      action: { type: 'startWorkflow', workflowType: 'stackCheck', taskQueue: 'elsewhere', args: [] },
    });
    const before = await client.schedule.getHandle(foreign).describe();

    const result = await reconcileSchedules(client, schedules({ [foreign]: { workflow: 'stackCheck', every: '1h' } }), testLog);
    expect(result.conflicts).toEqual([foreign]);
    // ...and not when config no longer mentions it either.
    const emptied = await reconcileSchedules(client, {}, testLog);
    expect(emptied.deleted).not.toContain(foreign);

    const after = await client.schedule.getHandle(foreign).describe();
    expect(after.info.lastUpdatedAt).toEqual(before.info.lastUpdatedAt);
    expect(after.action.taskQueue).toBe('elsewhere');
    await expect(managedSchedule(client, foreign)).rejects.toThrow('was not created by sluice');
    await client.schedule.getHandle(foreign).delete();
  });

  it('deletes a managed schedule that config dropped', async () => {
    const name = `check-${run}-d`;
    await reconcileSchedules(client, schedules({ [name]: { workflow: 'stackCheck', every: '1h' } }), testLog);
    // Listing is eventually consistent: wait until the server lists the new schedule.
    for (let attempt = 0; attempt < 50 && !(await listManagedSchedules(client, [])).some((row) => row.name === name); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const result = await reconcileSchedules(client, {}, testLog);
    expect(result.deleted).toContain(name);
    await expect(managedSchedule(client, name)).rejects.toThrow('There is no schedule named');
  });
});
