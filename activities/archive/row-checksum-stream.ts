import { hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { UserError } from '../../infra/errors/user-error';

/**
 * Passes the export's CSV through unchanged while counting its rows and summing their checksum
 * terms (row-text.ts), from the bytes themselves: a line of that CSV is a row text.
 *
 * Chunks carry many rows, and a row may span chunks. A row ends at a newline outside quotes: text
 * is always quoted (a '"' inside it doubled, which toggles the state twice), so a newline inside a
 * text value is inside quotes, and numbers, NULLs and separators never hold '"' or a newline. In
 * UTF-8 neither byte occurs inside a multi-byte character. It also notes the longest row, which
 * DuckDB's CSV reader is sized to (write-parquet.ts).
 */
export class RowChecksumStream extends Transform {
  rows = 0;
  checksum = 0n;
  /** In bytes, newline excluded. */
  longestRow = 0;
  private inQuotes = false;
  /** The start of a row that the previous chunks left open. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxRowBytes: number) {
    super();
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
    // Newlines are found natively; between two, only the quotes' parity is kept (3× faster than one branchy loop).
    let start = 0;
    let from = 0;
    let odd = this.inQuotes ? 1 : 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, from);
      const end = newline < 0 ? chunk.length : newline;
      for (let at = from; at < end; at++) if (chunk[at] === QUOTE) odd ^= 1;
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
    this.checksum += hash('md5', row, 'buffer').readBigInt64BE(0);
    this.rows += 1;
  }

  private keep(part: Buffer): void {
    // A copy: the chunk's memory may be reused once it has passed on.
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
    if (this.pendingBytes > this.maxRowBytes) throw rowTooLong(this.pendingBytes, this.pending[0]!, this.maxRowBytes, 'at least ');
  }
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;

function rowTooLong(bytes: number, start: Buffer, maxRowBytes: number, atLeast = ''): UserError {
  return new UserError(
    `A row is ${atLeast}${bytes} bytes as text, more than the ${maxRowBytes} archival handles; it starts ${JSON.stringify(start.subarray(0, 120).toString('utf8'))}.`,
    'Such a row carries megabytes of metadata; trim it in Postgres (or move it out of the partition) and run archival again.',
  );
}
