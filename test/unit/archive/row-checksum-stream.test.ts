import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RowChecksumStream } from '../../../activities/archive/row-checksum-stream';
import { UserError } from '../../../infra/errors/user-error';

/** The checksum as row-text.ts defines it, with node:crypto: the sum of each row's first 8 MD5 bytes as a signed 64-bit integer. */
const checksumOf = (rows: readonly (string | Buffer)[]) => rows.map((row) => createHash('md5').update(row).digest().readBigInt64BE(0)).reduce((a, b) => a + b, 0n);

const run = async (chunks: Buffer[], maxRowBytes = 1024) => {
  const stream = new RowChecksumStream(maxRowBytes);
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), stream, async (passed: AsyncIterable<Buffer>) => {
    for await (const chunk of passed) out.push(chunk);
  });
  return { rows: stream.rows, checksum: stream.checksum, longestRow: stream.longestRow, out: Buffer.concat(out) };
};

/** Cuts `bytes` at random places, into chunks that start at every alignment. */
function randomChunks(bytes: Buffer, maxChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = 1 + Math.floor(Math.random() * maxChunk);
    chunks.push(bytes.subarray(at, at + length));
    at += length;
  }
  return chunks;
}

describe('RowChecksumStream', () => {
  const lines = ['1,"a ""quoted"", comma",,"two\nlines\r\n"', '2,"",,"Zürich 東京"', '3,"x",7,""'];
  const csv = Buffer.from(`${lines.join('\n')}\n`);

  it('finds the same rows and checksum wherever the chunks are cut, and passes the bytes on unchanged', async () => {
    const whole = await run([csv]);
    expect(whole.rows).toBe(3);
    expect(whole.out.equals(csv)).toBe(true);
    expect(whole.checksum).toBe(checksumOf(lines));
    expect(whole.longestRow).toBe(Buffer.byteLength(lines[0]!));
    const bytewise = await run([...csv].map((byte) => Buffer.from([byte])));
    expect({ rows: bytewise.rows, checksum: bytewise.checksum }).toEqual({ rows: whole.rows, checksum: whole.checksum });
  });

  it('agrees with node:crypto on 10,000 random rows of quotes, newlines and commas, cut anywhere', async () => {
    const alphabet = ['"', '""', '\n', ',', 'a', 'é', '東', '\r', ' '];
    const rows = Array.from({ length: 10_000 }, (_, i) => {
      const text = Array.from({ length: Math.floor(Math.random() * 120) }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
      // Quotes inside a value are doubled, as COPY's CSV writes them.
      return `${i},"${text.replaceAll('"', '""')}",${i % 3 === 0 ? '' : '"x"'}`;
    });
    const bytes = Buffer.from(`${rows.join('\n')}\n`);
    for (const maxChunk of [7, 4096, 65_536]) {
      const got = await run(randomChunks(bytes, maxChunk), 4096);
      expect({ rows: got.rows, checksum: got.checksum }).toEqual({ rows: rows.length, checksum: checksumOf(rows) });
      expect(got.out.equals(bytes)).toBe(true);
    }
  });

  it('stays exact past 2^20 rows, where it carries its sums into a bigint', async () => {
    const rows = Array.from({ length: 1_100_000 }, (_, i) => String(i * 7919));
    const got = await run([Buffer.from(`${rows.join('\n')}\n`)]);
    expect({ rows: got.rows, checksum: got.checksum }).toEqual({ rows: rows.length, checksum: checksumOf(rows) });
  });

  it('refuses a row longer than the limit, naming its length, and an export cut off inside a row', async () => {
    await expect(run([csv], 20)).rejects.toThrow(UserError);
    await expect(run([csv], 20)).rejects.toThrow(/A row is 38 bytes as text, more than the 20 archival handles; it starts "1,\\"a/);
    await expect(run([csv.subarray(0, csv.length - 1)])).rejects.toThrow(/the export ended inside a row/);
    // A quote never closed: everything after it is one unfinished row, refused once past the limit.
    await expect(run([Buffer.from(`1,"${'x\n'.repeat(600)}`)], 1024)).rejects.toThrow(/A row is at least \d+ bytes as text/);
  });

  it('handles random binary bytes without losing any (whatever their quotes make of the rows)', async () => {
    const bytes = randomBytes(1 << 20);
    const got = await run(randomChunks(bytes, 10_000), 2 << 20).catch((err: Error) => err);
    // Random bytes may end inside a quoted value: then the stream says so; otherwise every byte passed through.
    if (got instanceof Error) expect(got.message).toMatch(/ended inside a row/);
    else expect(got.out.equals(bytes)).toBe(true);
  });
});
