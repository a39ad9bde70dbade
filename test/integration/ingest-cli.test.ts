import { desiredSchedules } from '../../clients/schedules/desired-schedules';
import { reconcileSchedules } from '../../clients/schedules/reconcile';
import type { Settings } from '../../infra/config/load-config';
import { ingestCycle, ingestProgressQuery } from '../../workflows/ingest-cycle';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { forecastFile, hrrrKey, NoaaMirror } from '../harness/noaa-mirror';
import { cleanEnv, runCli, startCli } from '../harness/run-cli';
import { useIsolatedTest } from '../harness/isolated-test';
import { testLog } from '../harness/test-workers';

const FIELDS = [
  { shortName: 'TMP', level: '2 m above ground' },
  { shortName: 'UGRD', level: '10 m above ground' },
];
const HOUR_MS = 3_600_000;

/** HRRR-shaped files for `cycles`, forecast hours 0..hours-1, in a fresh mirror bucket. */
async function hrrrMirror(mirror: NoaaMirror, cycles: Date[], hours: number): Promise<string> {
  const bucket = await mirror.createBucket('hrrr-mirror');
  for (const cycle of cycles) {
    for (let hour = 0; hour < hours; hour++) {
      await mirror.putForecast(bucket, hrrrKey(cycle, hour), forecastFile(FIELDS, cycle, hour));
    }
  }
  return bucket;
}

