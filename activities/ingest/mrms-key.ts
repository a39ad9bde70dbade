import { IngestKeyError } from './errors';
import type { MrmsSource } from './sources';

/** What an MRMS key says about its file. */
export interface MrmsFile {
  readonly key: string;
  /** "CONUS" */
  readonly region: string;
  /** "MergedReflectivityQCComposite", "MultiSensor_QPE_01H_Pass2" */
  readonly product: string;
  /** "00.50" */
  readonly level: string;
  /** The product's valid (observation) time; MRMS names carry only this one time. */
  readonly scanStart: Date;
}

const MAX_KEY_LENGTH = 1024;

// e.g. CONUS/MergedReflectivityQCComposite_00.50/20240501/MRMS_MergedReflectivityQCComposite_00.50_20240501-120038.grib2.gz
// Product names may contain underscores; the level is always the last "_NN.NN".
const KEY = /^([A-Za-z0-9]+)\/([A-Za-z0-9_]+)_(\d{2}\.\d{2})\/(\d{8})\/MRMS_([A-Za-z0-9_]+)_(\d{2}\.\d{2})_(\d{8})-(\d{6})\.grib2\.gz$/;

/** Parses an MRMS key of NOAA's noaa-mrms-pds bucket. The file is gzipped GRIB2: gunzip before reading. */
export function parseMrmsKey(key: string): MrmsFile {
  if (key.length > MAX_KEY_LENGTH) throw new IngestKeyError(key, `is longer than S3's ${MAX_KEY_LENGTH}-byte key limit`);
  const match = KEY.exec(key);
  if (!match) throw new IngestKeyError(key, 'is not <region>/<product>_<level>/<YYYYMMDD>/MRMS_<product>_<level>_<YYYYMMDD>-<HHMMSS>.grib2.gz');
  const [, region, dirProduct, dirLevel, , product, level, date, time] = match as unknown as [string, string, string, string, string, string, string, string, string];
  if (product !== dirProduct || level !== dirLevel) throw new IngestKeyError(key, `file is ${product}_${level} but sits under ${dirProduct}_${dirLevel}/`);
  const n = (text: string, from: number, length: number) => Number(text.slice(from, from + length));
  const [year, month, day] = [n(date, 0, 4), n(date, 4, 2), n(date, 6, 2)];
  const [hour, minute, second] = [n(time, 0, 2), n(time, 2, 2), n(time, 4, 2)];
  const scanStart = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 31 April over into May; a date that does not come back unchanged is not real.
  if (scanStart.getUTCMonth() !== month - 1 || scanStart.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new IngestKeyError(key, `time ${date}-${time} is not a valid UTC date and time`);
  }
  return { key, region, product, level, scanStart };
}

/** The parsed file if it is one of the source's region and products, else undefined; malformed keys throw. */
export function wantedMrmsFile(source: MrmsSource, key: string): MrmsFile | undefined {
  const file = parseMrmsKey(key);
  const wanted = file.region === source.region && source.products.some((p) => p.name === file.product && p.level === file.level);
  return wanted ? file : undefined;
}
