/**
 * What the ingest and purge activities report, for the cloud worker's /metrics endpoint. An
 * interface, so activities do not depend on the Prometheus client and tests can pass their own.
 */
export interface WeatherMetrics {
  fileIngested(model: string): void;
  ingestRun(model: string, status: IngestRunStatus, seconds: number): void;
  purged(files: number, bytes: number): void;
}

/** success: every planned file ingested; partial: some quarantined or failed; failed: the run itself failed. */
export type IngestRunStatus = 'success' | 'partial' | 'failed';

export const noMetrics: WeatherMetrics = {
  fileIngested() {},
  ingestRun() {},
  purged() {},
};
