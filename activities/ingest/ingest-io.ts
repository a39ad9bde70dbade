import type { ObjectStore } from '../storage/object-store';
import type { CatalogRow } from './ingest-store';
import type { SourceBuckets } from './source-bucket';

/** What the per-kind file ingesters share: where to read, where to write, and how to say they are alive. */
export interface IngestIo {
  readonly store: ObjectStore;
  readonly buckets: SourceBuckets;
  /** Where whole files are staged; one fresh file per download, removed afterwards. */
  readonly workDir: string;
  /** Called between steps, so a worker that died is noticed within the heartbeat timeout. */
  readonly heartbeat: (progress?: unknown) => void;
}

/** What one source file became: its catalog rows, and the bytes that crossed the network. */
export interface FileOutcome {
  readonly fields: CatalogRow[];
  readonly bytesFetched: number;
}
