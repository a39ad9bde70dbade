import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Pool } from 'pg';
import { readGribMessages } from '../../activities/formats/grib2';
import type { Settings } from '../../infra/config/load-config';
import type { RunningWorkers } from '../../workers/start-workers';
import { ingestCycle, type IngestCycleResult } from '../../workflows/ingest-cycle';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { forecastFile, NoaaMirror, type FieldSpec } from '../harness/noaa-mirror';
import { recordHistory } from '../harness/record-history';
import { isolatedDatabaseUrl } from '../harness/isolated-database';
import { testSettings } from '../harness/test-settings';
import { startTestWorkers, testClient } from '../harness/test-workers';

/** The GFS default parameters, plus RH, which nobody asked for and must not be fetched. */
const WANTED: FieldSpec[] = [
  { shortName: 'TMP', level: '2 m above ground' },
  { shortName: 'UGRD', level: '10 m above ground' },
  { shortName: 'VGRD', level: '10 m above ground' },
  { shortName: 'PRMSL', level: 'mean sea level' },
  { shortName: 'HGT', level: '500 mb' },
];
const FILE_FIELDS: FieldSpec[] = [WANTED[0]!, { shortName: 'RH', level: '2 m above ground' }, ...WANTED.slice(1)];

const NOW = '2024-05-01T18:00:00.000Z';
const CYCLES = [new Date('2024-05-01T00:00:00Z'), new Date('2024-05-01T12:00:00Z')];
const HOURS = [0, 3, 6];

const gfsKey = (cycle: Date, hour: number) => {
  const day = cycle.toISOString().slice(0, 10).replace(/-/g, '');
  const hh = String(cycle.getUTCHours()).padStart(2, '0');
  return `gfs.${day}/${hh}/atmos/gfs.t${hh}z.pgrb2.0p25.f${String(hour).padStart(3, '0')}`;
};

