/**
 * The event rows as one Apache Arrow record batch, built straight into Arrow's buffers (UTF-8 bytes
 * + offsets + validity bitmap for strings, BigInt64Array for BIGINT and for µs timestamps with time
 * zone UTC), not through apache-arrow's per-value builders: for parquet-wasm, which takes Arrow.
 * (Joining a column into one string and encoding it at once, or a JS UTF-8 loop, were no faster.)
 */
import type { RecordBatch, Table } from 'apache-arrow';
import { EVENT_COLUMNS, type EventColumn, type EventRow } from '../../../activities/archive/event-rows';

type ArrowModule = typeof import('apache-arrow');

export function eventRowsTable(arrow: ArrowModule, rows: readonly EventRow[]): Table {
  const fields = EVENT_COLUMNS.map((column) => new arrow.Field(column.name, arrowType(arrow, column), column.nullable));
  const children = EVENT_COLUMNS.map((column) => columnData(arrow, column, rows));
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: rows.length, nullCount: 0, children });
  const batch: RecordBatch = new arrow.RecordBatch(new arrow.Schema(fields), struct);
  return new arrow.Table([batch]);
}

function arrowType(arrow: ArrowModule, column: EventColumn) {
  switch (column.type) {
    case 'BIGINT':
      return new arrow.Int64();
    case 'VARCHAR':
      return new arrow.Utf8();
    case 'TIMESTAMP WITH TIME ZONE':
      return new arrow.TimestampMicrosecond('UTC');
  }
}

function columnData(arrow: ArrowModule, column: EventColumn, rows: readonly EventRow[]) {
  const name = column.name;
  const length = rows.length;
  if (column.type !== 'VARCHAR') {
    const data = new BigInt64Array(length);
    for (let i = 0; i < length; i++) data[i] = rows[i]![name] as bigint;
    return column.type === 'BIGINT'
      ? arrow.makeData({ type: new arrow.Int64(), length, nullCount: 0, data })
      : arrow.makeData({ type: new arrow.TimestampMicrosecond('UTC'), length, nullCount: 0, data });
  }
  let bytes = 0;
  for (let i = 0; i < length; i++) {
    const value = rows[i]![name] as string | null;
    if (value !== null) bytes += Buffer.byteLength(value);
  }
  const data = Buffer.allocUnsafe(bytes);
  const valueOffsets = new Int32Array(length + 1);
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  let at = 0;
  for (let i = 0; i < length; i++) {
    const value = rows[i]![name] as string | null;
    if (value === null) nullCount++;
    else {
      at += data.write(value, at);
      nullBitmap[i >> 3]! |= 1 << (i & 7);
    }
    valueOffsets[i + 1] = at;
  }
  return arrow.makeData({ type: new arrow.Utf8(), length, nullCount, nullBitmap: nullCount > 0 ? nullBitmap : undefined, valueOffsets, data });
}
