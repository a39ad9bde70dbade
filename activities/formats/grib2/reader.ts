import { openByteSource, type GribInput } from './byte-source';
import { readFieldMetadata } from './field-metadata';
import { GribMessage } from './message';
import { ReadAhead } from './read-ahead';
import { scanMessages } from './sections';

/**
 * Lists the fields of a GRIB2 file, one at a time, reading only their headers: a file path is
 * read through a file handle (never loaded whole), a buffer is used in place. Each message's
 * values are read and decoded when its `decode()` is called, even after the iteration ended.
 * Bad input stops the iteration with a GribFormatError naming the file, message and section.
 */
export async function* readGribMessages(input: GribInput): AsyncGenerator<GribMessage> {
  const source = await openByteSource(input);
  try {
    const reader = new ReadAhead(source);
    for await (const message of scanMessages(reader)) {
      for (const [fieldIndex, field] of message.fields.entries()) {
        yield new GribMessage(await readFieldMetadata(reader, message, field, fieldIndex), input, field);
      }
    }
  } finally {
    await source.close();
  }
}

/** Every field of the file, metadata read; values still decoded on demand. */
export async function listGribMessages(input: GribInput): Promise<GribMessage[]> {
  const messages: GribMessage[] = [];
  for await (const message of readGribMessages(input)) messages.push(message);
  return messages;
}
