import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { durationMs } from '../../infra/config/duration';
import type { IngestConfig } from '../../infra/config/ingest-schema';
import { messageOf } from '../../infra/errors/user-error';
import { GoesFormatError } from '../formats/goes/read-goes-cmi';
import { GribFormatError } from '../formats/grib2';
import type { ObjectStore } from '../storage/object-store';
import { findSource, type ConfiguredSource } from './configured-sources';
import { updateCycleCompleteness, type CycleStatus } from './cycle-completeness';
import { IngestFileError, IngestKeyError } from './errors';
import { GribIndexError } from './grib-index';
import type { FileOutcome, IngestIo } from './ingest-io';
import { ingestModelFile } from './ingest-model-file';
import { ingestMrmsFile } from './ingest-mrms-file';
import { ingestGoesFile } from './ingest-goes-file';
import { recordIngested, recordQuarantined } from './ingest-store';
import type { IngestTask } from './ingest-task';
import { planIngest, type IngestPlan } from './plan-ingest';
import { quarantineFailure } from './quarantine';
import type { SourceBuckets } from './source-bucket';
import type { IngestSource } from './sources';
import type { IngestRunStatus, WeatherMetrics } from './weather-metrics';

export interface IngestDeps {
  pool: Pool;
  store: ObjectStore;
  buckets: SourceBuckets;
  sources: readonly ConfiguredSource[];
  config: IngestConfig;
  /** Staging directory for whole-file downloads. */
  workDir: string;
  metrics: WeatherMetrics;
}

/** How the workflow should run this source's files; from the cloud worker's config. */
export interface IngestLimits {
  readonly parallelism: number;
  readonly attempts: number;
  readonly maxFilesPerRun: number;
  readonly heartbeatTimeoutMs: number;
}

export interface IngestFileInput extends IngestTask {
  readonly source: string;
}

export interface IngestFileResult {
  readonly fields: number;
  readonly bytesFetched: number;
  readonly storageKeys: string[];
}

/**
 * The I/O of ingestion, on the cloud queue: planning a run, ingesting one file, and keeping the
 * catalog's cycle completeness and the metrics up to date. Files that can never ingest (bad GRIB2,
 * an .idx that disagrees with its file, 0 bytes) are quarantined here, then fail non-retryably.
 */
export function createIngestActivities(deps: IngestDeps) {
  const sourceOf = (id: string): IngestSource => findSource(deps.sources, id);

  return {
    async planIngest(input: { source: string; now: string }): Promise<IngestPlan & { limits: IngestLimits }> {
      const { parallelism, attempts, maxFilesPerRun, heartbeatTimeout } = deps.config;
      const plan = await planIngest(deps, sourceOf(input.source), new Date(input.now));
      return { ...plan, limits: { parallelism, attempts, maxFilesPerRun, heartbeatTimeoutMs: durationMs(heartbeatTimeout) } };
    },

    async ingestSourceFile(input: IngestFileInput): Promise<IngestFileResult> {
      const source = sourceOf(input.source);
      const context = Context.current();
      const object = { source: source.id, key: input.key, etag: input.etag, size: input.size, cycle: new Date(input.cycle), workflowId: context.info.workflowExecution?.workflowId ?? 'unknown' };
      const io: IngestIo = { store: deps.store, buckets: deps.buckets, workDir: deps.workDir, heartbeat: (progress) => context.heartbeat(progress) };
      try {
        if (input.size === 0) throw new IngestFileError(`s3://${source.bucket}/${input.key} is 0 bytes; an empty object is never stored`);
        const outcome = await ingestFileOf(io, source, input);
        await recordIngested(deps.pool, object, outcome.fields, outcome.bytesFetched);
        deps.metrics.fileIngested(source.id);
        return { fields: outcome.fields.length, bytesFetched: outcome.bytesFetched, storageKeys: outcome.fields.map((field) => field.storageKey) };
      } catch (err) {
        if (!isMalformedFile(err)) throw err;
        await recordQuarantined(deps.pool, object, messageOf(err));
        context.log.warn('file quarantined', { source: source.id, key: input.key, reason: messageOf(err) });
        throw quarantineFailure(err as Error);
      }
    },

    async updateCycleCompleteness(input: { source: string; cycles: string[]; observedPerHour: Record<string, number> }): Promise<CycleStatus[]> {
      return updateCycleCompleteness(deps.pool, sourceOf(input.source), input.cycles, input.observedPerHour);
    },

    async recordIngestRun(input: { source: string; status: IngestRunStatus; seconds: number }): Promise<void> {
      deps.metrics.ingestRun(input.source, input.status, input.seconds);
    },
  };
}

export type IngestActivities = ReturnType<typeof createIngestActivities>;

function ingestFileOf(io: IngestIo, source: IngestSource, task: IngestTask): Promise<FileOutcome> {
  switch (source.kind) {
    case 'model':
      return ingestModelFile(io, source, task);
    case 'mrms':
      return ingestMrmsFile(io, source, task);
    case 'goes':
      return ingestGoesFile(io, source, task);
  }
}

/** Errors that say the file itself is bad: retrying cannot help, so it is quarantined. */
export function isMalformedFile(err: unknown): boolean {
  return err instanceof GribFormatError || err instanceof GoesFormatError || err instanceof GribIndexError || err instanceof IngestFileError || err instanceof IngestKeyError;
}
