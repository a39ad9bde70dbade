/**
 * Ingestion benchmarks, on the same real stack the tests use (Temporal dev server, embedded
 * Postgres, versitygw as the NOAA mirror), started here by the test harness's global setup:
 *
 *   1. Bytes fetched: one GFS-shaped file of 120 fields, 5 of them configured. ingestCycle fetches
 *      the .idx and the 5 fields' byte ranges; the alternative is downloading the whole file
 *      (what the seed's ingester did), timed with a plain GetObject to disk.
 *   2. Files per second: 100 small forecast files through ingestCycle (parallelism 4, one child
 *      workflow and activity per file), against a plain loop doing the same I/O in this process
 *      (the same ingestModelFile + catalog write, no Temporal), sequential and 4 at a time.
 *
 * Run with `npm run bench` (test/bench/run.sh). Each figure is from one run after a warm-up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Pool } from 'pg';
import { ingestModelFile } from '../../activities/ingest/ingest-model-file';
import { recordIngested } from '../../activities/ingest/ingest-store';
import { SourceBuckets } from '../../activities/ingest/source-bucket';
import type { ModelSource } from '../../activities/ingest/sources';
import { LocalObjectStore } from '../../activities/storage/local-object-store';
import { findSource } from '../../activities/ingest/configured-sources';
import type { Settings } from '../../infra/config/load-config';
import { ingestCycle } from '../../workflows/ingest-cycle';
import { CONTROL_QUEUE } from '../../workflows/task-queues';
import globalSetup from '../harness/global-setup';
import globalTeardown from '../harness/global-teardown';
import { fieldMessage, forecastFile, GFS_FIELDS, gfsKey, NoaaMirror, type FieldSpec } from '../harness/noaa-mirror';
import { testSettings } from '../harness/test-settings';
import { startTestWorkers, testClient } from '../harness/test-workers';

const WANTED = GFS_FIELDS;
const CYCLE = new Date('2024-05-01T00:00:00Z');
const NOW = '2024-05-01T23:00:00Z';

async function main(): Promise<void> {
  await globalSetup();
  const mirror = new NoaaMirror();
  try {
    await bytesFetched(mirror);
    await filesPerSecond(mirror);
  } finally {
    mirror.close();
    await globalTeardown();
  }
}


function gfsSettings(bucket: string, mirror: NoaaMirror, hours: number, parallelism = 4): Settings {
  return testSettings({
    config: {
      log: { level: 'error' },
      ingest: { parallelism, noaa: mirror.endpointConfig(), sources: { gfs: { bucket, cycles: [0], forecastHours: { start: 0, end: hours - 1, step: 1 }, parameters: WANTED, delayHours: 0, lookbackHours: 24 } } },
    },
  });
}

async function runCycle(settings: Settings, id: string) {
  const client = await testClient(settings);
  const started = performance.now();
  try {
    const result = await client.workflow.execute(ingestCycle, { taskQueue: CONTROL_QUEUE, workflowId: `${id}-${Date.now()}`, args: [{ source: 'gfs', now: NOW }] });
    return { result, ms: performance.now() - started };
  } finally {
    await client.connection.close();
  }
}

async function resetCatalog(settings: Settings): Promise<void> {
  const pool = new Pool({ connectionString: settings.postgres.url, max: 1 });
  for (const table of ['weather_fields', 'ingest_state', 'weather_cycles']) await pool.query(`DELETE FROM ${table} WHERE source = 'gfs'`);
  await pool.end();
}

/** 120 fields: the 5 wanted spread among 115 others (RH at many levels stands in for them). */
async function bytesFetched(mirror: NoaaMirror): Promise<void> {
  const bucket = await mirror.createBucket('bench-gfs-big');
  const levels = ['2 m above ground', '10 m above ground', 'mean sea level', '500 mb', 'surface', 'entire atmosphere'];
  const filler: FieldSpec[] = Array.from({ length: 115 }, (_, i) => ({ shortName: ['RH', 'TMP', 'UGRD', 'VGRD', 'HGT'][i % 5]!, level: levels[(i % 6)]! })).filter(
    (field) => !WANTED.some((w) => w.shortName === field.shortName && w.level === field.level),
  );
  while (filler.length < 115) filler.push({ shortName: 'RH', level: 'surface' });
  const fields = [...filler.slice(0, 40), WANTED[0]!, ...filler.slice(40, 80), ...WANTED.slice(1, 3), ...filler.slice(80), ...WANTED.slice(3)];
  const big = bigForecastFile(fields);
  await mirror.putForecast(bucket, gfsKey(CYCLE, 0), big);

  const settings = gfsSettings(bucket, mirror, 1);
  await resetCatalog(settings);
  const workers = await startTestWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
  try {
    const { result, ms } = await runCycle(settings, 'bench-bytes');
    const whole = await timeWholeDownload(mirror, bucket, gfsKey(CYCLE, 0), settings);
    console.log(`file: ${fields.length} fields, ${big.grib.length} bytes; configured: ${WANTED.length} fields`);
    console.log(`ingestCycle with .idx ranges: fetched ${result.bytesFetched} bytes (.idx included) in ${ms.toFixed(0)} ms (plan, fetch, decode, store, catalog)`);
    console.log(`whole-file GetObject to disk:  ${big.grib.length} bytes in ${whole.toFixed(0)} ms (download only)`);
    console.log(`bytes ratio (ranges / whole file): ${(result.bytesFetched / big.grib.length).toFixed(4)} (${(big.grib.length / result.bytesFetched).toFixed(1)}× fewer bytes)`);
  } finally {
    await workers.shutdown();
  }
}

