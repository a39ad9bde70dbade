import fs from 'node:fs';
import path from 'node:path';
import { purgeCycle } from '../../activities/purge/purge-cycle';
import { LocalObjectStore } from '../../activities/storage/local-object-store';
import type { ObjectStore } from '../../activities/storage/object-store';
import { ingestCycle } from '../../workflows/ingest-cycle';
import { purgeWeather } from '../../workflows/purge-weather';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { forecastFile, gfsKey } from '../harness/noaa-mirror';
import { recordHistory } from '../harness/record-history';
import { useIsolatedTest } from '../harness/isolated-test';

const FIELDS = [
  { shortName: 'TMP', level: '2 m above ground' },
  { shortName: 'PRMSL', level: 'mean sea level' },
];
const CYCLES = ['2024-05-01T00:00:00Z', '2024-05-01T12:00:00Z', '2024-05-02T00:00:00Z'].map((iso) => new Date(iso));

describe('purgeWeather (real Temporal, Postgres, object storage)', () => {
  const t = useIsolatedTest();
  const { mirror } = t;

  it('plans, then removes exactly the expired cycles, keeping the newest complete ones and sweeping orphans', async () => {
    const bucket = await mirror.createBucket('gfs-purge');
    for (const cycle of CYCLES) {
      for (const hour of [0, 6]) {
        await mirror.putForecast(bucket, gfsKey(cycle, hour), forecastFile(FIELDS, cycle, hour));
      }
    }
    // The 2024-05-02 00z cycle lacks f006: incomplete.
    await mirror.delete(bucket, gfsKey(CYCLES[2]!, 6));
    const settings = t.settings({
        ingest: {
          noaa: mirror.endpointConfig(),
          sources: { gfs: { bucket, cycles: [0, 12], forecastHours: { start: 0, end: 6, step: 6 }, parameters: FIELDS, lookbackHours: 36, retentionHours: 48, delayHours: 1 } },
        },
        purge: { keepCompleteCycles: 1, batchSize: 2 },
      },
    );
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    const client = await t.client(settings);
    const ingested = await client.workflow.execute(ingestCycle, { taskQueue: CONTROL_QUEUE, workflowId: `purge-setup-${Date.now()}`, args: [{ source: 'gfs', now: '2024-05-02T06:00:00Z' }] });
    expect(ingested).toMatchObject({ ingested: 5, notYetPublished: 1 });
    expect(ingested.cycles.map((c) => c.complete)).toEqual([true, true, false]);
    // An object the catalog does not know (an upload whose commit was lost).
    const orphan = path.join(settings.paths.objectsDir, 'grids/gfs/2024050100/left-behind.grib2');
    fs.writeFileSync(orphan, 'orphan');

    // Four days later every cycle is past its 48 h; the newest complete one (05-01 12z) stays.
    const now = '2024-05-05T00:00:00Z';
    const plan = await client.workflow.execute(purgeWeather, { taskQueue: CONTROL_QUEUE, workflowId: `purge-plan-${Date.now()}`, args: [{ dryRun: true, now }] });
    const gfs = plan.plan.sources.find((s) => s.source === 'gfs')!;
    expect(gfs.keptComplete).toEqual(['2024-05-01T12:00:00.000Z']);
    expect(gfs.expired.map((c) => [c.cycle, c.files])).toEqual([
      ['2024-05-01T00:00:00.000Z', 4],
      ['2024-05-02T00:00:00.000Z', 2],
    ]);
    expect(plan.deleted).toBe(0);
    expect(fs.existsSync(orphan)).toBe(true);

    const id = `purge-run-${Date.now()}`;
    const run = await client.workflow.execute(purgeWeather, { taskQueue: CONTROL_QUEUE, workflowId: id, args: [{ now }] });
    expect(run).toMatchObject({ deleted: 7, failed: [] });
    expect(run.bytesFreed).toBe(gfs.expired.reduce((sum, c) => sum + c.bytes, 0) + 'orphan'.length);
    const { rows } = await t.pool().query("SELECT DISTINCT cycle FROM weather_fields WHERE source = 'gfs'");
    expect(rows.map((row) => row.cycle.toISOString())).toEqual(['2024-05-01T12:00:00.000Z']);
    const state = await t.pool().query("SELECT DISTINCT cycle FROM ingest_state WHERE source = 'gfs'");
    expect(state.rows.map((row) => row.cycle.toISOString())).toEqual(['2024-05-01T12:00:00.000Z']);
    expect(fs.existsSync(orphan)).toBe(false);
    expect(fs.readdirSync(path.join(settings.paths.objectsDir, 'grids/gfs/2024050112'))).toHaveLength(4);
    await recordHistory(client, id, 'purge-weather');
  });

  it('keeps the catalog row of an object that fails to delete, and deletes it on the next run', async () => {
    const settings = t.settings();
    const local = new LocalObjectStore(settings.paths.objectsDir);
    const cycle = new Date('2023-01-01T00:00:00Z');
    const keys = ['grids/purgetest/2023010100/a.grib2', 'grids/purgetest/2023010100/b.grib2'];
    for (const storageKey of keys) {
      await local.put(storageKey, 'GRIB');
      await t.pool().query(
        `INSERT INTO weather_fields (storage_key, source, model, parameter, level, reference_time, forecast_hour, cycle, lat_min, lat_max, lon_min, lon_max, size, sha256, points, missing, source_key)
         VALUES ($1, 'purgetest', 'purgetest', 'TMP', 'surface', $2, 0, $2, 0, 1, 0, 1, 4, '', 1, 0, 'k')`,
        [storageKey, cycle],
      );
    }
    const failing: ObjectStore = Object.assign(Object.create(local) as ObjectStore, {
      deleteMany: async (batch: string[]) => {
        const result = await local.deleteMany(batch.filter((k) => k !== keys[1]));
        return { ...result, failed: batch.includes(keys[1]!) ? [{ key: keys[1]!, error: 'simulated: access denied' }] : [] };
      },
    });
    const first = await purgeCycle({ pool: t.pool(), store: failing, heartbeat: () => {} }, { source: 'purgetest', cycle: cycle.toISOString(), batchSize: 10 });
    expect(first).toEqual({ deleted: 1, bytesFreed: 4, failed: [{ key: keys[1], error: 'simulated: access denied' }] });
    const left = await t.pool().query("SELECT storage_key FROM weather_fields WHERE source = 'purgetest'");
    expect(left.rows).toEqual([{ storage_key: keys[1] }]);

    const second = await purgeCycle({ pool: t.pool(), store: local, heartbeat: () => {} }, { source: 'purgetest', cycle: cycle.toISOString(), batchSize: 10 });
    expect(second).toEqual({ deleted: 1, bytesFreed: 4, failed: [] });
    expect((await t.pool().query("SELECT 1 FROM weather_fields WHERE source = 'purgetest'")).rows).toEqual([]);
    local.close();
  });
});
