import {
  expectedModelFiles,
  IngestKeyError,
  IngestPlanError,
  listingPrefixes,
  parseGoesKey,
  parseMrmsKey,
  wantedGoesFile,
  wantedMrmsFile,
} from '../../../activities/ingest/expected-files';
import { GFS, GOES16, GOES18, HRRR, MRMS, type ModelSource } from '../../../activities/ingest/sources';
import { UserError } from '../../../infra/errors/user-error';

const at = (iso: string) => new Date(iso);
/** A small GFS-like source, so tests can list every key. */
const TINY: ModelSource = { ...GFS, schedule: { ...GFS.schedule, forecastHours: { start: 0, end: 6, step: 3 } } };

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('expectedModelFiles', () => {
  it('lists GFS keys and their .idx for cycles whose delay has passed', () => {
    const files = expectedModelFiles(TINY, at('2024-05-01T17:30:00Z'), 12);
    expect(files.map((f) => f.key)).toEqual([
      'gfs.20240501/06/atmos/gfs.t06z.pgrb2.0p25.f000',
      'gfs.20240501/06/atmos/gfs.t06z.pgrb2.0p25.f003',
      'gfs.20240501/06/atmos/gfs.t06z.pgrb2.0p25.f006',
      'gfs.20240501/12/atmos/gfs.t12z.pgrb2.0p25.f000',
      'gfs.20240501/12/atmos/gfs.t12z.pgrb2.0p25.f003',
      'gfs.20240501/12/atmos/gfs.t12z.pgrb2.0p25.f006',
    ]);
    expect(files[0]).toEqual({ key: 'gfs.20240501/06/atmos/gfs.t06z.pgrb2.0p25.f000', idxKey: 'gfs.20240501/06/atmos/gfs.t06z.pgrb2.0p25.f000.idx', cycle: at('2024-05-01T06:00:00Z'), forecastHour: 0 });
  });

  it('writes three-digit forecast hours for GFS up to f384', () => {
    const files = expectedModelFiles(GFS, at('2024-05-01T04:00:00Z'), 4);
    expect(files).toHaveLength(129);
    expect(files[files.length - 1]?.key).toBe('gfs.20240501/00/atmos/gfs.t00z.pgrb2.0p25.f384');
    expect(files[1]?.key).toBe('gfs.20240501/00/atmos/gfs.t00z.pgrb2.0p25.f003');
  });

  it('includes a cycle when its delay is exactly reached, and not a millisecond before', () => {
    expect(expectedModelFiles(TINY, at('2024-05-01T16:00:00.000Z'), 4).map((f) => f.cycle.toISOString())).toEqual(Array(3).fill('2024-05-01T12:00:00.000Z'));
    expect(expectedModelFiles(TINY, at('2024-05-01T15:59:59.999Z'), 4)).toEqual([]);
  });

  it('includes a cycle exactly at the start of the look-back window', () => {
    const cycles = expectedModelFiles(TINY, at('2024-05-01T18:00:00Z'), 12).map((f) => f.cycle.toISOString());
    expect([...new Set(cycles)]).toEqual(['2024-05-01T06:00:00.000Z', '2024-05-01T12:00:00.000Z']);
  });

  it('crosses midnight, month and year ends', () => {
    const cycles = (now: string, hours: number) => [...new Set(expectedModelFiles(TINY, at(now), hours).map((f) => f.key.split('/').slice(0, 2).join('/')))];
    expect(cycles('2024-01-01T05:00:00Z', 12)).toEqual(['gfs.20231231/18', 'gfs.20240101/00']);
    expect(cycles('2024-05-01T04:00:00Z', 6)).toEqual(['gfs.20240501/00']);
    expect(cycles('2024-05-01T03:59:00Z', 12)).toEqual(['gfs.20240430/18']);
  });

  it('handles leap days, and their absence', () => {
    const days = (now: string) => [...new Set(expectedModelFiles(TINY, at(now), 24).map((f) => f.key.slice(4, 12)))];
    expect(days('2024-03-01T05:00:00Z')).toEqual(['20240229', '20240301']);
    expect(days('2023-03-01T05:00:00Z')).toEqual(['20230228', '20230301']);
    expect(days('2100-03-01T05:00:00Z')).toEqual(['21000228', '21000301']);
  });

  it('gives HRRR hourly cycles two-digit hours, 48 h for synoptic cycles and 18 h for the rest', () => {
    const files = expectedModelFiles(HRRR, at('2024-05-01T02:00:00Z'), 2);
    const byCycle = new Map<string, number[]>();
    for (const f of files) byCycle.set(f.cycle.toISOString(), [...(byCycle.get(f.cycle.toISOString()) ?? []), f.forecastHour]);
    expect([...byCycle.keys()]).toEqual(['2024-05-01T00:00:00.000Z']);
    expect(files).toHaveLength(49);
    expect(files[48]?.key).toBe('hrrr.20240501/conus/hrrr.t00z.wrfsfcf48.grib2');
    expect(files[48]?.idxKey).toBe('hrrr.20240501/conus/hrrr.t00z.wrfsfcf48.grib2.idx');
    const next = expectedModelFiles(HRRR, at('2024-05-01T03:00:00Z'), 2);
    expect(next.map((f) => f.forecastHour)).toEqual(Array.from({ length: 19 }, (_, h) => h));
    expect(next[5]?.key).toBe('hrrr.20240501/conus/hrrr.t01z.wrfsfcf05.grib2');
  });

  it('plans HRRR\'s full 48 h look-back: 47 cycles past their delay, 8 of them long', () => {
    const files = expectedModelFiles(HRRR, at('2024-05-03T02:00:00Z'), 48);
    // Cycles from 05-01 02z (48 h back, inclusive) to 05-03 00z (2 h delay, inclusive).
    expect(new Set(files.map((f) => f.cycle.getTime())).size).toBe(47);
    expect(files).toHaveLength(8 * 49 + 39 * 19);
    expect(files[0]?.key).toBe('hrrr.20240501/conus/hrrr.t02z.wrfsfcf00.grib2');
    expect(files[files.length - 1]?.key).toBe('hrrr.20240503/conus/hrrr.t00z.wrfsfcf48.grib2');
    expect(new Set(files.map((f) => f.key)).size).toBe(files.length);
  });

  it('finds nothing when the look-back is shorter than the delay', () => {
    // The window is measured from now, so a 3 h look-back never reaches a cycle 4 h old.
    expect(expectedModelFiles(GFS, at('2024-05-01T04:00:00Z'), 3)).toEqual([]);
  });

  it('is deterministic and independent of the time zone', () => {
    const before = process.env.TZ;
    const a = expectedModelFiles(TINY, at('2024-12-31T23:00:00Z'), 24);
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      expect(expectedModelFiles(TINY, at('2024-12-31T23:00:00Z'), 24)).toEqual(a);
    } finally {
      process.env.TZ = before;
    }
  });

  it('refuses an invalid clock, a look-back beyond retention and a looping schedule', () => {
    expect(thrown(() => expectedModelFiles(GFS, new Date('nope'), 6))).toBeInstanceOf(IngestPlanError);
    for (const hours of [0, -1, Number.NaN, Infinity, 169]) expect(thrown(() => expectedModelFiles(GFS, at('2024-05-01T00:00:00Z'), hours)).message).toMatch(/look-back/);
    const looping = { ...GFS, schedule: { ...GFS.schedule, forecastHours: { start: 0, end: 6, step: 0 } } };
    const err = thrown(() => expectedModelFiles(looping, at('2024-05-01T00:00:00Z'), 6));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe('source gfs: forecastHours.step 0 is not an integer ≥ 1');
    const badCycle = { ...GFS, schedule: { ...GFS.schedule, cycles: [24] } };
    expect(thrown(() => expectedModelFiles(badCycle, at('2024-05-01T00:00:00Z'), 6)).message).toMatch(/cycle 24 is not a UTC hour/);
  });
});

