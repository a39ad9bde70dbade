import { z } from 'zod';
import { durationSchema } from './duration';

/**
 * The `ingest:` and `purge:` sections. Every source field is optional: what is left out keeps the
 * seed's defaults (activities/ingest/sources.ts), so `sources: { gfs: {} }` is a complete entry.
 * Merged and checked against those defaults by resolveIngestSources.
 */

const hours = z.number().min(0).max(24 * 366);
const positiveHours = z.number().positive().max(24 * 366);
const seconds = z.number().int().min(10).max(7 * 24 * 3600);
/** A template is filled in and becomes an S3 key; the tokens are checked when it is expanded. */
const keyTemplate = z.string().min(1).max(512).regex(/^[^\\\s]+$/, 'expected a key template without spaces or backslashes');

const gribParameter = z.strictObject({
  shortName: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'expected a GRIB short name such as "TMP"'),
  level: z.string().min(1).max(120),
});

const common = {
  /** Scheduled when ingest.enabled; `sluice ingest run --models` runs any source. */
  enabled: z.boolean().default(true),
  bucket: z.string().min(3).max(63).optional(),
  retentionHours: positiveHours.optional(),
  pollIntervalSeconds: seconds.optional(),
  lookbackHours: positiveHours.optional(),
};

const modelSourceSchema = z.strictObject({
  ...common,
  keyTemplate: keyTemplate.optional(),
  indexSuffix: z.string().max(32).optional(),
  cycles: z.array(z.number().int().min(0).max(23)).min(1).max(24).optional(),
  forecastHours: z.strictObject({ start: z.number().int().min(0), end: z.number().int().min(0).max(1000), step: z.number().int().min(1) }).optional(),
  extendedForecastHours: z.strictObject({ cycles: z.array(z.number().int().min(0).max(23)), end: z.number().int().min(0).max(1000) }).optional(),
  delayHours: hours.optional(),
  parameters: z.array(gribParameter).min(1).max(500).optional(),
});

const observationSourceSchema = {
  ...common,
  delayMinutes: z.number().int().min(0).max(24 * 60).optional(),
  prefixTemplate: keyTemplate.optional(),
};

const goesSourceSchema = z.strictObject({
  ...observationSourceSchema,
  bands: z.array(z.string().regex(/^C(0[1-9]|1[0-6])$/, 'expected an ABI band C01…C16')).min(1).optional(),
});

const mrmsSourceSchema = z.strictObject({
  ...observationSourceSchema,
  products: z.array(z.strictObject({ name: z.string().regex(/^[A-Za-z0-9_]{1,80}$/), level: z.string().regex(/^\d{2}\.\d{2}$/, 'expected a level such as "00.50"') })).min(1).optional(),
});

/** Where NOAA's files are read from: its public buckets by default, or any S3-compatible mirror. */
const sourceEndpointSchema = z.strictObject({
  /** Absent: AWS itself (the NOAA Open Data buckets live in us-east-1). */
  endpoint: z.url().optional(),
  region: z.string().min(1).default('us-east-1'),
  /** NOAA's buckets are public: requests go unsigned unless credentials are given. */
  accessKeyId: z.string().min(1).optional(),
  secretAccessKey: z.string().min(1).optional(),
  forcePathStyle: z.boolean().default(false),
});

export const ingestSchema = z.strictObject({
  /** Create a Schedule per enabled source (off by default: a fresh install should not start downloading). */
  enabled: z.boolean().default(false),
  noaa: sourceEndpointSchema.prefault({}),
  /** Files ingested at once per cycle. */
  parallelism: z.number().int().min(1).max(64).default(4),
  /** Attempts per file for transient errors (network, 5xx), with exponential backoff. */
  attempts: z.number().int().min(1).max(20).default(3),
  /** A file's activity must report progress this often, or its worker is taken as lost and the file retried elsewhere. */
  heartbeatTimeout: durationSchema.default('1m'),
  /** Files one ingestCycle run takes before it continues as new, bounding its history. */
  maxFilesPerRun: z.number().int().min(1).max(5000).default(500),
  /** Where downloads are staged; defaults to <stateDir>/ingest-tmp. */
  workDir: z.string().min(1).optional(),
  sources: z
    .strictObject({
      gfs: modelSourceSchema.optional(),
      hrrr: modelSourceSchema.optional(),
      goes16: goesSourceSchema.optional(),
      goes18: goesSourceSchema.optional(),
      mrms: mrmsSourceSchema.optional(),
    })
    .prefault({}),
});

export const purgeSchema = z.strictObject({
  /** Create the purge Schedule (with ingest.enabled). */
  every: durationSchema.default('1h'),
  /** Always kept per source, whatever their age, so a stalled feed never empties the catalog. */
  keepCompleteCycles: z.number().int().min(0).max(1000).default(2),
  /** Objects per delete request (and per activity call). */
  batchSize: z.number().int().min(1).max(1000).default(500),
});

export type IngestConfig = z.infer<typeof ingestSchema>;
export type PurgeConfig = z.infer<typeof purgeSchema>;
export type SourceOverrides = IngestConfig['sources'];
