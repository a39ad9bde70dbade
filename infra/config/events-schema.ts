import { z } from 'zod';
import { durationSchema } from './duration';

/**
 * The data plane: `events:` is a site's event API and the upkeep of its tables (partitions,
 * retention, rollups, Parquet archival); `central:` is the API that reads across sites.
 */

const siteId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'expected a site id of letters, digits, ".", "_" and "-" (at most 63)');

export const eventsSchema = z.strictObject({
  /** This deployment runs a site's data plane: its Schedules are kept, and `sluice up` serves the API. */
  enabled: z.boolean().default(false),
  /** This site's id: the API stores events whose site_id is this one, and refuses others. */
  site: siteId.default('site-1'),
  api: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(18000),
      /** Largest request body accepted, in bytes (413 beyond it). */
      bodyLimit: z.number().int().min(1024).max(256 * 1024 * 1024).default(16 * 1024 * 1024),
      /** Most events in one POST /v1/events/batch. */
      maxBatch: z.number().int().min(1).max(100_000).default(10_000),
      /** How far ahead of the server's clock an event's time may be. */
      clockSkew: durationSchema.default('5m'),
      /** Most rows one GET answers with. */
      maxPageSize: z.number().int().min(1).max(10_000).default(1000),
    })
    .prefault({}),
  /** Events older than this are refused, and their partitions dropped (after archival, when it is on). */
  retention: durationSchema.default('90d'),
  /** Days of partitions kept created ahead of today. */
  partitionsAhead: z.number().int().min(1).max(60).default(7),
  /** How often partitions are created ahead and retention applied (Schedule events-upkeep). */
  upkeepEvery: durationSchema.default('1h'),
  /** How often rollups are refreshed (Schedule events-rollups). */
  rollupEvery: durationSchema.default('5m'),
  archive: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Days whose end is older than this are archived, then dropped. */
      hotWindow: durationSchema.default('72h'),
      /** Archives go to {prefix}{site}/{table}/dt=YYYY-MM-DD/part-NNNN.parquet in the object storage. */
      prefix: z
        .string()
        .regex(/^([A-Za-z0-9._-]+\/)*$/, 'expected a key prefix of path segments ending in "/", e.g. "archive/"')
        .default('archive/'),
      /** Schedule events-archive. */
      every: durationSchema.default('1h'),
    })
    .prefault({}),
});

export const centralSchema = z.strictObject({
  sites: z.array(z.strictObject({ id: siteId, url: z.url() })).default([]),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(19000),
  /** A site that has not answered within this is reported as timed out; the others still answer. */
  timeout: durationSchema.default('2s'),
});

export type EventsConfig = z.infer<typeof eventsSchema>;
export type CentralConfig = z.infer<typeof centralSchema>;