/** 0.5° global fields (720 × 361) at 16 bits: ~520 KB each, like a real pgrb2 field. */
function bigForecastFile(fields: FieldSpec[]): { grib: Buffer; idx: string } {
  const messages = fields.map((field, i) => fieldMessage(field, CYCLE, 0, 100 + i, { ni: 720, nj: 361 }));
  let offset = 0;
  const lines = fields.map((field, i) => {
    const line = `${i + 1}:${offset}:d=2024050100:${field.shortName}:${field.level}:anl:`;
    offset += messages[i]!.length;
    return line;
  });
  return { grib: Buffer.concat(messages), idx: `${lines.join('\n')}\n` };
}

async function timeWholeDownload(mirror: NoaaMirror, bucket: string, key: string, settings: Settings): Promise<number> {
  const file = path.join(settings.paths.stateDir, 'whole.grib2');
  const started = performance.now();
  const response = await mirror.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await pipeline(response.Body as NodeJS.ReadableStream, fs.createWriteStream(file));
  return performance.now() - started;
}

async function filesPerSecond(mirror: NoaaMirror): Promise<void> {
  const hours = 100;
  const bucket = await mirror.createBucket('bench-gfs-many');
  for (let hour = 0; hour < hours; hour++) {
    await mirror.putForecast(bucket, gfsKey(CYCLE, hour), forecastFile(WANTED, CYCLE, hour));
  }
  const rate = (milliseconds: number) => (hours / (milliseconds / 1000)).toFixed(1);
  console.log(`${hours} files of ${WANTED.length} fields each:`);
  const cycles: number[] = [];
  // 4 is the default; 8 shows how far more parallelism goes on this machine.
  for (const parallelism of [4, 8]) {
    const settings = gfsSettings(bucket, mirror, hours, parallelism);
    const workers = await startTestWorkers(settings, [{ role: 'control' }, { role: 'cloud' }]);
    try {
      await resetCatalog(settings);
      await runCycle(settings, 'bench-warmup');
      await resetCatalog(settings);
      const { result, ms } = await runCycle(settings, 'bench-files');
      if (result.ingested !== hours) throw new Error(`ingestCycle ingested ${result.ingested} of ${hours} files`);
      cycles.push(ms);
      console.log(`ingestCycle, parallelism ${parallelism}:  ${ms.toFixed(0)} ms, ${rate(ms)} files/s`);
    } finally {
      await workers.shutdown();
    }
  }
  const settings = gfsSettings(bucket, mirror, hours);
  const loop1 = await plainLoop(settings, hours, 1);
  const loop4 = await plainLoop(settings, hours, 4);
  const against = (ms: number) => cycles.map((cycle, i) => `${(cycle / ms).toFixed(2)}× at parallelism ${[4, 8][i]}`).join(', ');
  console.log(`plain loop, sequential:       ${loop1.toFixed(0)} ms, ${rate(loop1)} files/s (ingestCycle takes ${against(loop1)})`);
  console.log(`plain loop, 4 at a time:      ${loop4.toFixed(0)} ms, ${rate(loop4)} files/s (ingestCycle takes ${against(loop4)})`);
}

/** The same work as ingestCycle's activities, called directly: list, fetch ranges, decode, store, catalog. */
async function plainLoop(settings: Settings, hours: number, concurrency: number): Promise<number> {
  await resetCatalog(settings);
  const source = findSource(settings.ingestSources, 'gfs') as ModelSource;
  const buckets = new SourceBuckets(settings.ingest.noaa);
  const store = new LocalObjectStore(settings.paths.objectsDir);
  const pool = new Pool({ connectionString: settings.postgres.url, max: concurrency });
  const started = performance.now();
  try {
    const listed = new Map<string, { key: string; etag: string; size: number }>();
    for await (const object of buckets.list(source.bucket, 'gfs.20240501/00/')) listed.set(object.key, object);
    let next = 0;
    const lane = async () => {
      while (next < hours) {
        const hour = next++;
        const object = listed.get(gfsKey(CYCLE, hour))!;
        const task = { ...object, cycle: CYCLE.toISOString(), forecastHour: hour, indexKey: `${object.key}.idx` };
        const outcome = await ingestModelFile({ store, buckets, workDir: settings.paths.ingestWorkDir, heartbeat: () => {} }, source, task);
        await recordIngested(pool, { source: 'gfs', key: object.key, etag: object.etag, size: object.size, cycle: CYCLE, workflowId: 'plain-loop' }, outcome.fields, outcome.bytesFetched);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return performance.now() - started;
  } finally {
    buckets.close();
    store.close();
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
