import { IngestKeyError } from './errors';
import type { GoesSource } from './sources';
import { isLeapYear } from './utc';

/** What a GOES ABI key says about its file. */
export interface GoesFile {
  readonly key: string;
  /** "ABI-L2-CMIPC" */
  readonly product: string;
  /** ABI scan mode: "M6" (10-minute full disk, since 2019), "M3", "M4". */
  readonly mode: string;
  /** "C13" */
  readonly band: string;
  /** "G16", "G18" */
  readonly satellite: string;
  readonly scanStart: Date;
  readonly scanEnd: Date;
  /** When the file was produced. */
  readonly created: Date;
}

/** S3 keys are at most 1024 bytes; anything longer is not from a listing and is not parsed. */
const MAX_KEY_LENGTH = 1024;

// e.g. ABI-L2-CMIPC/2024/122/12/OR_ABI-L2-CMIPC-M6C13_G16_s20241221201170_e20241221203543_c20241221204030.nc
const DIRECTORY = /^([A-Za-z0-9-]+)\/(\d{4})\/(\d{3})\/(\d{2})$/;
const FILE_NAME = /^OR_([A-Za-z0-9-]+?)-(M\d)(C\d{2})_(G\d{2})_s(\d{14})_e(\d{14})_c(\d{14})\.nc$/;

/**
 * Parses a GOES ABI Level 2 key. Bands are read from the "-M6C13_" part of the name: a plain
 * `_C13_` substring test (as in the seed's discovery) matches no real key.
 */
export function parseGoesKey(key: string): GoesFile {
  if (key.length > MAX_KEY_LENGTH) throw new IngestKeyError(key, `is longer than S3's ${MAX_KEY_LENGTH}-byte key limit`);
  const slash = key.lastIndexOf('/');
  const directory = DIRECTORY.exec(key.slice(0, Math.max(slash, 0)));
  if (slash < 0 || !directory) throw new IngestKeyError(key, 'is not <product>/<year>/<day of year>/<hour>/<file>');
  const name = FILE_NAME.exec(key.slice(slash + 1));
  if (!name) throw new IngestKeyError(key, 'file name is not OR_<product>-M<mode>C<band>_G<satellite>_s<start>_e<end>_c<created>.nc');
  const [, dirProduct] = directory as unknown as [string, string];
  const [, product, mode, band, satellite, start, end, created] = name as unknown as [string, string, string, string, string, string, string, string];
  if (product !== dirProduct) throw new IngestKeyError(key, `file is product ${product} but sits under ${dirProduct}/`);
  const scanStart = goesTime(key, 'scan start', start);
  const scanEnd = goesTime(key, 'scan end', end);
  if (scanEnd < scanStart) throw new IngestKeyError(key, 'scan ends before it starts');
  return { key, product, mode, band, satellite, scanStart, scanEnd, created: goesTime(key, 'creation time', created) };
}

/** GOES times are YYYYDDDHHMMSSt: year, day of year, hour, minute, second, tenth of a second. */
function goesTime(key: string, what: string, digits: string): Date {
  const field = (from: number, length: number) => Number(digits.slice(from, from + length));
  const year = field(0, 4);
  const day = field(4, 3);
  const [hour, minute, second, tenth] = [field(7, 2), field(9, 2), field(11, 2), field(13, 1)];
  const daysInYear = isLeapYear(year) ? 366 : 365;
  if (day < 1 || day > daysInYear || hour > 23 || minute > 59 || second > 59) {
    throw new IngestKeyError(key, `${what} ${digits} is not a valid YYYYDDDHHMMSSt time (day ${day} of ${daysInYear}, ${hour}:${minute}:${second})`);
  }
  return new Date(Date.UTC(year, 0, day, hour, minute, second, tenth * 100));
}

/**
 * The parsed file if it belongs to this source (its product, satellite and one of its bands),
 * undefined if it is a valid key the source does not want (another band); throws IngestKeyError
 * for a key that is not a GOES ABI key at all.
 */
export function wantedGoesFile(source: GoesSource, key: string): GoesFile | undefined {
  const file = parseGoesKey(key);
  const wanted = file.product === source.product && file.satellite === source.satellite && source.bands.includes(file.band as GoesSource['bands'][number]);
  return wanted ? file : undefined;
}
