/**
 * nodejs-polars 0.24.1 (Polars' Rust Parquet writer through N-API; 0.24.1 is the last release whose
 * Linux binary supports Node 20): each column goes into a Polars Series (strings are copied from JS
 * one value at a time), the µs timestamps are cast to Datetime(us, UTC), and writeParquet writes
 * with ZSTD at Polars' default level. The JS API sets neither the level nor the row group size.
 */
import { EVENT_COLUMNS, type EventRow } from '../../../activities/archive/event-rows';
import type { WriterCandidate } from './candidate';

let pl: (typeof import('nodejs-polars'))['default'] | undefined;

export const nodejsPolars: WriterCandidate = {
  name: 'nodejs-polars 0.24.1',
  codec: 'ZSTD',
  note: "ZSTD at Polars' default level; row groups of Polars' choosing",
  async prepare() {
    pl = (await import('nodejs-polars')).default;
  },
  async write(rows: readonly EventRow[], file: string): Promise<void> {
    if (!pl) throw new Error('prepare() first');
    const polars = pl;
    const series = EVENT_COLUMNS.map((column) => {
      const name = column.name;
      if (column.type === 'VARCHAR') return polars.Series(name, rows.map((row) => row[name] as string | null), polars.Utf8);
      const values = new BigInt64Array(rows.length);
      for (let i = 0; i < rows.length; i++) values[i] = rows[i]![name] as bigint;
      // A BigInt64Array becomes an Int64 series (the typings know only number arrays).
      const integers = polars.Series(name, values as unknown as number[]);
      return column.type === 'BIGINT' ? integers : integers.cast(polars.Datetime('us', 'UTC'));
    });
    polars.DataFrame(series).writeParquet(file, { compression: 'zstd' });
  },
};
