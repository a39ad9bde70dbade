import { Transform, type TransformCallback } from 'node:stream';
import { createMD5, type IHasher } from 'hash-wasm';
import { UserError } from '../../infra/errors/user-error';
import { QuoteParity } from './quote-parity';

/**
 * Passes the export's CSV through unchanged while counting its rows and summing their checksum
 * terms (row-text.ts), from the bytes themselves: a line of that CSV is a row text.
 *
 * Chunks carry many rows, and a row may span chunks. A row ends at a newline outside quotes: text
 * is always quoted (a '"' inside it doubled, which toggles the state twice), so a newline inside a
 * text value is inside quotes, and numbers, NULLs and separators never hold '"' or a newline. In
 * UTF-8 neither byte occurs inside a multi-byte character. It also notes the longest row, which
 * DuckDB's CSV reader is sized to (write-parquet.ts).
 *
 * One MD5 per row is most of the work: WebAssembly MD5 (hash-wasm) costs half of node:crypto's,
 * whose per-call overhead outweighs hashing a 400-byte row. The terms are summed as two Numbers
 * (the high words signed, the low words unsigned), exact for 2^20 rows, then carried into a bigint.
 */
export class RowChecksumStream extends Transform {
  rows = 0;
  /** In bytes, newline excluded. */
  longestRow = 0;
  private inQuotes = false;
  private md5!: IHasher;
  private readonly quotes = new QuoteParity();
  private carried = 0n;
  private highSum = 0;
  private lowSum = 0;
  /** The start of a row that the previous chunks left open. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxRowBytes: number) {
    super();
  }

  /** The sum of the rows' checksum terms (row-text.ts). */
  get checksum(): bigint {
    return this.carried + BigInt(this.highSum) * 2n ** 32n + BigInt(this.lowSum);
  }

  override _construct(done: (err?: Error | null) => void): void {
    createMD5().then(
      (md5) => {
        this.md5 = md5;
        done();
      },
      (err: Error) => done(err),
    );
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.scan(chunk);
    } catch (err) {
      done(err as Error);
      return;
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    // COPY ends every row with a newline: anything left is a row cut off.
    done(this.pendingBytes > 0 || this.inQuotes ? new Error(`the export ended inside a row (${this.pendingBytes} bytes after the last newline)`) : null);
  }

  private scan(chunk: Buffer): void {
    // Newlines are found natively; between two, only the quotes' parity is kept.
    let start = 0;
    let from = 0;
    let odd = this.inQuotes ? 1 : 0;
    this.quotes.use(chunk);
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, from);
      odd ^= this.quotes.odd(from, newline < 0 ? chunk.length : newline);
      if (newline < 0) break;
      from = newline + 1;
      if (odd === 0) {
        this.addRow(chunk.subarray(start, newline));
        start = from;
      }
    }
    this.inQuotes = odd === 1;
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  private addRow(tail: Buffer): void {
    let row = tail;
    if (this.pendingBytes > 0) {
      row = Buffer.concat([...this.pending, tail]);
      this.pending = [];
      this.pendingBytes = 0;
    }
    if (row.length > this.maxRowBytes) throw rowTooLong(row.length, row, this.maxRowBytes);
    if (row.length > this.longestRow) this.longestRow = row.length;
    this.md5.init();
    this.md5.update(row);
    const digest = this.md5.digest('binary') as Uint8Array;
    this.highSum += (digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!;
    this.lowSum += ((digest[4]! << 24) | (digest[5]! << 16) | (digest[6]! << 8) | digest[7]!) >>> 0;
    this.rows += 1;
    if ((this.rows & CARRY_EVERY_ROWS) === 0) {
      this.carried = this.checksum;
      this.highSum = 0;
      this.lowSum = 0;
    }
  }

  private keep(part: Buffer): void {
    // A copy: the chunk's memory may be reused once it has passed on.
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
    if (this.pendingBytes > this.maxRowBytes) throw rowTooLong(this.pendingBytes, this.pending[0]!, this.maxRowBytes, 'at least ');
  }
}

const NEWLINE = 0x0a;
/** A mask: the sums are carried every 2^20 rows, while |highSum| < 2^51 and lowSum < 2^52 stay exact. */
const CARRY_EVERY_ROWS = 2 ** 20 - 1;

function rowTooLong(bytes: number, start: Buffer, maxRowBytes: number, atLeast = ''): UserError {
  return new UserError(
    `A row is ${atLeast}${bytes} bytes as text, more than the ${maxRowBytes} archival handles; it starts ${JSON.stringify(start.subarray(0, 120).toString('utf8'))}.`,
    'Such a row carries megabytes of metadata; trim it in Postgres (or move it out of the partition) and run archival again.',
  );
}
