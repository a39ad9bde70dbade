import { Transform } from 'node:stream';
import { IngestFileError } from './errors';

/**
 * Counts bytes as they arrive and stops at a ceiling, so a hostile or damaged object (a gzip
 * bomb, a server that ignores Range) cannot fill the disk or the heap.
 */
export class ByteLimit {
  total = 0;

  constructor(
    readonly maxBytes: number,
    private readonly what: string,
    /** Called with the running total after each chunk (activity heartbeats; the SDK throttles them). */
    private readonly onProgress?: (total: number) => void,
  ) {}

  add(bytes: number): void {
    this.total += bytes;
    if (this.total > this.maxBytes) {
      throw new IngestFileError(`${this.what} is larger than the ${this.maxBytes} bytes allowed: it is damaged or not what this source publishes`);
    }
    this.onProgress?.(this.total);
  }

  stream(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        try {
          this.add(chunk.length);
          done(null, chunk);
        } catch (err) {
          done(err as Error);
        }
      },
    });
  }
}
