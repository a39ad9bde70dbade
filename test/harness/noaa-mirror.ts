import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { int, latLonGridSection, message, packBits, section, uint, float32 } from '../unit/grib2/grib-builder';
import { testStack } from './test-stack-info';

/**
 * A stand-in for NOAA's buckets on the test run's versitygw: buckets with NOAA's real key layouts,
 * filled with small GRIB2 files this module writes (and their wgrib2-style .idx inventories).
 */

/** GRIB2 codes of the fields the tests use: discipline.category.number and the fixed surface. */
const PARAMETERS: Record<string, { discipline: number; category: number; number: number }> = {
  TMP: { discipline: 0, category: 0, number: 0 },
  RH: { discipline: 0, category: 1, number: 1 },
  UGRD: { discipline: 0, category: 2, number: 2 },
  VGRD: { discipline: 0, category: 2, number: 3 },
  PRMSL: { discipline: 0, category: 3, number: 1 },
  HGT: { discipline: 0, category: 3, number: 5 },
  REFC: { discipline: 0, category: 16, number: 196 },
};

const LEVELS: Record<string, { type: number; scale: number; value: number }> = {
  '2 m above ground': { type: 103, scale: 0, value: 2 },
  '10 m above ground': { type: 103, scale: 0, value: 10 },
  'mean sea level': { type: 101, scale: 0, value: 0 },
  '500 mb': { type: 100, scale: 0, value: 50_000 },
  'entire atmosphere': { type: 10, scale: 0, value: 0 },
  surface: { type: 1, scale: 0, value: 0 },
};

export interface FieldSpec {
  shortName: string;
  level: string;
}

/** The fields GFS ingests by default (activities/ingest/sources.ts). */
export const GFS_FIELDS: FieldSpec[] = [
  { shortName: 'TMP', level: '2 m above ground' },
  { shortName: 'UGRD', level: '10 m above ground' },
  { shortName: 'VGRD', level: '10 m above ground' },
  { shortName: 'PRMSL', level: 'mean sea level' },
  { shortName: 'HGT', level: '500 mb' },
];

const hh = (cycle: Date) => String(cycle.getUTCHours()).padStart(2, '0');
const yyyymmdd = (cycle: Date) => cycle.toISOString().slice(0, 10).replace(/-/g, '');

/** NOAA's GFS key: gfs.20240501/12/atmos/gfs.t12z.pgrb2.0p25.f006 */
export function gfsKey(cycle: Date, hour: number): string {
  return `gfs.${yyyymmdd(cycle)}/${hh(cycle)}/atmos/gfs.t${hh(cycle)}z.pgrb2.0p25.f${String(hour).padStart(3, '0')}`;
}

/** NOAA's HRRR key: hrrr.20240501/conus/hrrr.t12z.wrfsfcf06.grib2 */
export function hrrrKey(cycle: Date, hour: number): string {
  return `hrrr.${yyyymmdd(cycle)}/conus/hrrr.t${hh(cycle)}z.wrfsfcf${String(hour).padStart(2, '0')}.grib2`;
}

/** Packed values are the same for every field of a size; packing a big grid once is enough. */
const packedBySize = new Map<number, Buffer>();

/**
 * One GRIB2 message on a lat/lon grid (4×3 unless given), simple packing, values base + 0..11
 * repeating; 8 bits per value, 16 on grids bigger than 4×3, to give realistic message sizes.
 */
