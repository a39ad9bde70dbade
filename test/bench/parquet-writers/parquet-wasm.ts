/**
 * parquet-wasm 0.8.0 (arrow-rs's Parquet writer compiled to WebAssembly, one thread) with
 * apache-arrow 21.2.0 to build the table: rows → Arrow record batch → Arrow IPC stream → copied into
 * WebAssembly memory → writeParquet with ZSTD (arrow-rs's default level) → the file's bytes back
 * in JS → written to disk. The whole file is built in memory before it is written.
 */
import fs from 'node:fs';
import type { EventRow } from '../../../activities/archive/event-rows';
import { eventRowsTable } from './arrow-columns';
import { ROW_GROUP_ROWS, type WriterCandidate } from './candidate';

let libs: { arrow: typeof import('apache-arrow'); wasm: typeof import('parquet-wasm') } | undefined;

export const parquetWasm: WriterCandidate = {
  name: 'parquet-wasm 0.8.0 + apache-arrow',
  codec: 'ZSTD',
  note: "ZSTD at arrow-rs's default level (parquet-wasm's API sets none)",
  async prepare() {
    libs = { arrow: await import('apache-arrow'), wasm: await import('parquet-wasm') };
  },
  async write(rows: readonly EventRow[], file: string): Promise<void> {
    if (!libs) throw new Error('prepare() first');
    const { arrow, wasm } = libs;
    const ipc = arrow.tableToIPC(eventRowsTable(arrow, rows), 'stream');
    const properties = new wasm.WriterPropertiesBuilder().setCompression(wasm.Compression.ZSTD).setMaxRowGroupSize(ROW_GROUP_ROWS).build();
    const bytes = wasm.writeParquet(wasm.Table.fromIPCStream(ipc), properties);
    fs.writeFileSync(file, bytes);
  },
};
