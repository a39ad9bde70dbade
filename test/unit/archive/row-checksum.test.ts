import { createHash } from 'node:crypto';
import { RowChecksum } from '../../../activities/archive/row-checksum';

/** The checksum as row-text.ts defines it, with node:crypto: the sum of each row's first 8 MD5 bytes as a signed 64-bit integer. */
const checksumOf = (rows: readonly (string | Buffer)[]) => rows.map((row) => createHash('md5').update(row).digest().readBigInt64BE(0)).reduce((a, b) => a + b, 0n);

const summed = async (rows: readonly (string | Buffer)[]) => {
  const checksum = await RowChecksum.create();
  for (const row of rows) checksum.add(typeof row === 'string' ? Buffer.from(row) : row);
  return checksum;
};

describe('RowChecksum', () => {
  it('agrees with node:crypto on rows of every byte, empty ones included, and notes the longest', async () => {
    const rows = [Buffer.alloc(0), Buffer.from('1,"a ""quoted"", comma",,"two\nlines"'), Buffer.from('Zürich 東京'), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.alloc(70_000, 0xff)];
    const got = await summed(rows);
    expect({ rows: got.rows, checksum: got.checksum, longestRow: got.longestRow }).toEqual({ rows: 5, checksum: checksumOf(rows), longestRow: 70_000 });
  });

  it('is independent of row order', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `row ${i * 7919}`);
    expect((await summed(rows)).checksum).toBe((await summed([...rows].reverse())).checksum);
  });

  it('stays exact past 2^20 rows, where it carries its sums into a bigint', async () => {
    const rows = Array.from({ length: 1_100_000 }, (_, i) => String(i * 7919));
    const got = await summed(rows);
    expect({ rows: got.rows, checksum: got.checksum }).toEqual({ rows: rows.length, checksum: checksumOf(rows) });
  });
});
