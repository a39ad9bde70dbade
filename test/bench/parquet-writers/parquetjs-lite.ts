/**
 * parquetjs-lite 0.8.7 (the design card's choice; last release 2020): pure JS, row by row. Its
 * codecs are UNCOMPRESSED, GZIP and SNAPPY (LZO and BROTLI throw "Not Supported in Lite version"),
 * so there is no ZSTD: it writes SNAPPY here, the fastest codec it has. Timestamps can only be the
 * legacy TIMESTAMP_MICROS converted type (no logical type, so no isAdjustedToUTC flag). INT64 goes
 * through parseInt, so a BIGINT above 2^53 would lose digits (ours are below).
 */
import type { EventRow } from '../../../activities/archive/event-rows';
import { EVENT_COLUMNS } from '../../../activities/archive/event-rows';
import { ROW_GROUP_ROWS, type WriterCandidate } from './candidate';

interface ParquetjsLite {
  ParquetSchema: new (fields: Record<string, { type: string; optional?: boolean; compression?: string }>) => unknown;
  ParquetWriter: { openFile(schema: unknown, path: string, opts: { rowGroupSize: number }): Promise<{ appendRow(row: object): Promise<void>; close(): Promise<void> }> };
}

let parquet: ParquetjsLite | undefined;

const TYPES = { BIGINT: 'INT64', VARCHAR: 'UTF8', 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMP_MICROS' } as const;

export const parquetjsLite: WriterCandidate = {
  name: 'parquetjs-lite 0.8.7',
  codec: 'SNAPPY',
  note: 'no ZSTD (UNCOMPRESSED, GZIP, SNAPPY only): wrote SNAPPY; timestamps as legacy TIMESTAMP_MICROS',
  async prepare() {
    parquet = require('parquetjs-lite') as ParquetjsLite; // untyped package
  },
  async write(rows: readonly EventRow[], file: string): Promise<void> {
    if (!parquet) throw new Error('prepare() first');
    const schema = new parquet.ParquetSchema(
      Object.fromEntries(EVENT_COLUMNS.map((column) => [column.name, { type: TYPES[column.type], optional: column.nullable, compression: 'SNAPPY' }])),
    );
    const writer = await parquet.ParquetWriter.openFile(schema, file, { rowGroupSize: ROW_GROUP_ROWS });
    for (const row of rows) await writer.appendRow(row);
    await writer.close();
  },
};