describe('ingest through the CLI, on Schedules, and across a killed worker', () => {
  const t = useIsolatedTest();
  const { mirror } = t;

  function hrrrSettings(bucket: string, hours: number, lookbackHours: number, extra: Record<string, unknown> = {}): Settings {
    return t.settings({
        ingest: {
          noaa: mirror.endpointConfig(),
          heartbeatTimeout: '2s',
          ...extra,
          sources: { hrrr: { bucket, forecastHours: { start: 0, end: hours - 1, step: 1 }, extendedForecastHours: { cycles: [], end: hours - 1 }, parameters: FIELDS, delayHours: 0, lookbackHours } },
        },
      },
    );
  }

  it('`sluice ingest run --once` ingests with progress, `ingest status` reports it, `purge plan` deletes nothing', async () => {
    // The clock is real here: files for the last three hourly cycles, of which the 1 h window takes the newest.
    const newest = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS);
    const bucket = await hrrrMirror(mirror, [0, 1, 2].map((back) => new Date(newest.getTime() - back * HOUR_MS)), 2);
    const settings = hrrrSettings(bucket, 2, 1);
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);

    const run = await runCli(['--config', settings.file!, 'ingest', 'run', '--models', 'hrrr', '--once', '--json'], cleanEnv());
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const [result] = JSON.parse(run.stdout);
    expect(result.source).toBe('hrrr');
    expect(result.ingested).toBeGreaterThanOrEqual(2);
    expect(result.fields).toBe(result.ingested * 2);
    expect(result.cycles.every((cycle: { complete: boolean }) => cycle.complete)).toBe(true);

    const status = await runCli(['--config', settings.file!, 'ingest', 'status', '--json'], cleanEnv());
    expect(status.code).toBe(0);
    const hrrr = JSON.parse(status.stdout).find((s: { source: string }) => s.source === 'hrrr');
    expect(hrrr).toMatchObject({ enabled: true, filesIngested: result.ingested, fields: result.fields, quarantined: [], schedule: null });
    expect(hrrr.cycles[0]).toMatchObject({ cycle: newest.toISOString(), complete: true });
    const text = await runCli(['--config', settings.file!, 'ingest', 'status'], cleanEnv());
    expect(text.stdout).toMatch(new RegExp(`hrrr .*enabled, not scheduled\\n  last ingest .*; ${result.ingested} files, ${result.fields} fields`));

    const plan = await runCli(['--config', settings.file!, 'purge', 'plan', '--json'], cleanEnv());
    expect(plan.code).toBe(0);
    const purge = JSON.parse(plan.stdout);
    expect(purge.plan.sources.find((s: { source: string }) => s.source === 'hrrr').expired).toEqual([]);
    expect(purge.deleted).toBe(0);

    const unknown = await runCli(['--config', settings.file!, 'ingest', 'run', '--models', 'ecmwf', '--once'], cleanEnv());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Unknown ingest source "ecmwf"[\s\S]*Known sources: gfs, hrrr, goes16, goes18, mrms/);
  });

  it('puts each enabled source and the purge on a Schedule when ingest.enabled', async () => {
    const settings = t.settings({ ingest: { enabled: true, sources: { gfs: {}, mrms: { pollIntervalSeconds: 300 }, hrrr: { enabled: false } } }, purge: { every: '6h' } } );
    const client = await t.client(settings);
    const desired = desiredSchedules(settings);
    expect(Object.keys(desired).sort()).toEqual(['ingest-gfs', 'ingest-mrms', 'purge-weather', 'registry-cleanup']);
    try {
      const result = await reconcileSchedules(client, desired, testLog);
      // Other tests in this namespace (sluice up) may have created registry-cleanup already.
      expect([...result.created, ...result.updated, ...result.unchanged].sort()).toEqual(['ingest-gfs', 'ingest-mrms', 'purge-weather', 'registry-cleanup']);
      expect(result.created).toEqual(expect.arrayContaining(['ingest-gfs', 'ingest-mrms', 'purge-weather']));
      const gfs = await client.schedule.getHandle('ingest-gfs').describe();
      expect(gfs.action).toMatchObject({ workflowType: 'ingestCycle', args: [{ source: 'gfs' }], taskQueue: CONTROL_QUEUE });
      expect(gfs.spec.intervals?.map((i) => Number(i.every))).toEqual([3_600_000]);
      expect(gfs.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 3_600_000 });
      const mrms = await client.schedule.getHandle('ingest-mrms').describe();
      expect(mrms.spec.intervals?.map((i) => Number(i.every))).toEqual([300_000]);
      const purge = await client.schedule.getHandle('purge-weather').describe();
      expect(purge.spec.intervals?.map((i) => Number(i.every))).toEqual([6 * 3_600_000]);
      const cleanup = await client.schedule.getHandle('registry-cleanup').describe();
      expect(cleanup.action).toMatchObject({ workflowType: 'registryCleanup' });
      expect(cleanup.spec.calendars?.[0]).toMatchObject({ dayOfWeek: [{ start: 'SUNDAY', end: 'SUNDAY', step: 1 }], hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
    } finally {
      await reconcileSchedules(client, {}, testLog);
    }
  });

  it('finishes a cycle whose cloud worker is killed mid-way, with nothing missing and nothing twice', async () => {
    const cycles = [0, 1].map((back) => new Date(Date.UTC(2024, 4, 1, 12 - back)));
    const hours = 12;
    const bucket = await hrrrMirror(mirror, cycles, hours);
    const settings = hrrrSettings(bucket, hours, 2, { parallelism: 1 });
    // The cloud worker that will die runs as its own process: SIGKILL leaves its activity unreported.
    const doomed = await startCli(['--config', settings.file!, '--log-level', 'info', 'worker', '--role', 'cloud'], cleanEnv(), /cloud worker polling/);
    try {
      await t.startWorkers(settings, [{ role: 'control' }]);
      const client = await t.client(settings);
      const handle = await client.workflow.start(ingestCycle, { taskQueue: CONTROL_QUEUE, workflowId: `ingest-kill-${Date.now()}`, args: [{ source: 'hrrr', now: '2024-05-01T12:30:00Z' }] });
      for (;;) {
        const progress = await handle.query(ingestProgressQuery).catch(() => undefined);
        if (progress && progress.done >= 3) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Its /metrics counted what it ingested, under the seed's metric names.
      const metricsUrl = /"metricsUrl":"(http:[^"]+\/metrics)"/.exec(doomed.output())?.[1];
      expect(metricsUrl).toBeDefined();
      const metrics = await (await fetch(metricsUrl!)).text();
      expect(Number(/^files_ingested_total\{model="hrrr"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
      expect(metrics).toMatch(/^# TYPE ingestion_runs_total counter$/m);
      expect(metrics).toMatch(/^# TYPE purge_bytes_freed_total counter$/m);

      doomed.child.kill('SIGKILL');
      await doomed.exited;
      await t.startWorkers(settings, [{ role: 'cloud' }]);
      expect(await handle.result()).toMatchObject({ ingested: 2 * hours, fields: 2 * hours * 2, quarantined: [], failed: [] });
    } finally {
      doomed.child.kill('SIGKILL');
    }
    const fields = await t.pool().query("SELECT count(*)::int AS n, count(DISTINCT storage_key)::int AS keys FROM weather_fields WHERE source = 'hrrr'");
    expect(fields.rows[0]).toEqual({ n: 2 * hours * 2, keys: 2 * hours * 2 });
    const state = await t.pool().query("SELECT count(*)::int AS n FROM ingest_state WHERE source = 'hrrr' AND status = 'ingested'");
    expect(state.rows[0].n).toBe(2 * hours);
    const complete = await t.pool().query("SELECT cycle, complete FROM weather_cycles WHERE source = 'hrrr' ORDER BY cycle");
    expect(complete.rows.map((row) => [row.cycle.toISOString(), row.complete])).toEqual([
      ['2024-05-01T11:00:00.000Z', true],
      ['2024-05-01T12:00:00.000Z', true],
    ]);
  });
});
