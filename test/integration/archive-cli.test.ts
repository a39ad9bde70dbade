import { desiredSchedules } from '../../clients/schedules/desired-schedules';
import { useIsolatedTest } from '../harness/isolated-test';
import { cleanEnv, runCli } from '../harness/run-cli';
import { archiveConfig, partitionExists, storeArchiveEvents } from './archive-fixtures';

describe('sluice archive (CLI built in dist/, real Temporal, Postgres, S3)', () => {
  const t = useIsolatedTest();
  jest.setTimeout(180_000);

  it('refuses days that do not exist, reversed ranges and unknown tables, saying what is wrong', async () => {
    const settings = t.settings(archiveConfig('archive-cli-bad'));
    const cli = (...args: string[]) => runCli(['--config', settings.file!, 'archive', ...args], cleanEnv());
    const cases: Array<[string[], RegExp]> = [
      [['plan', '--from', '2025-02-30'], /--from 2025-02-30 is not a day of the calendar: 2025-02 has 28 days, there is no day 30\./],
      [['plan', '--from', '2024-02-30'], /2024-02 has 29 days, there is no day 30\./],
      [['plan', '--to', '2026-04-00'], /2026-04 has 30 days, there is no day 00\./],
      [['run', '--to', '2025-13-01'], /--to 2025-13-01 is not a day of the calendar: there is no month 13 \(months are 01–12\)\./],
      [['list', '--from', '2026-3-1'], /--from "2026-3-1" is not a day written YYYY-MM-DD/],
      [['plan', '--from', '2026-03-05', '--to', '2026-03-01'], /--from 2026-03-05 is after --to 2026-03-01/],
      [['run', '--table', 'users'], /--table "users" is not an archived table[\s\S]*events, jobs, subjobs/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(...args)));
    results.forEach((result, index) => {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(cases[index]![1]);
      expect(result.stderr).not.toMatch(/unexpected error|at .*\.js:\d+/);
    });
  });

  it('declares the events-archive Schedule only for a site whose data plane and archival are on', () => {
    const on = desiredSchedules(t.settings({ events: { enabled: true, archive: { every: '2h' } } }));
    expect(on['events-archive']).toMatchObject({ workflow: 'archiveEvents', every: '2h', overlap: 'skip', catchupWindow: '2h', paused: false });
    expect(desiredSchedules(t.settings({ events: { enabled: true, archive: { enabled: false } } }))['events-archive']).toBeUndefined();
    expect(desiredSchedules(t.settings({ events: { enabled: false } }))['events-archive']).toBeUndefined();
  });

  it('plans, runs with progress per partition, and lists the manifest', async () => {
    const settings = t.settings(archiveConfig('archive-cli'));
    const pool = t.pool();
    await storeArchiveEvents(pool, 50, 9, 'a', ['2026-03-01', '2026-03-02']);
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    const cli = (...args: string[]) => runCli(['--config', settings.file!, 'archive', ...args], cleanEnv(), 120_000);

    const plan = await cli('plan', '--to', '2026-03-01', '--table', 'events', '--table', 'jobs');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^2 partitions to archive/);
    expect(plan.stdout).toMatch(/2026-03-01 {2}events {3}part-0000 {2}~\d+ rows/);
    expect(plan.stdout).toMatch(/2026-03-01 {2}jobs {5}part-0000/);

    const run = await cli('run', '--to', '2026-03-01', '--table', 'events,jobs');
    expect(run.stderr).toMatch(/archiving \(workflow archive-events-/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/2026-03-01 events {2}part-0000 {2}archived \d+ rows, .* → archive\/site-a\/events\/dt=2026-03-01\/part-0000\.parquet; verified, partition dropped/);
    expect(run.stdout).toMatch(/2026-03-01 jobs {4}part-0000 {2}archived/);
    expect(run.stdout).toMatch(/Archived 2, empty 0/);
    expect(await partitionExists(pool, 'events', '2026-03-01')).toBe(false);
    expect(await partitionExists(pool, 'subjobs', '2026-03-01')).toBe(true);

    const list = await cli('list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/2026-03-01 {2}events {3}0000 {2}dropped .* archive\/site-a\/events\/dt=2026-03-01\/part-0000\.parquet/);
    const listJson = JSON.parse((await cli('list', '--json', '--table', 'jobs')).stdout);
    expect(listJson).toEqual([expect.objectContaining({ table: 'jobs', day: '2026-03-01', part: 0, state: 'dropped' })]);

    const started = await cli('run', '--no-wait', '--from', '2026-03-02', '--to', '2026-03-02');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^started archive-events-/);
    // Finished here, so that no run of this test is left for another test's workers to pick up.
    const client = await t.client(settings);
    const done = await client.workflow.getHandle(/^started (\S+);/.exec(started.stdout)![1]!).result();
    expect(done.partitions.map((p: { day: string; status: string }) => `${p.day} ${p.status}`)).toEqual(['2026-03-02 archived', '2026-03-02 archived', '2026-03-02 archived']);
  });
});
