import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { readGribMessages } from '../../activities/formats/grib2';
import type { Settings } from '../../infra/config/load-config';
import { ingestCycle, type IngestCycleResult } from '../../workflows/ingest-cycle';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { forecastFile, GFS_FIELDS, gfsKey, type FieldSpec } from '../harness/noaa-mirror';
import { recordHistory } from '../harness/record-history';
import { causeMessages } from '../harness/failure-messages';
import { useIsolatedTest } from '../harness/isolated-test';

/** The GFS default parameters, plus RH, which nobody asked for and must not be fetched. */
const FILE_FIELDS: FieldSpec[] = [GFS_FIELDS[0]!, { shortName: 'RH', level: '2 m above ground' }, ...GFS_FIELDS.slice(1)];

const NOW = '2024-05-01T18:00:00.000Z';
const CYCLES = [new Date('2024-05-01T00:00:00Z'), new Date('2024-05-01T12:00:00Z')];
const HOURS = [0, 3, 6];

describe('ingestCycle (real Temporal, Postgres, S3 mirror of NOAA\'s layout)', () => {
  const t = useIsolatedTest();
  const { mirror } = t;

  /** A GFS mirror with two cycles of three forecast hours, and settings that read it. */
  async function gfsMirror(extra: Record<string, unknown> = {}, ingest: Record<string, unknown> = {}): Promise<{ bucket: string; settings: Settings; source: string }> {
    const bucket = await mirror.createBucket('gfs-mirror');
    for (const cycle of CYCLES) {
      for (const hour of HOURS) {
        await mirror.putForecast(bucket, gfsKey(cycle, hour), forecastFile(FILE_FIELDS, cycle, hour));
      }
    }
    const settings = t.settings({
        ingest: {
          noaa: mirror.endpointConfig(),
          heartbeatTimeout: '3s',
          ...ingest,
          sources: { gfs: { bucket, cycles: [0, 12], forecastHours: { start: 0, end: 6, step: 3 }, lookbackHours: 24, delayHours: 4, ...extra } },
        },
      },
    );
    return { bucket, settings, source: 'gfs' };
  }

  /** Workers for the test, and a function that runs one cycle as of NOW. */
  async function ingester(settings: Settings) {
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    const client = await t.client(settings);
    const run = (workflowId: string): Promise<IngestCycleResult> =>
      client.workflow.execute(ingestCycle, { taskQueue: CONTROL_QUEUE, workflowId, args: [{ source: 'gfs', now: NOW }] });
    return { client, run };
  }

  it('fetches only the configured fields by .idx ranges, catalogs them, marks cycles complete, and ingests nothing the second time', async () => {
    const { settings } = await gfsMirror();
    const { client, run } = await ingester(settings);
    const id = `ingest-gfs-${Date.now()}`;
    const first = await run(id);

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

    const { rows } = await t.pool().query(
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

    const second = await run(`${id}-again`);
    expect(second).toMatchObject({ planned: 0, ingested: 0, unchanged: 6, bytesFetched: 0 });
    await recordHistory(client, id, 'ingest-cycle');
  });

  it('continues as new past maxFilesPerRun, keeping the plan\'s clock and the totals', async () => {
    const { settings } = await gfsMirror({}, { maxFilesPerRun: 2 });
    const { client } = await ingester(settings);
    const handle = await client.workflow.start(ingestCycle, { taskQueue: CONTROL_QUEUE, workflowId: `ingest-gfs-continue-${Date.now()}`, args: [{ source: 'gfs', now: NOW }] });
    const result = await handle.result();
    expect(result).toMatchObject({ ingested: 6, fields: 30, now: NOW, quarantined: [], failed: [] });
    expect(result.cycles.every((cycle) => cycle.complete)).toBe(true);
    // Three runs of two files each: the first one continued as new.
    const first = await client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
  });

  it('fails a run for a source config does not know, and counts it as a failed run', async () => {
    const { settings } = await gfsMirror();
    const { client } = await ingester(settings);
    const handle = await client.workflow.start(ingestCycle, { taskQueue: CONTROL_QUEUE, workflowId: `ingest-nope-${Date.now()}`, args: [{ source: 'nope', now: NOW }] });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(causeMessages(err)).toMatch(/Unknown ingest source "nope".*Known sources: gfs, hrrr/);
    const history = await handle.fetchHistory();
    const scheduled = history.events!.flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled).toEqual(['planIngest', 'recordIngestRun']);
  });

  it('ingests a replaced object again, and only that one', async () => {
    const { bucket, settings } = await gfsMirror();
    const { run } = await ingester(settings);
    await run(`ingest-gfs-replace-${Date.now()}`);
    const replaced = forecastFile(FILE_FIELDS, CYCLES[1]!, 3, 200);
    await mirror.putForecast(bucket, gfsKey(CYCLES[1]!, 3), replaced);

    const again = await run(`ingest-gfs-replace-${Date.now()}-2`);
    expect(again).toMatchObject({ planned: 1, ingested: 1, unchanged: 5, fields: 5 });
    const { rows } = await t.pool().query("SELECT value_min FROM weather_fields WHERE storage_key = 'grids/gfs/2024050112/TMP_2_m_above_ground_f003.grib2'");
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

    const { run } = await ingester(settings);
    const result = await run(`ingest-gfs-bad-${Date.now()}`);
    expect(result.ingested).toBe(3);
    expect(result.failed).toEqual([]);
    const reasons = Object.fromEntries(result.quarantined.map((q) => [q.key, q.reason]));
    expect(Object.keys(reasons).sort()).toEqual([gfsKey(CYCLES[0]!, 3), gfsKey(CYCLES[0]!, 6), gfsKey(CYCLES[1]!, 0)].sort());
    expect(reasons[gfsKey(CYCLES[0]!, 6)]).toMatch(/0 bytes/);
    expect(reasons[gfsKey(CYCLES[1]!, 0)]).toMatch(/index says byte \d+ holds/);
    expect(reasons[gfsKey(CYCLES[0]!, 3)]).toMatch(/GRIB|bytes/);
    expect(result.cycles.every((cycle) => !cycle.complete)).toBe(true);

    const { rows } = await t.pool().query("SELECT source_key, status FROM ingest_state WHERE source = 'gfs' AND status = 'quarantined' ORDER BY source_key");
    expect(rows).toHaveLength(3);
    // Nothing of a quarantined file is stored.
    expect(fs.existsSync(path.join(settings.paths.objectsDir, 'grids/gfs/2024050100/TMP_2_m_above_ground_f006.grib2'))).toBe(false);
    // Quarantined files are not retried until they change.
    const again = await run(`ingest-gfs-bad-${Date.now()}-2`);
    expect(again).toMatchObject({ planned: 0, quarantined: [] });
  });
});
