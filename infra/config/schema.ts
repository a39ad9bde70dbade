import { z } from 'zod';
import { durationSchema as duration } from './duration';
import { centralSchema, eventsSchema } from './events-schema';
import { fleetRolesSchema, fleetSchema } from './fleet-schema';
import { hostName } from './host-name';
import { ingestSchema, purgeSchema } from './ingest-schema';
import { registrySchema } from './registry-schema';

export { hostName };

/**
 * The one description of sluice's configuration. Every section is strict: an unknown key is an
 * error (a typo in a config file must not be silently ignored), and every field has the default
 * that gives the embedded single-machine setup.
 */

const port = z.number().int().min(1).max(65535);


const temporalSchema = z.strictObject({
  /** "embedded" starts a dev server under the state directory; otherwise host:port of a cluster. */
  address: z.string().min(1).default('embedded'),
  namespace: z.string().min(1).default('default'),
  /** Temporal Cloud / secured clusters. */
  apiKey: z.string().min(1).optional(),
  tls: z
    .strictObject({
      serverName: z.string().optional(),
      caCertPath: z.string().optional(),
      clientCertPath: z.string().optional(),
      clientKeyPath: z.string().optional(),
    })
    .optional(),
  devServer: z
    .strictObject({
      port: port.default(7233),
      uiPort: port.default(8233),
      /** The `temporal` CLI; found on PATH or built with `go install` when not given. */
      cliPath: z.string().min(1).optional(),
    })
    .prefault({}),
});

const postgresSchema = z.strictObject({
  /** A connection URL; when absent, an embedded Postgres runs under the state directory. */
  url: z.string().min(1).optional(),
  embedded: z
    .strictObject({
      port: port.default(5488),
      database: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('sluice'),
    })
    .prefault({}),
  poolSize: z.number().int().min(1).max(100).default(5),
});

const s3Schema = z.strictObject({
  endpoint: z.url().optional(),
  bucket: z.string().min(3).max(63),
  region: z.string().min(1).default('us-east-1'),
  accessKeyId: z.string().min(1).optional(),
  secretAccessKey: z.string().min(1).optional(),
  forcePathStyle: z.boolean().default(true),
  /** Prepended to every key, so sluice can share a bucket. */
  prefix: z.string().default(''),
});

const storageSchema = z
  .strictObject({
    kind: z.enum(['local', 's3']).default('local'),
    local: z.strictObject({ root: z.string().min(1).optional() }).prefault({}),
    s3: s3Schema.optional(),
  })
  .refine((storage) => storage.kind !== 's3' || storage.s3 !== undefined, {
    message: 'storage.kind is "s3" but storage.s3 is missing: add storage.s3.bucket (and endpoint, credentials)',
    path: ['s3'],
  });

/** Worker concurrency is sized for a 2-core host; raise it on bigger machines. */
const workerSchema = (activities: number) =>
  z.strictObject({
    maxConcurrentActivities: z.number().int().min(1).max(1000).default(activities),
    maxConcurrentWorkflowTasks: z.number().int().min(1).max(1000).default(2),
    /** How long running activities get to finish after a stop is asked for. */
    shutdownGraceTime: duration.default('30s'),
  });

const workersSchema = z
  .strictObject({
    control: workerSchema(1).prefault({}),
    cloud: workerSchema(8).prefault({}),
    datasink: workerSchema(4).prefault({}),
    node: workerSchema(2).prefault({}),
  })
  .prefault({});

const scheduleSchema = z
  .strictObject({
    workflow: z.string().min(1),
    /** The workflow's single argument. */
    input: z.unknown().optional(),
    cron: z.string().min(1).optional(),
    every: duration.optional(),
    timezone: z.string().min(1).default('UTC'),
    overlap: z.enum(['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'terminate-other', 'allow-all']).default('skip'),
    catchupWindow: duration.default('1h'),
    /** Initial state only: a schedule paused later from the CLI stays paused across restarts. */
    paused: z.boolean().default(false),
    description: z.string().optional(),
  })
  .refine((schedule) => (schedule.cron === undefined) !== (schedule.every === undefined), {
    message: 'expected exactly one of "cron" (e.g. "0 3 * * 0") or "every" (e.g. "15m")',
  });

export const configSchema = z.strictObject({
  /** Where the embedded stack keeps its data, tools and logs. */
  stateDir: z.string().min(1).default('.sluice'),
  /** Where `go install` puts the Temporal CLI and versitygw; defaults to <stateDir>/tools. */
  toolsDir: z.string().min(1).optional(),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
      pretty: z.boolean().optional(),
    })
    .prefault({}),
  temporal: temporalSchema.prefault({}),
  postgres: postgresSchema.prefault({}),
  storage: storageSchema.prefault({}),
  workers: workersSchema,
  fleet: fleetSchema,
  /** What every outpost or sentinel shares: services, templates, vars. */
  fleetRoles: fleetRolesSchema,
  /** Prometheus metrics of the cloud worker, on GET /metrics. */
  metrics: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: z.string().min(1).default('127.0.0.1'),
      /** 0 picks a free port (logged at start). */
      port: z.number().int().min(0).max(65535).default(9464),
    })
    .prefault({}),
  registry: registrySchema.prefault({}),
  /** How model deployments roll out: a canary node first, then batches. */
  deploy: z
    .strictObject({
      batchSize: z.number().int().min(1).max(1000).default(2),
      /** Failed nodes (percent of the nodes a rollout changes) beyond which it stops; 0 stops at the first. A failed canary always stops it. */
      maxFailPercent: z.number().min(0).max(100).default(0),
      /** How long an offline node is waited for before it is reported as pending. */
      offlineTimeout: duration.default('10m'),
      /** A node step silent this long (its worker died) is tried again, resuming a transfer where it stopped. */
      heartbeatTimeout: duration.default('1m'),
    })
    .prefault({}),
  ingest: ingestSchema.prefault({}),
  purge: purgeSchema.prefault({}),
  /** A site's event API and the upkeep of its tables. */
  events: eventsSchema.prefault({}),
  /** The API across sites. */
  central: centralSchema.prefault({}),
  schedules: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a schedule name of lower-case letters, digits and dashes'), scheduleSchema).default({}),
});

export type SluiceConfig = z.infer<typeof configSchema>;
export type ScheduleConfig = SluiceConfig['schedules'][string];
export type FleetHost = SluiceConfig['fleet'][number];
export type WorkerSettings = SluiceConfig['workers']['control'];
export type StorageConfig = SluiceConfig['storage'];
