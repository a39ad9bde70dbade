import { readAggregateQuery, statsPath } from '../../../clients/central-api/aggregate-query';
import { bucketCount, bucketsBack, bucketStart } from '../../../clients/central-api/grain-buckets';
import { ApiError } from '../../../clients/events-api/api-error';

const now = new Date('2025-03-05T13:45:10.123Z'); // a Wednesday

function problem(query: Record<string, unknown>): string {
  try {
    readAggregateQuery(query, now);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).statusCode).toBe(400);
    return (err as ApiError).message;
  }
  throw new Error(`expected ${JSON.stringify(query)} to be refused`);
}

describe('grain buckets (UTC, ISO weeks from Monday)', () => {
  it('finds the bucket that contains an instant', () => {
    expect(bucketStart('hour', now).toISOString()).toBe('2025-03-05T13:00:00.000Z');
    expect(bucketStart('day', now).toISOString()).toBe('2025-03-05T00:00:00.000Z');
    expect(bucketStart('week', now).toISOString()).toBe('2025-03-03T00:00:00.000Z');
    expect(bucketStart('week', new Date('2025-03-09T23:59:59Z')).toISOString()).toBe('2025-03-03T00:00:00.000Z'); // a Sunday
    expect(bucketStart('week', new Date('2025-03-10T00:00:00Z')).toISOString()).toBe('2025-03-10T00:00:00.000Z');
    expect(bucketStart('month', now).toISOString()).toBe('2025-03-01T00:00:00.000Z');
  });

  it('steps back whole buckets, months by the calendar', () => {
    expect(bucketsBack('month', new Date('2025-03-01T00:00:00Z'), 3).toISOString()).toBe('2024-12-01T00:00:00.000Z');
    expect(bucketsBack('week', new Date('2025-03-03T00:00:00Z'), 1).toISOString()).toBe('2025-02-24T00:00:00.000Z');
    expect(bucketCount('hour', 0, 3_600_000)).toBe(1);
    expect(bucketCount('month', Date.parse('2025-01-01T00:00:00Z'), Date.parse('2025-03-01T00:00:00Z'))).toBe(3);
  });
});

describe('readAggregateQuery', () => {
  it('defaults to the last 24 whole hours up to now, and one window for every site', () => {
    expect(readAggregateQuery({}, now)).toEqual({ grain: 'hour', from: '2025-03-04T14:00:00.000000Z', to: '2025-03-05T13:45:10.123000Z', appId: undefined, entityType: undefined });
    expect(readAggregateQuery({ grain: 'month', to: '2025-03-01T00:00:00Z' }, now)).toMatchObject({ from: '2024-04-01T00:00:00.000000Z', to: '2025-03-01T00:00:00.000000Z' });
    expect(readAggregateQuery({ grain: 'day', from: '2025-03-01T00:00:00+02:00', app_id: 'etch', entity_type: 'job' }, now)).toEqual({
      grain: 'day',
      from: '2025-02-28T22:00:00.000000Z',
      to: '2025-03-05T13:45:10.123000Z',
      appId: 'etch',
      entityType: 'job',
    });
  });

  it('refuses bad parameters with a 400 that says which and why', () => {
    expect(problem({ grain: 'year' })).toBe('?grain must be one of hour, day, week, month');
    expect(problem({ from: '2025-02-30T00:00:00Z' })).toMatch(/^\?from .*there is no day 30/);
    expect(problem({ from: '1741180000' })).toMatch(/^\?from .*not an RFC 3339 timestamp/);
    expect(problem({ from: '2025-03-05T00:00:00Z', to: '2025-03-04T00:00:00Z' })).toMatch(/^\?from \(2025-03-05T00:00:00.000000Z\) must be before \?to/);
    expect(problem({ stauts: 'failed' })).toMatch(/^\?stauts is not a parameter here; the parameters are grain, from, to, app_id, entity_type/);
    expect(problem({ grain: ['day', 'hour'] })).toBe('?grain is given more than once');
    expect(problem({ entity_type: 'task' })).toBe('?entity_type must be one of job, subjob (or absent for both)');
    expect(problem({ app_id: '' })).toBe('?app_id must be 1 to 200 characters');
    expect(problem({ grain: 'hour', from: '2020-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' })).toMatch(/spans up to \d+ hour buckets; at most 10000 .*coarser \?grain/);
    // The same span is fine by day.
    expect(readAggregateQuery({ grain: 'day', from: '2020-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, now).grain).toBe('day');
  });

  it('asks each site for exactly that window', () => {
    const path = statsPath(readAggregateQuery({ grain: 'week', from: '2025-01-06T00:00:00Z', to: '2025-03-03T00:00:00Z', app_id: 'a b&c' }, now));
    expect(path).toBe('/v1/stats?grain=week&from=2025-01-06T00%3A00%3A00.000000Z&to=2025-03-03T00%3A00%3A00.000000Z&app_id=a+b%26c');
  });
});
