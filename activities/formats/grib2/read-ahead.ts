import type { ByteSource } from './byte-source';

/**
 * Serves the many small reads of a header walk (5-byte section headers, 20–80-byte metadata
 * sections) from one larger read, so listing a file costs a read or two per message instead of
 * one per section. 4 KiB holds sections 0 to 6 of a message without a bitmap (about 250 bytes)
 * many times over. Large reads bypass the window.
 */
export class ReadAhead {
  private windowOffset = 0;
  private window: Uint8Array = new Uint8Array(0);

  constructor(
    readonly source: ByteSource,
    private readonly windowSize = 4 * 1024,
  ) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = offset - this.windowOffset;
    if (start >= 0 && start + length <= this.window.length) return this.window.subarray(start, start + length);
    if (length >= this.windowSize) return this.source.read(offset, length);
    const windowLength = Math.min(this.windowSize, this.source.size - offset);
    this.window = await this.source.read(offset, Math.max(length, windowLength));
    this.windowOffset = offset;
    return this.window.subarray(0, length);
  }
}
