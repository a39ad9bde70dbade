import { ScheduleOverlapPolicy } from '@temporalio/client';
import { configSchema } from '../../infra/config/schema';
import { scheduleCreateOptions, scheduleFingerprint, scheduleUpdateOptions } from '../../clients/schedules/schedule-options';

function schedule(fields: Record<string, unknown>) {
  return configSchema.parse({ schedules: { s: { workflow: 'stackCheck', ...fields } } }).schedules.s!;
}

describe('schedule options from config', () => {
  it('turns a cron schedule into create options marked as managed', () => {
    const options = scheduleCreateOptions('nightly', schedule({ cron: '0 3 * * 0', timezone: 'Europe/Berlin', input: { nodes: ['a'] }, paused: true }));
    expect(options.scheduleId).toBe('nightly');
    expect(options.memo).toEqual({ managedBy: 'sluice' });
    expect(options.spec).toEqual({ cronExpressions: ['0 3 * * 0'], timezone: 'Europe/Berlin' });
    expect(options.action).toMatchObject({ workflowType: 'stackCheck', taskQueue: 'sluice', workflowId: 'nightly', args: [{ nodes: ['a'] }] });
    expect(options.policies).toEqual({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 3_600_000 });
    expect(options.state).toMatchObject({ paused: true });
  });

  it('turns "every" into an interval in milliseconds and passes no args without input', () => {
    const options = scheduleUpdateOptions('poll', schedule({ every: '15m', overlap: 'buffer-one' }));
    expect(options.spec.intervals).toEqual([{ every: 900_000 }]);
    expect(options.action.args).toEqual([]);
    expect(options.policies?.overlap).toBe(ScheduleOverlapPolicy.BUFFER_ONE);
  });

  it('fingerprints what config decides, and not the initial paused state', () => {
    const base = scheduleFingerprint('s', schedule({ every: '1h' }));
    expect(scheduleFingerprint('s', schedule({ every: '1h' }))).toBe(base);
    expect(scheduleFingerprint('s', schedule({ every: '1h', paused: true }))).toBe(base);
    expect(scheduleFingerprint('s', schedule({ every: '2h' }))).not.toBe(base);
    expect(scheduleFingerprint('s', schedule({ every: '1h', input: { a: 1 } }))).not.toBe(base);
    expect(scheduleFingerprint('other', schedule({ every: '1h' }))).not.toBe(base);
  });

  it('fingerprints input independently of key order', () => {
    expect(scheduleFingerprint('s', schedule({ every: '1h', input: { a: 1, b: [1, 2] } }))).toBe(
      scheduleFingerprint('s', schedule({ every: '1h', input: { b: [1, 2], a: 1 } })),
    );
  });
});
