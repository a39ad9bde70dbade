/**
 * hyparquet-writer 0.17.0 (pure JS, column by column). It has SNAPPY built in and takes any other
 * codec as a plug-in compressor function; ZSTD here is @bokuweb/zstd-wasm 0.0.27 (zstd in
 * WebAssembly, no install script) at level 3, zstd's default. The schema is given explicitly so that
 * the timestamps get the TIMESTAMP(isAdjustedToUTC, MICROS) logical type. The file is built in
 * memory (parquetWriteBuffer) and then written.
 */
import fs from 'node:fs';
import { EVENT_COLUMNS, type EventColumn, type EventRow } from '../../../activities/archive/event-rows';
import { ROW_GROUP_ROWS, type WriterCandidate } from './candidate';

type Hyparquet = typeof import('hyparquet-writer');
type SchemaElement = NonNullable<Parameters<Hyparquet['parquetWriteBuffer']>[0]['schema']>[number];

let libs: { writer: Hyparquet; zstd: typeof import('@bokuweb/zstd-wasm') } | undefined;

export const hyparquetWriter: WriterCandidate = {
  name: 'hyparquet-writer 0.17.0 + zstd-wasm',
  codec: 'ZSTD',
  note: 'ZSTD through a plug-in compressor (@bokuweb/zstd-wasm, level 3); built-in codecs: SNAPPY only',
  async prepare() {
    const zstd = await import('@bokuweb/zstd-wasm');
    await zstd.init();
    libs = { writer: await import('hyparquet-writer'), zstd };
  },
  async write(rows: readonly EventRow[], file: string): Promise<void> {
    if (!libs) throw new Error('prepare() first');
    const { writer, zstd } = libs;
    const schema: SchemaElement[] = [{ name: 'root', num_children: EVENT_COLUMNS.length }, ...EVENT_COLUMNS.map(schemaElement)];
    const columnData = EVENT_COLUMNS.map((column) => ({ name: column.name, data: columnValues(column, rows) }));
    const bytes = writer.parquetWriteBuffer({
      columnData,
      schema,
      codec: 'ZSTD',
      compressors: { ZSTD: (input: Uint8Array) => zstd.compress(input, 3) },
      rowGroupSize: ROW_GROUP_ROWS,
    });
    fs.writeFileSync(file, new Uint8Array(bytes));
  },
};

function schemaElement(column: EventColumn): SchemaElement {
  const repetition_type = column.nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (column.type) {
    case 'BIGINT':
      return { name: column.name, type: 'INT64', repetition_type };
    case 'VARCHAR':
      return { name: column.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'TIMESTAMP WITH TIME ZONE':
      return { name: column.name, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' }, repetition_type };
  }
}

function columnValues(column: EventColumn, rows: readonly EventRow[]): BigInt64Array | (string | null)[] {
  const name = column.name;
  if (column.type === 'VARCHAR') return rows.map((row) => row[name] as string | null);
  const values = new BigInt64Array(rows.length);
  for (let i = 0; i < rows.length; i++) values[i] = rows[i]![name] as bigint;
  return values;
}
