import { canonicalBucket, mergeStats, type SiteRows } from '../../../clients/central-api/merge-stats';
import type { RollupRow } from '../../../clients/central-api/site-answers';

const H0 = '2025-03-01T10:00:00.000000Z';
const H1 = '2025-03-01T11:00:00.000000Z';

function row(bucket: string, status: string, events: number, extra: Partial<RollupRow> = {}): RollupRow {
  const finished = ['succeeded', 'failed', 'cancelled'].includes(status) ? events : 0;
  return { bucket, app_id: 'etch', entity_type: 'job', status, events, finished, durations: 0, duration_sum: 0, duration_max: null, ...extra };
}

describe('mergeStats', () => {
  const sites: SiteRows[] = [
    {
      site_id: 'site-b',
      rows: [
        row(H0, 'failed', 1, { durations: 1, duration_sum: 30, duration_max: 30 }),
        row(H1, 'running', 4, { app_id: 'litho' }),
      ],
    },
    {
      site_id: 'site-a',
      rows: [
        row(H0, 'succeeded', 3, { durations: 3, duration_sum: 60, duration_max: 25 }),
        row(H0, 'running', 2, { entity_type: 'subjob' }),
        // The same bucket printed another way must land in the same bucket.
        row('2025-03-01T10:00:00Z', 'failed', 1),
      ],
    },
    { site_id: 'site-c', rows: [] },
  ];

  it('adds every row once into the totals, per site, per app and per bucket', () => {
    const merged = mergeStats(sites);
    expect(merged.totals).toEqual({
      events: 11,
      finished: 5,
      failure_rate: 2 / 5,
      by_status: { failed: 2, running: 6, succeeded: 3 },
      by_entity_type: { job: 9, subjob: 2 },
      duration: { count: 4, sum: 90, max: 30, mean: 22.5 },
    });
    expect(Object.keys(merged.by_site)).toEqual(['site-a', 'site-b', 'site-c']);
    expect(merged.by_site['site-a']).toMatchObject({ events: 6, finished: 4, by_status: { failed: 1, running: 2, succeeded: 3 } });
    expect(merged.by_site['site-b']).toMatchObject({ events: 5, finished: 1, failure_rate: 1 });
    // A site that answered with no rows is still listed, with zeros: it answered.
    expect(merged.by_site['site-c']).toEqual({ events: 0, finished: 0, failure_rate: null, by_status: {}, by_entity_type: {}, duration: { count: 0, sum: 0, max: null, mean: null } });
    expect(merged.by_app).toMatchObject({ etch: { events: 7 }, litho: { events: 4 } });

    expect(merged.buckets.map((b) => [b.bucket, b.events, Object.keys(b.by_site)])).toEqual([
      [H0, 7, ['site-a', 'site-b']],
      [H1, 4, ['site-b']],
    ]);
    expect(merged.buckets[0]!.by_site['site-a']).toMatchObject({ events: 6, by_status: { failed: 1, running: 2, succeeded: 3 } });
    expect(merged.buckets[0]).toMatchObject({ duration: { count: 4, sum: 90, max: 30 } });
  });

  it('keeps the figures consistent: totals are the sum of the sites, and of the buckets', () => {
    const merged = mergeStats(sites);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(sum(Object.values(merged.by_site).map((t) => t.events))).toBe(merged.totals.events);
    expect(sum(merged.buckets.map((b) => b.events))).toBe(merged.totals.events);
    expect(sum(merged.buckets.map((b) => b.finished))).toBe(merged.totals.finished);
    for (const bucket of merged.buckets) expect(sum(Object.values(bucket.by_site).map((t) => t.events))).toBe(bucket.events);
  });

  it('filters by entity type, and the result does not depend on the order sites answered in', () => {
    const jobs = mergeStats(sites, 'job');
    expect(jobs.totals.by_entity_type).toEqual({ job: 9 });
    expect(jobs.totals.events).toBe(9);
    expect(mergeStats([...sites].reverse())).toEqual(mergeStats(sites));
  });

  it('answers zeros, not NaN, for no sites at all', () => {
    expect(mergeStats([])).toEqual({
      totals: { events: 0, finished: 0, failure_rate: null, by_status: {}, by_entity_type: {}, duration: { count: 0, sum: 0, max: null, mean: null } },
      by_site: {},
      by_app: {},
      buckets: [],
    });
  });

  it('prints buckets with microseconds, as the sites do', () => {
    expect(canonicalBucket('2025-03-01T10:00:00Z')).toBe(H0);
    expect(canonicalBucket('2025-03-01T12:00:00+02:00')).toBe(H0);
  });
});