describe('listingPrefixes', () => {
  it('lists GOES per hour, named by each hour\'s own day of year', () => {
    expect(listingPrefixes(GOES16, at('2024-01-01T00:20:00Z'), 2)).toEqual([
      { bucket: 'noaa-goes16', prefix: 'ABI-L2-CMIPC/2023/365/22/' },
      { bucket: 'noaa-goes16', prefix: 'ABI-L2-CMIPC/2023/365/23/' },
      { bucket: 'noaa-goes16', prefix: 'ABI-L2-CMIPC/2024/001/00/' },
    ]);
  });

  it('counts 29 February as day 060 and 31 December of a leap year as 366', () => {
    expect(listingPrefixes(GOES18, at('2024-02-29T12:00:00Z'), 1).map((p) => p.prefix)).toEqual(['ABI-L2-CMIPC/2024/060/11/', 'ABI-L2-CMIPC/2024/060/12/']);
    expect(listingPrefixes(GOES18, at('2024-12-31T23:00:00Z'), 1)[0]?.prefix).toBe('ABI-L2-CMIPC/2024/366/22/');
    expect(listingPrefixes(GOES18, at('2023-03-01T00:30:00Z'), 1)[0]?.prefix).toBe('ABI-L2-CMIPC/2023/059/23/');
  });

  it('lists MRMS per product and day', () => {
    expect(listingPrefixes(MRMS, at('2024-03-01T01:00:00Z'), 2).map((p) => p.prefix)).toEqual([
      'CONUS/MergedReflectivityQCComposite_00.50/20240229/',
      'CONUS/PrecipRate_00.00/20240229/',
      'CONUS/MergedReflectivityQCComposite_00.50/20240301/',
      'CONUS/PrecipRate_00.00/20240301/',
    ]);
    expect(listingPrefixes(MRMS, at('2024-03-01T12:00:00Z'), 2)).toHaveLength(2);
  });

  it('refuses a look-back beyond retention', () => {
    expect(thrown(() => listingPrefixes(GOES16, at('2024-03-01T12:00:00Z'), 25))).toBeInstanceOf(IngestPlanError);
  });
});

