import { checkEventBody, type EventBody } from '../../../activities/events/event-body';
import { entityDays } from '../../../activities/events/entity-days';

const bounds = { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2026-12-31T00:00:00Z') };

let nextKey = 100;
/** A checked event. */
function checked(entity: Record<string, unknown>, at: string, status = 'running', kind = 'progress'): EventBody {
  const result = checkEventBody(
    { idempotency_key: `k-${nextKey++}`, site_id: 'site-a', app: { app_id: 'etch' }, entity, event: { kind, at, status } },
    bounds,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.event as EventBody;
}

describe('entityDays', () => {
  it('folds one entity\'s events of one day into one row whose state is the latest by time, whatever the batch order', () => {
    const late = checked({ type: 'job', id: 'j1' }, '2026-11-23T10:00:00Z', 'succeeded', 'finished');
    const early = checked({ type: 'job', id: 'j1' }, '2026-11-23T08:00:00Z', 'queued', 'queued');
    const middle = checked({ type: 'job', id: 'j1' }, '2026-11-23T09:00:00Z', 'running', 'started');
    const [row, ...rest] = entityDays([late, early, middle]);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ type: 'job', jobId: 'j1', subjobId: null, day: '2026-11-23', events: 3, firstAt: '2026-11-23T08:00:00.000000Z' });
    expect(row!.latest).toBe(late);
    expect(row!.latestIndex).toBe(0);
  });

  it('breaks a tie of the same microsecond by the later one in the batch (the higher id)', () => {
    const first = checked({ type: 'job', id: 'j2' }, '2026-11-23T10:00:00.000001Z', 'running');
    const second = checked({ type: 'job', id: 'j2' }, '2026-11-23T10:00:00.000001Z', 'failed');
    expect(entityDays([first, second])[0]).toMatchObject({ latest: second, latestIndex: 1 });
    expect(entityDays([second, first])[0]).toMatchObject({ latest: first, latestIndex: 1 });
  });

  it('orders by microseconds within one millisecond', () => {
    const later = checked({ type: 'job', id: 'j3' }, '2026-11-23T10:00:00.000999Z', 'failed');
    const earlier = checked({ type: 'job', id: 'j3' }, '2026-11-23T10:00:00.000001Z', 'running');
    const [row] = entityDays([later, earlier]);
    expect(row!.latest).toBe(later);
    expect(row!.firstAt).toBe('2026-11-23T10:00:00.000001Z');
  });

  it('gives each UTC day, each job and each subjob its own row', () => {
    const rows = entityDays([
      checked({ type: 'job', id: 'j4' }, '2026-11-23T23:59:59.999999Z'),
      checked({ type: 'job', id: 'j4' }, '2026-11-24T00:00:00Z'),
      checked({ type: 'job', id: 'j5' }, '2026-11-24T00:00:00Z'),
      checked({ type: 'subjob', id: 's1', parent_id: 'j4' }, '2026-11-24T01:00:00Z'),
      checked({ type: 'subjob', id: 's2', parent_id: 'j4' }, '2026-11-24T01:00:00Z'),
      checked({ type: 'subjob', id: 's1', parent_id: 'j4' }, '2026-11-24T02:00:00Z'),
    ]);
    expect(rows.map(({ type, jobId, subjobId, day, events }) => [type, jobId, subjobId, day, events])).toEqual([
      ['job', 'j4', null, '2026-11-23', 1],
      ['job', 'j4', null, '2026-11-24', 1],
      ['job', 'j5', null, '2026-11-24', 1],
      ['subjob', 'j4', 's1', '2026-11-24', 2],
      ['subjob', 'j4', 's2', '2026-11-24', 1],
    ]);
  });

  it('does not confuse a job with a subjob whose ids would join to the same text', () => {
    const rows = entityDays([
      checked({ type: 'job', id: 'a' }, '2026-11-23T10:00:00Z'),
      checked({ type: 'subjob', id: 'a', parent_id: 'a' }, '2026-11-23T10:00:00Z'),
    ]);
    expect(rows).toHaveLength(2);
  });

  it('takes the business and sub keys of the latest event that has them, else of any event that has', () => {
    const rows = entityDays([
      checked({ type: 'subjob', id: 's', parent_id: 'j', business_key: 'LOT-OLD', sub_key: 'W-1' }, '2026-11-23T08:00:00Z'),
      checked({ type: 'subjob', id: 's', parent_id: 'j', business_key: 'LOT-NEW' }, '2026-11-23T09:00:00Z'),
      checked({ type: 'subjob', id: 's', parent_id: 'j' }, '2026-11-23T10:00:00Z'),
    ]);
    expect(rows[0]).toMatchObject({ businessKey: 'LOT-NEW', subKey: 'W-1' });
    // An earlier event in time that comes later in the batch does not override the latest's key.
    const [row] = entityDays([
      checked({ type: 'job', id: 'k', business_key: 'LATEST' }, '2026-11-23T10:00:00Z'),
      checked({ type: 'job', id: 'k', business_key: 'EARLIER' }, '2026-11-23T09:00:00Z'),
    ]);
    expect(row!.businessKey).toBe('LATEST');
  });

  it('folds 100,000 events of 1,000 jobs in a linear pass', () => {
    const batch: EventBody[] = [];
    for (let i = 0; i < 100_000; i++) batch.push(checked({ type: 'job', id: `job-${i % 1000}` }, `2026-11-23T${String(i % 24).padStart(2, '0')}:00:00Z`));
    const rows = entityDays(batch);
    expect(rows).toHaveLength(1000);
    expect(rows.reduce((sum, row) => sum + row.events, 0)).toBe(100_000);
  });

  it('returns nothing for no events', () => {
    expect(entityDays([])).toEqual([]);
  });
});
