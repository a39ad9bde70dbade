/**
 * What sluice ingests from NOAA's Open Data buckets, as data: bucket, key layout, schedule,
 * retention and what to extract. The defaults follow the seed's table (poll interval, delay,
 * retention) and its discovery code (GOES bands, MRMS products, look-back windows); where the
 * seed is silent the key layouts are NOAA's real ones, checked against the buckets' naming.
 */

/** One GRIB2 field, named as the repo's GRIB2 reader and NCEP's .idx inventories print it. */
export interface GribParameter {
  /** e.g. "TMP", "UGRD", "REFC". */
  readonly shortName: string;
  /** e.g. "2 m above ground", "500 mb", "entire atmosphere". */
  readonly level: string;
}

/** Forecast hours start..end (inclusive) every step hours. */
export interface ForecastHours {
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

/** Models run in cycles: each cycle writes one file per forecast hour at a known key. */
export interface CycleSchedule {
  /** UTC hours the model runs, e.g. [0, 6, 12, 18]. */
  readonly cycles: readonly number[];
  readonly forecastHours: ForecastHours;
  /** Cycles that run longer (HRRR's 00/06/12/18z go to 48 h, the others to 18 h); same start and step. */
  readonly extendedForecastHours?: { readonly cycles: readonly number[]; readonly end: number };
  readonly pollIntervalSeconds: number;
  /** A cycle's files are expected this many hours after the cycle time. */
  readonly delayHours: number;
  /** How far back a poll looks for cycles it has not ingested. */
  readonly lookbackHours: number;
}

/** Observations arrive as timestamped files every few minutes; there is nothing to predict, only to list. */
export interface ScanSchedule {
  readonly pollIntervalSeconds: number;
  /** Minutes after a scan until its file is usually in the bucket (GOES 15, MRMS 2). */
  readonly delayMinutes: number;
  readonly lookbackHours: number;
}

interface SourceBase {
  /** Stable id used in workflow ids, the catalog and ingest state: "gfs", "goes16". */
  readonly id: string;
  readonly description: string;
  readonly bucket: string;
  readonly retentionHours: number;
}

/** GFS, HRRR: GRIB2 files at keys computed from cycle and forecast hour, each with a `.idx` inventory. */
export interface ModelSource extends SourceBase {
  readonly kind: 'model';
  /** Tokens: {YYYYMMDD} {YYYY} {MM} {DD} {HH} (of the cycle), {FFF} {FF} (forecast hour). */
  readonly keyTemplate: string;
  /** Appended to the key to get the inventory NOAA publishes next to each file. */
  readonly indexSuffix: string;
  readonly schedule: CycleSchedule;
  /** Fetched by HTTP range from the .idx offsets; every one must exist in every forecast hour. */
  readonly parameters: readonly GribParameter[];
}

/** ABI band ids as they appear in file names (M6C13 → "C13"). */
export type AbiBand = `C${string}`;

/** GOES-East/West ABI Level 2 products: NetCDF files, one per band per scan. */
export interface GoesSource extends SourceBase {
  readonly kind: 'goes';
  /** As in file names: "G16", "G18". */
  readonly satellite: string;
  /** "ABI-L2-CMIPC": Cloud and Moisture Imagery, CONUS sector. */
  readonly product: string;
  readonly bands: readonly AbiBand[];
  /** Per-hour listing prefix. Tokens: {product} {YYYY} {DDD} {HH}. */
  readonly prefixTemplate: string;
  readonly schedule: ScanSchedule;
}

/** One MRMS product directory: "MergedReflectivityQCComposite" at level "00.50". */
export interface MrmsProduct {
  readonly name: string;
  /** The "_00.50" suffix of the directory and file name: a height in km, or 00.00 for 2-D products. */
  readonly level: string;
}

/** MRMS: gzipped GRIB2 files every two minutes, one directory per product and UTC day. */
export interface MrmsSource extends SourceBase {
  readonly kind: 'mrms';
  readonly region: string;
  readonly products: readonly MrmsProduct[];
  /** Per-day listing prefix. Tokens: {region} {product} {level} {YYYYMMDD}. */
  readonly prefixTemplate: string;
  readonly schedule: ScanSchedule;
}

export type IngestSource = ModelSource | GoesSource | MrmsSource;

/** Fields present from the analysis (f000) on: APCP, for one, is absent at f000 and would fail it. */
const SURFACE_WEATHER: readonly GribParameter[] = [
  { shortName: 'TMP', level: '2 m above ground' },
  { shortName: 'UGRD', level: '10 m above ground' },
  { shortName: 'VGRD', level: '10 m above ground' },
];

export const GFS: ModelSource = {
  kind: 'model',
  id: 'gfs',
  description: 'GFS 0.25° global forecast (pgrb2.0p25)',
  bucket: 'noaa-gfs-bdp-pds',
  keyTemplate: 'gfs.{YYYYMMDD}/{HH}/atmos/gfs.t{HH}z.pgrb2.0p25.f{FFF}',
  indexSuffix: '.idx',
  // The seed's config/models/gfs.yaml and table; 24 h of look-back is its discovery loop.
  schedule: { cycles: [0, 6, 12, 18], forecastHours: { start: 0, end: 384, step: 3 }, pollIntervalSeconds: 3600, delayHours: 4, lookbackHours: 24 },
  retentionHours: 168,
  parameters: [...SURFACE_WEATHER, { shortName: 'PRMSL', level: 'mean sea level' }, { shortName: 'HGT', level: '500 mb' }],
};

export const HRRR: ModelSource = {
  kind: 'model',
  id: 'hrrr',
  description: 'HRRR 3 km CONUS surface fields (wrfsfc)',
  bucket: 'noaa-hrrr-bdp-pds',
  keyTemplate: 'hrrr.{YYYYMMDD}/conus/hrrr.t{HH}z.wrfsfcf{FF}.grib2',
  indexSuffix: '.idx',
  // Hourly cycles to 18 h, the synoptic ones to 48 h; seed: 1 h poll, 2 h delay, 48 h look-back, 3 days kept.
  schedule: {
    cycles: Array.from({ length: 24 }, (_, hour) => hour),
    forecastHours: { start: 0, end: 18, step: 1 },
    extendedForecastHours: { cycles: [0, 6, 12, 18], end: 48 },
    pollIntervalSeconds: 3600,
    delayHours: 2,
    lookbackHours: 48,
  },
  retentionHours: 72,
  // HRRR has no PRMSL (its sea-level pressure is MSLMA); REFC is its composite reflectivity.
  parameters: [...SURFACE_WEATHER, { shortName: 'REFC', level: 'entire atmosphere' }],
};

const GOES_COMMON = {
  kind: 'goes',
  product: 'ABI-L2-CMIPC',
  bands: ['C02', 'C08', 'C13'],
  prefixTemplate: '{product}/{YYYY}/{DDD}/{HH}/',
  // Seed: every 5 minutes, 15 minutes' delay, 2 h look-back, kept 1 day.
  schedule: { pollIntervalSeconds: 300, delayMinutes: 15, lookbackHours: 2 },
  retentionHours: 24,
} as const;

export const GOES16: GoesSource = { ...GOES_COMMON, id: 'goes16', description: 'GOES-16 (East) ABI CONUS imagery', bucket: 'noaa-goes16', satellite: 'G16' };
export const GOES18: GoesSource = { ...GOES_COMMON, id: 'goes18', description: 'GOES-18 (West) ABI CONUS imagery', bucket: 'noaa-goes18', satellite: 'G18' };

export const MRMS: MrmsSource = {
  kind: 'mrms',
  id: 'mrms',
  description: 'MRMS CONUS composite reflectivity and precipitation rate',
  bucket: 'noaa-mrms-pds',
  region: 'CONUS',
  // The seed lists "CONUS/<product>/"; the bucket's directories carry the level too.
  products: [
    { name: 'MergedReflectivityQCComposite', level: '00.50' },
    { name: 'PrecipRate', level: '00.00' },
  ],
  prefixTemplate: '{region}/{product}_{level}/{YYYYMMDD}/',
  // Seed: every 2 minutes, 2 minutes' delay, kept 1 day. Its discovery reads only the latest
  // directory; 2 h of look-back also recovers the files of a missed poll across midnight.
  schedule: { pollIntervalSeconds: 120, delayMinutes: 2, lookbackHours: 2 },
  retentionHours: 24,
};

export const DEFAULT_SOURCES: readonly IngestSource[] = [GFS, HRRR, GOES16, GOES18, MRMS];
