import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { projectRoot } from '../../infra/project-root';
import type { Settings } from '../../infra/config/load-config';
import { ingestCycle, type IngestCycleResult } from '../../workflows/ingest-cycle';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import { useIsolatedTest } from '../harness/isolated-test';
import { fieldMessage, gzipped } from '../harness/noaa-mirror';
import { testStack } from '../harness/test-stack-info';

const NOW = '2024-05-01T13:10:00.000Z';

const mrmsKey = (product: string, level: string, stamp: string) => `CONUS/${product}_${level}/20240501/MRMS_${product}_${level}_20240501-${stamp}.grib2.gz`;
const goesKey = (band: string, start: string, end: string) => `ABI-L2-CMIPC/2024/122/12/OR_ABI-L2-CMIPC-M6${band}_G16_s${start}_e${end}_c${end}.nc`;

describe('ingestCycle for observations: MRMS (gzipped GRIB2) and GOES (NetCDF-4 through h5wasm)', () => {
  const t = useIsolatedTest();
  const { mirror } = t;

  async function run(settings: Settings, source: string): Promise<IngestCycleResult> {
    await t.startWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    const client = await t.client(settings);
    return client.workflow.execute(ingestCycle, { taskQueue: CONTROL_QUEUE, workflowId: `ingest-${source}-${Date.now()}`, args: [{ source, now: NOW }] });
  }

  it('gunzips MRMS files, stores each field, counts a closed hour complete, and quarantines a damaged gzip', async () => {
    const bucket = await mirror.createBucket('mrms-mirror');
    const field = { shortName: 'REFC', level: 'entire atmosphere' };
    const stamps = ['120038', '122038', '124038', '130038'];
    for (const stamp of stamps) {
      const time = new Date(`2024-05-01T${stamp.slice(0, 2)}:${stamp.slice(2, 4)}:${stamp.slice(4)}Z`);
      await mirror.put(bucket, mrmsKey('MergedReflectivityQCComposite', '00.50', stamp), gzipped(fieldMessage(field, time, 0)));
    }
    await mirror.put(bucket, mrmsKey('PrecipRate', '00.00', '120000'), Buffer.from('not gzip at all'));
    // Another product in the same bucket: listed under its own prefix only, never fetched.
    await mirror.put(bucket, mrmsKey('EchoTop_18', '00.00', '120000'), gzipped(fieldMessage(field, new Date('2024-05-01T12:00:00Z'), 0)));
    const settings = t.settings({ ingest: { noaa: mirror.endpointConfig(), sources: { mrms: { bucket } } } } );

    const result = await run(settings, 'mrms');
    expect(result).toMatchObject({ ingested: 4, fields: 4, failed: [] });
    expect(result.quarantined).toEqual([{ key: mrmsKey('PrecipRate', '00.00', '120000'), reason: expect.stringMatching(/not valid gzip/) }]);
    // 12 UTC is closed (4 files listed, 3 ingested, one quarantined); 13 UTC is still open.
    expect(result.cycles).toEqual([{ cycle: '2024-05-01T12:00:00.000Z', expected: 4, present: 3, complete: false }]);
    const stored = path.join(settings.paths.objectsDir, 'grids/mrms/2024050112/MergedReflectivityQCComposite_00.50_20240501-122038.grib2');
    expect(fs.readFileSync(stored).subarray(0, 4).toString()).toBe('GRIB');
    const { rows } = await t.pool().query("SELECT parameter, level, value_min, value_max FROM weather_fields WHERE source = 'mrms' ORDER BY storage_key LIMIT 1");
    expect(rows).toEqual([{ parameter: 'MergedReflectivityQCComposite', level: '00.50', value_min: 100, value_max: 111 }]);
  });

  it('reads GOES bands with h5wasm, stores the file with a PNG quick-look, and quarantines a file that is not HDF5', async () => {
    const bucket = await mirror.createBucket('goes-mirror');
    const script = path.join(projectRoot(), 'test/fixtures/goes/make-goes-cmi.mjs');
    const made = path.join(testStack().workDir, `goes-${Date.now()}.nc`);
    execFileSync(process.execPath, [script, made, '13', '2024-05-01T12:01:17.0Z', '2024-05-01T12:03:54.3Z']);
    await mirror.put(bucket, goesKey('C13', '20241221201170', '20241221203543'), fs.readFileSync(made));
    await mirror.put(bucket, goesKey('C08', '20241221201170', '20241221203543'), Buffer.from('CDF\x01 a NetCDF-3 file'));
    // Band 7 is not configured: listed, ignored.
    await mirror.put(bucket, goesKey('C07', '20241221201170', '20241221203543'), fs.readFileSync(made));
    const settings = t.settings({ ingest: { noaa: mirror.endpointConfig(), sources: { goes16: { bucket } } } } );

    const result = await run(settings, 'goes16');
    expect(result).toMatchObject({ ingested: 1, failed: [] });
    expect(result.quarantined).toEqual([{ key: goesKey('C08', '20241221201170', '20241221203543'), reason: expect.stringMatching(/classic NetCDF \(version 3\)/) }]);
    const { rows } = await t.pool().query("SELECT storage_key, parameter, reference_time, lat_min, lon_max, missing, points, value_min, extra FROM weather_fields WHERE source = 'goes16'");
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ storage_key: 'grids/goes16/2024050112/C13_M6_s20240501-120117.nc', parameter: 'C13', missing: 1, points: 1500 });
    expect(row.reference_time.toISOString()).toBe('2024-05-01T12:01:17.000Z');
    expect(row.extra.scanEnd).toBe('2024-05-01T12:03:54.300Z');
    expect(row.lat_min).toBeCloseTo(14.6, 4);
    expect(row.lon_max).toBeCloseTo(-49.2, 4);
    expect(row.value_min).toBeCloseTo(150.05, 4);
    const png = await sharp(path.join(settings.paths.objectsDir, row.extra.quickLookKey)).metadata();
    expect(png).toMatchObject({ format: 'png', width: 50, height: 30 });
  });
});
