import type { EventRow } from '../../../activities/archive/event-rows';

/** Rows per row group, for every writer that lets us choose: DuckDB's default (60 × 2048). */
export const ROW_GROUP_ROWS = 122_880;

/** One Parquet writer under test. */
export interface WriterCandidate {
  /** The row's label in the table. */
  readonly name: string;
  /** What it was asked to compress with: ZSTD, or what it used because it has no ZSTD. */
  readonly codec: 'ZSTD' | 'SNAPPY';
  /** Anything a reader of the table needs to know about how it was used. */
  readonly note: string;
  /** Loading the library and its WebAssembly, done before the clock starts. */
  prepare?(): Promise<void>;
  /** From rows in memory to a complete file on disk: everything in here is timed. */
  write(rows: readonly EventRow[], file: string): Promise<void>;
}
