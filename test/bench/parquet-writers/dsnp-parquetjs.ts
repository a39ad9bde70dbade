/**
 * @dsnp/parquetjs 1.8.8, the maintained fork of parquetjs (1.8.8 is its last release for Node 20:
 * 1.8.9 and later want Node 24): pure JS, row by row, like parquetjs-lite. Its codecs are
 * UNCOMPRESSED, GZIP, SNAPPY and BROTLI: no ZSTD, so it writes SNAPPY here, its fastest codec.
 * Like parquetjs-lite it writes timestamps with the legacy TIMESTAMP_MICROS converted type only
 * (a field's logicalType is accepted but not written to the footer).
 */
import type { EventRow } from '../../../activities/archive/event-rows';
import { EVENT_COLUMNS } from '../../../activities/archive/event-rows';
import { ROW_GROUP_ROWS, type WriterCandidate } from './candidate';

let parquet: typeof import('@dsnp/parquetjs') | undefined;

const TYPES = { BIGINT: 'INT64', VARCHAR: 'UTF8', 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMP_MICROS' } as const;

export const dsnpParquetjs: WriterCandidate = {
  name: '@dsnp/parquetjs 1.8.8',
  codec: 'SNAPPY',
  note: 'no ZSTD (UNCOMPRESSED, GZIP, SNAPPY, BROTLI): wrote SNAPPY; timestamps as legacy TIMESTAMP_MICROS',
  async prepare() {
    parquet = await import('@dsnp/parquetjs');
  },
  async write(rows: readonly EventRow[], file: string): Promise<void> {
    if (!parquet) throw new Error('prepare() first');
    const schema = new parquet.ParquetSchema(
      Object.fromEntries(EVENT_COLUMNS.map((column) => [column.name, { type: TYPES[column.type], optional: column.nullable, compression: 'SNAPPY' as const }])),
    );
    const writer = await parquet.ParquetWriter.openFile(schema, file, { rowGroupSize: ROW_GROUP_ROWS });
    for (const row of rows) await writer.appendRow(row as unknown as Record<string, unknown>);
    await writer.close();
  },
};
