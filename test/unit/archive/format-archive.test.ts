import { formatPartition, formatPlan } from '../../../clients/archive/format-archive';

describe('sluice archive output', () => {
  it('counts in words that agree with the number: 1 partition, 1 row, 1,234 rows', () => {
    const plan = formatPlan({ now: '2026-03-05T00:00:00.000Z', cutoffDay: '2026-03-02', partitions: [{ table: 'jobs', day: '2026-03-01', approxRows: 1, part: 0 }], hot: [] }, '72h');
    expect(plan).toBe('1 partition to archive (days before 2026-03-02: older than the hot window of 72h as of 2026-03-05T00:00:00.000Z)\n  2026-03-01  jobs     part-0000  ~1 row\n');
    expect(formatPlan({ now: '2026-03-05T00:00:00.000Z', cutoffDay: '2026-03-02', partitions: [], hot: [] }, '72h')).toMatch(/^0 partitions to archive/);

    const archived = (rows: number) => formatPartition({ table: 'events', day: '2026-03-01', part: 1, status: 'archived', workflowId: 'w', approxRows: rows, rows, bytes: 2048, key: 'archive/site-a/events/dt=2026-03-01/part-0001.parquet' });
    expect(archived(1)).toBe('2026-03-01 events  part-0001  archived 1 row, 2.0 KiB → archive/site-a/events/dt=2026-03-01/part-0001.parquet; verified, partition dropped');
    expect(archived(1234)).toMatch(/archived 1,234 rows, /);
  });
});
