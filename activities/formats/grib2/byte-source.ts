import { open, type FileHandle } from 'node:fs/promises';
import { GribFormatError } from './errors';

/**
 * Random access to the bytes of a GRIB file, so the reader can walk section headers and fetch a
 * message's data only when it is decoded: a 2 GB file is never loaded whole.
 */
export interface ByteSource {
  /** The file path, or "<buffer>" for in-memory input; used in error messages. */
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes at `offset`; callers keep within `size`. */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Bytes that can be read at any offset without having them all, e.g. an object store read with
 * ranged GETs. `open` is called for the listing and again for each decode.
 */
export interface RandomAccessInput {
  open(): Promise<ByteSource>;
}

/** A file path, the file's bytes already in memory, or any other random-access source. */
export type GribInput = string | Uint8Array | RandomAccessInput;

/** Opens a source; each call gives an independent handle, so decoding can outlive a scan. */
export async function openByteSource(input: GribInput): Promise<ByteSource> {
  if (typeof input === 'string') return FileByteSource.open(input);
  if (input instanceof Uint8Array) return new MemoryByteSource(input);
  return input.open();
}

/**
 * Bytes in memory under a name, so errors name where they came from (an object and byte range,
 * "s3://noaa-gfs-bdp-pds/gfs…f006 bytes 1200-9800") instead of "<buffer>".
 */
export function namedBytes(bytes: Uint8Array, name: string): RandomAccessInput {
  return { open: async () => new MemoryByteSource(bytes, name) };
}

class MemoryByteSource implements ByteSource {
  readonly size: number;

  constructor(
    private readonly bytes: Uint8Array,
    readonly name = '<buffer>',
  ) {
    this.size = bytes.length;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || offset + length > this.size) throw outOfRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }

  async close(): Promise<void> {}
}

class FileByteSource implements ByteSource {
  private constructor(
    readonly name: string,
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<FileByteSource> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new FileByteSource(path, handle, size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || offset + length > this.size) throw outOfRange(this, offset, length);
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, offset + filled);
      // The size was taken when the file was opened; a short read means it shrank since.
      if (bytesRead === 0) throw outOfRange(this, offset, length);
      filled += bytesRead;
    }
    return buffer;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

function outOfRange(source: ByteSource, offset: number, length: number): GribFormatError {
  return new GribFormatError(
    { file: source.name, offset },
    `cannot read ${length} bytes at byte ${offset}: the file has ${source.size} bytes (did it change while being read?)`,
  );
}
