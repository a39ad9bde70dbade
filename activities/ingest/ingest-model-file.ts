import fs from 'node:fs';
import { listGribMessages, namedBytes, readGribMessages, type GribMessage } from '../formats/grib2';
import { IngestFileError } from './errors';
import { byteRangesFor, parseGribIndex, GribIndexError, type ByteRange, type GribIndexEntry } from './grib-index';
import type { CatalogRow } from './ingest-store';
import type { FileOutcome, IngestIo } from './ingest-io';
import type { IngestTask } from './ingest-task';
import type { GribParameter, ModelSource } from './sources';
import { fieldForecastHour, modelFieldKey, storeGribField } from './store-grib-field';
import { stagingFile } from './staging';

/** An NCEP inventory is ~100 bytes a field; 16 MiB is far beyond any real one. */
const MAX_INDEX_BYTES = 16 * 1024 ** 2;
/** A GFS 0.25° file is ~500 MB; anything past this is not one. */
const MAX_MODEL_FILE_BYTES = 4 * 1024 ** 3;

/**
 * One forecast file of a model (GFS, HRRR): with an .idx beside it, only the byte ranges of the
 * configured fields are fetched, and every message fetched must be the field the index says is
 * there; without one, the whole file is streamed to disk and searched. Each wanted field is stored
 * as its own GRIB2 object.
 */
export async function ingestModelFile(io: IngestIo, source: ModelSource, task: IngestTask): Promise<FileOutcome> {
  const cycle = new Date(task.cycle);
  const object = { key: task.key, etag: task.etag, size: task.size };
  const indexText = task.indexKey ? await io.buckets.getSmall(source.bucket, task.indexKey, MAX_INDEX_BYTES) : undefined;

  if (indexText) {
    const indexName = `s3://${source.bucket}/${task.indexKey}`;
    const ranges = byteRangesFor(parseGribIndex(indexText.toString('utf8'), indexName), source.parameters, task.size, indexName);
    const fields: CatalogRow[] = [];
    let bytesFetched = indexText.length;
    for (const range of ranges) {
      const bytes = await io.buckets.getRange(source.bucket, object, range.start, range.end);
      bytesFetched += bytes.length;
      const messages = await listGribMessages(namedBytes(bytes, `s3://${source.bucket}/${task.key} bytes ${range.start}-${range.end}`));
      checkAgainstIndex(messages, range, indexName);
      for (const message of wantedMessages(messages, source.parameters)) {
        checkCycle(message, cycle, task);
        const { offset, length } = message.meta;
        fields.push(await storeGribField(io.store, message, bytes.subarray(offset, offset + length), targetOf(source, cycle, message)));
        io.heartbeat();
      }
    }
    return { fields, bytesFetched };
  }

  return stagingFile(io.workDir, '.grib2', async (file) => {
    const bytesFetched = await io.buckets.download(source.bucket, object, file, { maxBytes: MAX_MODEL_FILE_BYTES, onProgress: io.heartbeat });
    io.heartbeat();
    const fields: CatalogRow[] = [];
    const found = new Set<string>();
    for await (const message of readGribMessages(file)) {
      if (!isWanted(message, source.parameters)) continue;
      checkCycle(message, cycle, task);
      found.add(parameterKey(message.meta.product.parameter.shortName, message.meta.product.level.description));
      const { offset, length } = message.meta;
      fields.push(await storeGribField(io.store, message, fs.createReadStream(file, { start: offset, end: offset + length - 1 }), targetOf(source, cycle, message)));
      io.heartbeat();
    }
    const missing = source.parameters.filter((p) => !found.has(parameterKey(p.shortName, p.level)));
    if (missing.length > 0) {
      throw new IngestFileError(`s3://${source.bucket}/${task.key} has no ${missing.map((p) => `${p.shortName} at "${p.level}"`).join(', ')}`);
    }
    return { fields, bytesFetched };
  });
}

function targetOf(source: ModelSource, cycle: Date, message: GribMessage) {
  const { product } = message.meta;
  return { storageKey: modelFieldKey(source.id, cycle, message), model: source.id, parameter: product.parameter.shortName, level: product.level.description, cycle };
}

const parameterKey = (shortName: string, level: string) => `${shortName}\u0000${level}`;

function isWanted(message: GribMessage, wanted: readonly GribParameter[]): boolean {
  const { parameter, level } = message.meta.product;
  return wanted.some((p) => p.shortName === parameter.shortName && p.level === level.description);
}

function wantedMessages(messages: readonly GribMessage[], wanted: readonly GribParameter[]): GribMessage[] {
  return messages.filter((message) => isWanted(message, wanted));
}

/**
 * A fetched range must hold exactly the messages the index places there, each the field it names.
 * Otherwise the index belongs to another version of the file, and a field could be stored under
 * the wrong name.
 */
function checkAgainstIndex(messages: readonly GribMessage[], range: ByteRange, indexName: string): void {
  const byOffset = new Map<number, GribIndexEntry[]>();
  for (const entry of range.entries) byOffset.set(entry.offset, [...(byOffset.get(entry.offset) ?? []), entry]);
  const seenOffsets = new Set<number>();
  for (const message of messages) {
    const offset = range.start + message.meta.offset;
    seenOffsets.add(offset);
    const entry = byOffset.get(offset)?.[message.meta.fieldIndex];
    const { parameter, level } = message.meta.product;
    if (!entry) throw new GribIndexError(`the file has a field (${parameter.shortName} at "${level.description}") at byte ${offset} that the index does not list there`, undefined, indexName);
    // Parameters our tables do not name print as var<d>_<c>_<n>; only a name we know can disagree.
    const nameDiffers = !parameter.shortName.startsWith('var') && parameter.shortName !== entry.shortName;
    if (nameDiffers || level.description !== entry.level) {
      throw new GribIndexError(
        `the index says byte ${offset} holds ${entry.shortName} at "${entry.level}", but the file has ${parameter.shortName} at "${level.description}" there`,
        entry.line,
        indexName,
      );
    }
  }
  for (const offset of byOffset.keys()) {
    if (!seenOffsets.has(offset)) throw new GribIndexError(`the index lists a message at byte ${offset}, but the file has none there`, byOffset.get(offset)![0]!.line, indexName);
  }
}

/** A field from another cycle or forecast hour means the file is not what its key says. */
function checkCycle(message: GribMessage, cycle: Date, task: IngestTask): void {
  const { referenceTime } = message.meta.identification;
  const { parameter } = message.meta.product;
  if (referenceTime.getTime() !== cycle.getTime()) {
    throw new IngestFileError(`${task.key}: ${parameter.shortName} is from the ${referenceTime.toISOString()} cycle, but the key is for ${cycle.toISOString()}`);
  }
  const hour = fieldForecastHour(message);
  if (hour !== task.forecastHour) {
    throw new IngestFileError(`${task.key}: ${parameter.shortName} is for forecast hour ${hour}, but the key is for hour ${task.forecastHour}`);
  }
}