const GOES_KEY = 'ABI-L2-CMIPC/2024/122/12/OR_ABI-L2-CMIPC-M6C13_G16_s20241221201170_e20241221203543_c20241221204030.nc';

describe('parseGoesKey', () => {
  it('reads band, satellite and times to the tenth of a second', () => {
    expect(parseGoesKey(GOES_KEY)).toEqual({
      key: GOES_KEY,
      product: 'ABI-L2-CMIPC',
      mode: 'M6',
      band: 'C13',
      satellite: 'G16',
      scanStart: at('2024-05-01T12:01:17.000Z'),
      scanEnd: at('2024-05-01T12:03:54.300Z'),
      created: at('2024-05-01T12:04:03.000Z'),
    });
  });

  it('reads day 366 of a leap year', () => {
    const key = 'ABI-L2-CMIPC/2024/366/23/OR_ABI-L2-CMIPC-M6C02_G18_s20243662356170_e20243662358543_c20243662359010.nc';
    expect(parseGoesKey(key).scanStart).toEqual(at('2024-12-31T23:56:17.000Z'));
  });

  it('filters out bands, satellites and products the source does not want', () => {
    expect(wantedGoesFile(GOES16, GOES_KEY)?.band).toBe('C13');
    expect(wantedGoesFile(GOES16, GOES_KEY.replace('M6C13', 'M6C07'))).toBeUndefined();
    expect(wantedGoesFile(GOES18, GOES_KEY)).toBeUndefined();
    expect(wantedGoesFile(GOES16, GOES_KEY.replace(/CMIPC/g, 'CMIPF'))).toBeUndefined();
  });

  it.each([
    ['a key of another layout', 'ABI-L2-CMIPC/2024/122/OR_x.nc', /is not <product>\/<year>/],
    ['no band in the name', 'ABI-L2-ACMC/2024/122/12/OR_ABI-L2-ACMC-M6_G16_s20241221201170_e20241221203543_c20241221204030.nc', /file name is not/],
    ['a product under another directory', GOES_KEY.replace('ABI-L2-CMIPC/', 'ABI-L2-CMIPF/'), /file is product ABI-L2-CMIPC but sits under ABI-L2-CMIPF/],
    ['day 366 of a common year', GOES_KEY.replace('s20241221201170', 's20233661201170'), /scan start 20233661201170 is not a valid.*day 366 of 365/],
    ['day 000', GOES_KEY.replace('s20241221201170', 's20240001201170'), /day 0 of 366/],
    ['hour 24', GOES_KEY.replace('s20241221201170', 's20241222401170'), /not a valid/],
    ['an end before the start', GOES_KEY.replace('e20241221203543', 'e20241221101170'), /scan ends before it starts/],
    ['an empty key', '', /is not <product>/],
    ['a path traversal', '../../etc/passwd', /is not <product>/],
  ])('refuses %s with IngestKeyError', (_what, key, problem) => {
    const err = thrown(() => parseGoesKey(key));
    expect(err).toBeInstanceOf(IngestKeyError);
    expect(err).toBeInstanceOf(UserError);
    expect(err.name).toBe('IngestKeyError');
    expect((err as IngestKeyError).key).toBe(key);
    expect(err.message).toMatch(problem);
  });

  it('refuses a huge key quickly, with a short message', () => {
    const key = `ABI-L2-CMIPC/2024/122/12/OR_${'A-'.repeat(5_000_000)}.nc`;
    const started = Date.now();
    const err = thrown(() => parseGoesKey(key));
    expect(Date.now() - started).toBeLessThan(500);
    expect(err.message).toMatch(/longer than S3's 1024-byte key limit/);
    expect(err.message.length).toBeLessThan(300);
  });
});

const MRMS_KEY = 'CONUS/MergedReflectivityQCComposite_00.50/20240229/MRMS_MergedReflectivityQCComposite_00.50_20240229-235838.grib2.gz';

describe('parseMrmsKey', () => {
  it('reads product, level and time', () => {
    expect(parseMrmsKey(MRMS_KEY)).toEqual({ key: MRMS_KEY, region: 'CONUS', product: 'MergedReflectivityQCComposite', level: '00.50', scanStart: at('2024-02-29T23:58:38Z') });
  });

  it('reads product names with underscores', () => {
    const key = 'CONUS/MultiSensor_QPE_01H_Pass2_00.00/20240501/MRMS_MultiSensor_QPE_01H_Pass2_00.00_20240501-120000.grib2.gz';
    expect(parseMrmsKey(key)).toMatchObject({ product: 'MultiSensor_QPE_01H_Pass2', level: '00.00' });
  });

  it('keeps only the source\'s products and levels', () => {
    expect(wantedMrmsFile(MRMS, MRMS_KEY)?.product).toBe('MergedReflectivityQCComposite');
    expect(wantedMrmsFile(MRMS, MRMS_KEY.replace(/_00\.50/g, '_01.00'))).toBeUndefined();
    expect(wantedMrmsFile(MRMS, MRMS_KEY.replace(/MergedReflectivityQCComposite/g, 'EchoTop_18'))).toBeUndefined();
    expect(wantedMrmsFile(MRMS, MRMS_KEY.replace('CONUS', 'ALASKA'))).toBeUndefined();
  });

  it.each([
    ['29 February of a common year', MRMS_KEY.replace(/20240229/g, '20230229'), /time 20230229-235838 is not a valid/],
    ['second 60', MRMS_KEY.replace('235838', '235860'), /not a valid/],
    ['a mismatched directory', MRMS_KEY.replace('CONUS/MergedReflectivityQCComposite_00.50', 'CONUS/PrecipRate_00.00'), /sits under PrecipRate_00.00/],
    ['an uncompressed name', MRMS_KEY.replace('.gz', ''), /is not <region>/],
    ['the seed\'s directory without level', 'CONUS/MergedReflectivityQCComposite/MRMS_MergedReflectivityQCComposite_00.50_20240229-235838.grib2.gz', /is not <region>/],
  ])('refuses %s', (_what, key, problem) => {
    const err = thrown(() => parseMrmsKey(key));
    expect(err).toBeInstanceOf(IngestKeyError);
    expect(err.message).toMatch(problem);
  });
});
