import fs from 'node:fs';
import { readGribMessages } from '../formats/grib2';
import { IngestFileError } from './errors';
import type { FileOutcome, IngestIo } from './ingest-io';
import type { CatalogRow } from './ingest-store';
import type { IngestTask } from './ingest-task';
import { parseMrmsKey } from './mrms-key';
import type { MrmsSource } from './sources';
import { stagingFile } from './staging';
import { cycleSegment, storeGribField } from './store-grib-field';

/** A CONUS MRMS field unzips to ~100 MB at most; this bounds a gzip bomb. */
const MAX_UNZIPPED_BYTES = 1024 ** 3;

/**
 * One MRMS file: gzipped GRIB2, streamed through gunzip to disk (never into memory), each message
 * stored as grids/mrms/{YYYYMMDDHH}/{product}_{level}_{YYYYMMDD-HHMMSS}.grib2. MRMS uses its own
 * parameter tables (discipline 209), so the catalog names the field by its product.
 */
export async function ingestMrmsFile(io: IngestIo, source: MrmsSource, task: IngestTask): Promise<FileOutcome> {
  const file = parseMrmsKey(task.key);
  const cycle = new Date(task.cycle);
  return stagingFile(io.workDir, '.grib2', async (path) => {
    const unzipped = await io.buckets.download(source.bucket, { key: task.key, etag: task.etag, size: task.size }, path, { gunzip: true, maxBytes: MAX_UNZIPPED_BYTES, onProgress: io.heartbeat });
    io.heartbeat();
    const fields: CatalogRow[] = [];
    for await (const message of readGribMessages(path)) {
      const { offset, length, messageIndex } = message.meta;
      const stamp = file.scanStart.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
      const suffix = messageIndex === 0 ? '' : `_m${messageIndex + 1}`;
      const storageKey = `grids/${source.id}/${cycleSegment(cycle)}/${file.product}_${file.level}_${stamp}${suffix}.grib2`;
      const target = { storageKey, model: source.id, parameter: file.product, level: file.level, cycle };
      fields.push(await storeGribField(io.store, message, fs.createReadStream(path, { start: offset, end: offset + length - 1 }), target));
      io.heartbeat();
    }
    if (fields.length === 0) throw new IngestFileError(`s3://${source.bucket}/${task.key} unzips to ${unzipped} bytes without a GRIB2 message`);
    // The whole (compressed) object crossed the network.
    return { fields, bytesFetched: task.size };
  });
}