describe('ingestCycle (real Temporal, Postgres, S3 mirror of NOAA\'s layout)', () => {
  const mirror = new NoaaMirror();
  let pool: Pool;
  /** Each test gets a database of its own: other files ingest and purge beside it. */
  let databaseUrl: string;
  let workers: RunningWorkers | undefined;
  let client: Client | undefined;

  beforeEach(async () => {
    databaseUrl = await isolatedDatabaseUrl();
    pool = new Pool({ connectionString: databaseUrl, max: 2 });
  });
  afterAll(() => mirror.close());
  afterEach(async () => {
    await workers?.shutdown();
    await client?.connection.close();
    await pool.end();
    workers = undefined;
    client = undefined;
  });

  /** A GFS mirror with two cycles of three forecast hours, and settings that read it. */
  async function gfsMirror(extra: Record<string, unknown> = {}): Promise<{ bucket: string; settings: Settings; source: string }> {
    const bucket = await mirror.createBucket('gfs-mirror');
    for (const cycle of CYCLES) {
      for (const hour of HOURS) {
        const { grib, idx } = forecastFile(FILE_FIELDS, cycle, hour);
        await mirror.put(bucket, gfsKey(cycle, hour), grib);
        await mirror.put(bucket, `${gfsKey(cycle, hour)}.idx`, idx);
      }
    }
    const settings = testSettings({ databaseUrl,
      config: {
        ingest: {
          noaa: mirror.endpointConfig(),
          heartbeatTimeout: '3s',
          sources: { gfs: { bucket, cycles: [0, 12], forecastHours: { start: 0, end: 6, step: 3 }, lookbackHours: 24, delayHours: 4, ...extra } },
        },
      },
    });
    return { bucket, settings, source: 'gfs' };
  }

  async function runCycle(settings: Settings, workflowId: string): Promise<IngestCycleResult> {
    workers ??= await startTestWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    client ??= await testClient(settings);
    return client.workflow.execute(ingestCycle, { taskQueue: CONTROL_QUEUE, workflowId, args: [{ source: 'gfs', now: NOW }] });
  }

  it('fetches only the configured fields by .idx ranges, catalogs them, marks cycles complete, and ingests nothing the second time', async () => {
    const { settings } = await gfsMirror();
    const id = `ingest-gfs-${Date.now()}`;
    const first = await runCycle(settings, id);

    expect(first).toMatchObject({ planned: 6, ingested: 6, fields: 30, quarantined: [], failed: [], notYetPublished: 0 });
    // RH sits between TMP and UGRD: two ranges per file, and RH's bytes are never fetched.
    const expectedBytes = CYCLES.flatMap((cycle) =>
      HOURS.map((hour) => {
        const file = forecastFile(FILE_FIELDS, cycle, hour);
        const rh = forecastFile([FILE_FIELDS[1]!], cycle, hour).grib.length;
        return file.grib.length - rh + file.idx.length;
      }),
    );
    expect(first.bytesFetched).toBe(expectedBytes.reduce((a, b) => a + b));
    expect(first.cycles).toEqual([
      { cycle: '2024-05-01T00:00:00.000Z', expected: 15, present: 15, complete: true },
      { cycle: '2024-05-01T12:00:00.000Z', expected: 15, present: 15, complete: true },
    ]);

    const { rows } = await pool.query(
      "SELECT storage_key, parameter, level, forecast_hour, value_min, value_max, lat_min, lat_max, lon_min, lon_max FROM weather_fields WHERE source = 'gfs' ORDER BY storage_key",
    );
    expect(rows).toHaveLength(30);
    expect(rows.map((row) => row.storage_key)).toContain('grids/gfs/2024050112/TMP_2_m_above_ground_f006.grib2');
    expect(rows.map((row) => row.storage_key)).toContain('grids/gfs/2024050100/HGT_500_mb_f000.grib2');
    expect(rows.map((row) => row.parameter)).not.toContain('RH');
    const tmp = rows.find((row) => row.storage_key === 'grids/gfs/2024050112/TMP_2_m_above_ground_f006.grib2');
    expect(tmp).toMatchObject({ parameter: 'TMP', level: '2 m above ground', forecast_hour: 6, value_min: 100, value_max: 111, lat_min: 30, lat_max: 50, lon_min: 250, lon_max: 280 });

    // The stored object is that one GRIB2 message, readable on its own.
    const stored = path.join(settings.paths.objectsDir, 'grids/gfs/2024050112/TMP_2_m_above_ground_f006.grib2');
    const messages = [];
    for await (const message of readGribMessages(stored)) messages.push(message.meta.product.parameter.shortName);
    expect(messages).toEqual(['TMP']);

    const second = await runCycle(settings, `${id}-again`);
    expect(second).toMatchObject({ planned: 0, ingested: 0, unchanged: 6, bytesFetched: 0 });
    await recordHistory(client!, id, 'ingest-cycle');
  });

  it('ingests a replaced object again, and only that one', async () => {
    const { bucket, settings } = await gfsMirror();
    await runCycle(settings, `ingest-gfs-replace-${Date.now()}`);
    const replaced = forecastFile(FILE_FIELDS, CYCLES[1]!, 3, 200);
    await mirror.put(bucket, gfsKey(CYCLES[1]!, 3), replaced.grib);
    await mirror.put(bucket, `${gfsKey(CYCLES[1]!, 3)}.idx`, replaced.idx);

    const again = await runCycle(settings, `ingest-gfs-replace-${Date.now()}-2`);
    expect(again).toMatchObject({ planned: 1, ingested: 1, unchanged: 5, fields: 5 });
    const { rows } = await pool.query("SELECT value_min FROM weather_fields WHERE storage_key = 'grids/gfs/2024050112/TMP_2_m_above_ground_f003.grib2'");
    expect(rows).toEqual([{ value_min: 200 }]);
  });

  it('quarantines a truncated file, a 0-byte file and a file whose .idx disagrees, and carries on with the rest', async () => {
    const { bucket, settings } = await gfsMirror();
    const truncated = forecastFile(FILE_FIELDS, CYCLES[0]!, 3);
    await mirror.put(bucket, gfsKey(CYCLES[0]!, 3), truncated.grib.subarray(0, truncated.grib.length - 40));
    await mirror.put(bucket, gfsKey(CYCLES[0]!, 6), Buffer.alloc(0));
    await mirror.delete(bucket, `${gfsKey(CYCLES[0]!, 6)}.idx`);
    // The inventory of another file: the offsets name other fields than the file holds there.
    const swapped = forecastFile([...FILE_FIELDS].reverse(), CYCLES[1]!, 0);
    await mirror.put(bucket, gfsKey(CYCLES[1]!, 0), swapped.grib);

    const result = await runCycle(settings, `ingest-gfs-bad-${Date.now()}`);
    expect(result.ingested).toBe(3);
    expect(result.failed).toEqual([]);
    const reasons = Object.fromEntries(result.quarantined.map((q) => [q.key, q.reason]));
    expect(Object.keys(reasons).sort()).toEqual([gfsKey(CYCLES[0]!, 3), gfsKey(CYCLES[0]!, 6), gfsKey(CYCLES[1]!, 0)].sort());
    expect(reasons[gfsKey(CYCLES[0]!, 6)]).toMatch(/0 bytes/);
    expect(reasons[gfsKey(CYCLES[1]!, 0)]).toMatch(/index says byte \d+ holds/);
    expect(reasons[gfsKey(CYCLES[0]!, 3)]).toMatch(/GRIB|bytes/);
    expect(result.cycles.every((cycle) => !cycle.complete)).toBe(true);

    const { rows } = await pool.query("SELECT source_key, status FROM ingest_state WHERE source = 'gfs' AND status = 'quarantined' ORDER BY source_key");
    expect(rows).toHaveLength(3);
    // Nothing of a quarantined file is stored.
    expect(fs.existsSync(path.join(settings.paths.objectsDir, 'grids/gfs/2024050100/TMP_2_m_above_ground_f006.grib2'))).toBe(false);
    // Quarantined files are not retried until they change.
    const again = await runCycle(settings, `ingest-gfs-bad-${Date.now()}-2`);
    expect(again).toMatchObject({ planned: 0, quarantined: [] });
  });
});