export function fieldMessage(field: FieldSpec, referenceTime: Date, forecastHour: number, base = 100, size = { ni: 4, nj: 3 }): Buffer {
  const parameter = PARAMETERS[field.shortName];
  const level = LEVELS[field.level];
  if (!parameter || !level) throw new Error(`noaa-mirror: no codes for ${field.shortName} at ${field.level}`);
  const t = referenceTime;
  const identification = section(1, uint(7, 2), uint(0, 2), uint(2, 1), uint(1, 1), uint(1, 1), uint(t.getUTCFullYear(), 2), uint(t.getUTCMonth() + 1, 1), uint(t.getUTCDate(), 1), uint(t.getUTCHours(), 1), uint(0, 1), uint(0, 1), uint(0, 1), uint(1, 1));
  const points = size.ni * size.nj;
  const bits = points > 12 ? 16 : 8;
  // The small grid covers 30–50°N, 250–280°E; bigger ones are global, north to south.
  const grid =
    points === 12
      ? latLonGridSection({ ni: 4, nj: 3, first: [50, 250], last: [30, 280], increments: [10, 10] })
      : latLonGridSection({ ni: size.ni, nj: size.nj, first: [90, 0], last: [-90, 360 - 360 / size.ni], increments: [360 / size.ni, 180 / (size.nj - 1)] });
  const product = section(4, uint(0, 2), uint(0, 2), uint(parameter.category, 1), uint(parameter.number, 1), uint(2, 1), uint(0, 1), uint(96, 1), uint(0, 2), uint(0, 1), uint(1, 1), int(forecastHour, 4), uint(level.type, 1), int(level.scale, 1), uint(level.value, 4), uint(255, 1), Buffer.alloc(5, 0xff));
  let data = packedBySize.get(points);
  if (!data) {
    data = packBits(Array.from({ length: points }, (_, i) => i % 12), bits);
    packedBySize.set(points, data);
  }
  const representation = section(5, uint(points, 4), uint(0, 2), float32(base), int(0, 2), int(0, 2), uint(bits, 1), uint(0, 1));
  return message(parameter.discipline, [identification, grid, product, representation, section(6, uint(255, 1)), section(7, data)]);
}

/** A forecast file of several fields and its inventory, as wgrib2 -s writes it. */
export function forecastFile(fields: FieldSpec[], referenceTime: Date, forecastHour: number, base = 100): { grib: Buffer; idx: string } {
  const messages = fields.map((field, i) => fieldMessage(field, referenceTime, forecastHour, base + i));
  const d = referenceTime.toISOString().replace(/[-T:]/g, '').slice(0, 10);
  let offset = 0;
  const lines = fields.map((field, i) => {
    const line = `${i + 1}:${offset}:d=${d}:${field.shortName}:${field.level}:${forecastHour === 0 ? 'anl' : `${forecastHour} hour fcst`}:`;
    offset += messages[i]!.length;
    return line;
  });
  return { grib: Buffer.concat(messages), idx: `${lines.join('\n')}\n` };
}

export function gzipped(bytes: Buffer): Buffer {
  return gzipSync(bytes);
}

/** Buckets on the test S3 server, named uniquely per test. */
export class NoaaMirror {
  readonly client: S3Client;
  readonly stack = testStack();

  constructor() {
    this.client = new S3Client({
      endpoint: this.stack.s3.endpoint,
      region: this.stack.s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: this.stack.s3.accessKey, secretAccessKey: this.stack.s3.secretKey },
    });
  }

  async createBucket(stem: string): Promise<string> {
    const bucket = `${stem}-${randomBytes(4).toString('hex')}`;
    await this.client.send(new CreateBucketCommand({ Bucket: bucket }));
    return bucket;
  }

  async put(bucket: string, key: string, body: Buffer | string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  /** A forecast file and its .idx inventory beside it, as NCEP publishes them. */
  async putForecast(bucket: string, key: string, file: { grib: Buffer; idx: string }): Promise<void> {
    await this.put(bucket, key, file.grib);
    await this.put(bucket, `${key}.idx`, file.idx);
  }

  async delete(bucket: string, key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  /** ingest.noaa settings that point sluice at this mirror. */
  endpointConfig(): Record<string, unknown> {
    return { endpoint: this.stack.s3.endpoint, region: this.stack.s3.region, accessKeyId: this.stack.s3.accessKey, secretAccessKey: this.stack.s3.secretKey, forcePathStyle: true };
  }

  close(): void {
    this.client.destroy();
  }
}
