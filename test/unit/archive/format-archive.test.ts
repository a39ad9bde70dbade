import { archiveStepText, formatPartition, formatPlan } from '../../../clients/archive/format-archive';

describe('sluice archive output', () => {
  it('counts in words that agree with the number: 1 partition, 1 row, 1,234 rows', () => {
    const plan = formatPlan({ now: '2026-03-05T00:00:00.000Z', cutoffDay: '2026-03-02', partitions: [{ table: 'jobs', day: '2026-03-01', approxRows: 1, part: 0 }], hot: [] }, '72h');
    expect(plan).toBe('1 partition to archive (days before 2026-03-02: older than the hot window of 72h as of 2026-03-05T00:00:00.000Z)\n  2026-03-01  jobs     part-0000  ~1 row\n');
    expect(formatPlan({ now: '2026-03-05T00:00:00.000Z', cutoffDay: '2026-03-02', partitions: [], hot: [] }, '72h')).toMatch(/^0 partitions to archive/);

    const archived = (rows: number) => formatPartition({ table: 'events', day: '2026-03-01', part: 1, status: 'archived', workflowId: 'w', approxRows: rows, rows, bytes: 2048, key: 'archive/site-a/events/dt=2026-03-01/part-0001.parquet' });
    expect(archived(1)).toBe('2026-03-01 events  part-0001  archived 1 row, 2.0 KiB → archive/site-a/events/dt=2026-03-01/part-0001.parquet; verified, partition dropped');
    expect(archived(1234)).toMatch(/archived 1,234 rows, /);
  });

  it('shows what a running partition is doing from its last heartbeat, with the rows exported so far, else its workflow step', () => {
    expect(archiveStepText('exporting', { step: 'export', rows: 1_230_000 }, 5_000_000)).toBe('exporting: 1,230,000 rows of ~5,000,000');
    expect(archiveStepText('exporting', { step: 'export', rows: 1 }, 0)).toBe('exporting: 1 row');
    expect([archiveStepText('exporting', { step: 'export' }, 10), archiveStepText('exporting', { step: 'export', rows: 0 }, 10)]).toEqual(['exporting', 'exporting']);
    expect([archiveStepText('exporting', { step: 'write' }, 10), archiveStepText('exporting', { step: 'upload' }, 10)]).toEqual(['writing Parquet', 'uploading']);
    expect([archiveStepText('verifying', { step: 'download' }, 10), archiveStepText('verifying', { step: 'verify' }, 10)]).toEqual(['downloading to verify', 'reading back to verify']);
    expect(archiveStepText('dropping', { step: 'drop' }, 10)).toBe('dropping');
    // No heartbeat yet, or one of a shape this CLI does not know (another version's worker).
    for (const heartbeat of [undefined, null, 'export', 42, { step: 'compress' }, { rows: 5 }]) expect(archiveStepText('claiming', heartbeat, 10)).toBe('claiming');
  });
});
