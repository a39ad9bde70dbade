import { createMD5, type IHasher } from 'hash-wasm';

/**
 * Counts the export's rows and sums their checksum terms (row-text.ts) from the bytes of their
 * row texts, and notes the longest, which DuckDB's CSV reader is sized to (write-parquet.ts).
 *
 * One MD5 per row is most of the work: WebAssembly MD5 (hash-wasm) costs half of node:crypto's,
 * whose per-call overhead outweighs hashing a 400-byte row. The terms are summed as two Numbers
 * (the high words signed, the low words unsigned), exact for 2^20 rows, then carried into a bigint.
 */
export class RowChecksum {
  rows = 0;
  /** In bytes. */
  longestRow = 0;
  private carried = 0n;
  private highSum = 0;
  private lowSum = 0;

  private constructor(private readonly md5: IHasher) {}

  static async create(): Promise<RowChecksum> {
    return new RowChecksum(await createMD5());
  }

  /** The sum of the rows' checksum terms. */
  get checksum(): bigint {
    return this.carried + BigInt(this.highSum) * 2n ** 32n + BigInt(this.lowSum);
  }

  /** One row text, without its newline. */
  add(row: Uint8Array): void {
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
}

/** A mask: the sums are carried every 2^20 rows, while |highSum| < 2^51 and lowSum < 2^52 stay exact. */
const CARRY_EVERY_ROWS = 2 ** 20 - 1;
