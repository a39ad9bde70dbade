import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Connection } from 'pg';
import { CopyOutRows } from '../../../activities/archive/copy-out-rows';
import { UserError } from '../../../infra/errors/user-error';

/**
 * The COPY protocol as the server sends it, cut into chunks of every size, through a socket
 * stand-in; test/integration/archive-export.test.ts runs the same reader against Postgres.
 */

const message = (code: string, body: Buffer | string = Buffer.alloc(0)) => {
  const bytes = Buffer.from(body);
  const header = Buffer.alloc(5);
  header.write(code, 0, 'latin1');
  header.writeUInt32BE(bytes.length + 4, 1);
  return Buffer.concat([header, bytes]);
};

const ROWS = ['1,"a ""quoted"", comma",,"two\nlines\r\n"', '', '2,"Zürich 東京",7', `3,"${'x'.repeat(70_000)}"`];
const COPY_OUT_RESPONSE = message('H', Buffer.from([0, 0, 1, 0, 0]));
const AFTER_COPY = Buffer.concat([message('C', 'COPY 4\0'), message('Z', 'I')]);
const protocol = (rows = ROWS) =>
  Buffer.concat([COPY_OUT_RESPONSE, message('N', 'SNOTICE\0Mhello\0\0'), ...rows.map((row) => message('d', `${row}\n`)), message('S', 'TimeZone\0UTC\0'), message('c'), AFTER_COPY]);

/** A socket stand-in with pg's one data listener on it, which records what is handed back. */
function fakeConnection() {
  const socket = new PassThrough();
  const handedBack: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => handedBack.push(chunk));
  const sent: string[] = [];
  const connection = { stream: socket, query: (sql: string) => sent.push(sql) } as unknown as Connection;
  return { socket, connection, sent, handedBack: () => Buffer.concat(handedBack) };
}

/** Writes the bytes in chunks of `size`, each read before the next is written, so each is a chunk of its own. */
async function feed(socket: PassThrough, bytes: Buffer, size: number): Promise<void> {
  for (let at = 0; at < bytes.length; at += size) {
    socket.write(bytes.subarray(at, at + size));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function readAll(bytes: Buffer, chunkSize: number, maxRowBytes = 1 << 20, consumer?: Writable) {
  const fake = fakeConnection();
  const rows: string[] = [];
  const copy = new CopyOutRows('COPY t TO STDOUT', (row) => rows.push(row.toString('utf8')), maxRowBytes);
  copy.submit(fake.connection);
  const out: Buffer[] = [];
  const done = pipeline(
    copy,
    consumer ??
      new Writable({
        write(chunk: Buffer, _encoding, next) {
          out.push(Buffer.from(chunk));
          next();
        },
      }),
  );
  await Promise.all([feed(fake.socket, bytes, chunkSize), done]);
  return { rows, out: Buffer.concat(out), sent: fake.sent, handedBack: fake.handedBack() };
}

describe('CopyOutRows', () => {
  it('finds each row from the message lengths, however the chunks cut them, and hands the rest back to pg', async () => {
    const expected = Buffer.from(ROWS.map((row) => `${row}\n`).join(''));
    for (const size of [1, 2, 3, 5, 7, 4096, 65_536, 1 << 20]) {
      const got = await readAll(protocol(), size);
      expect({ size, rows: got.rows, sent: got.sent }).toEqual({ size, rows: ROWS, sent: ['COPY t TO STDOUT'] });
      expect(got.out.equals(expected)).toBe(true);
      expect(got.handedBack.equals(AFTER_COPY)).toBe(true);
    }
  });

  it('ends with no rows and no output for an empty COPY', async () => {
    const got = await readAll(Buffer.concat([COPY_OUT_RESPONSE, message('c'), AFTER_COPY]), 3);
    expect({ rows: got.rows, bytes: got.out.length, handedBack: got.handedBack.equals(AFTER_COPY) }).toEqual({ rows: [], bytes: 0, handedBack: true });
  });

  it('keeps every byte in order for a consumer slower than the socket', async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `${i},"${'y'.repeat(i % 300)}"`);
    const out: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, next) {
        out.push(Buffer.from(chunk));
        setTimeout(next, 0);
      },
    });
    const got = await readAll(protocol(rows), 65_536, 1 << 20, slow);
    expect(got.rows).toEqual(rows);
    expect(Buffer.concat(out).toString('utf8')).toBe(rows.map((row) => `${row}\n`).join(''));
  });

  it("hands an ErrorResponse to pg, which reports it to the query, after the rows before it", async () => {
    const fake = fakeConnection();
    const rows: string[] = [];
    const copy = new CopyOutRows('COPY t TO STDOUT', (row) => rows.push(row.toString()), 1024);
    copy.submit(fake.connection);
    const error = message('E', 'SERROR\0C22012\0Mdivision by zero\0\0');
    const done = pipeline(copy, new Writable({ write: (_chunk, _encoding, next) => next() }));
    await feed(fake.socket, Buffer.concat([COPY_OUT_RESPONSE, message('d', 'a\n'), message('d', 'b\n'), error, message('Z', 'I')]), 4);
    expect(rows).toEqual(['a', 'b']);
    expect(fake.handedBack().subarray(0, error.length).equals(error)).toBe(true);
    // What pg's client does on that ErrorResponse.
    copy.handleError(new Error('division by zero'));
    await expect(done).rejects.toThrow('division by zero');
  });

  it('refuses a row longer than the limit from its length alone, naming it and how it starts', async () => {
    const long = `9,"${'z'.repeat(5_000)}"`;
    const attempt = readAll(protocol([long]), 1 << 20, 1024);
    await expect(attempt).rejects.toThrow(UserError);
    await expect(readAll(protocol([long]), 1 << 20, 1024)).rejects.toThrow(/A row is 5004 bytes as text, more than the 1024 archival handles; it starts "9,\\"zzz/);
  });

  it('refuses a message that is not a row of text or CSV (binary COPY)', async () => {
    const binary = Buffer.concat([COPY_OUT_RESPONSE, message('d', Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')), message('d', Buffer.from([0, 1, 0, 0, 0, 1, 42])), message('c'), AFTER_COPY]);
    await expect(readAll(binary, 1 << 20)).rejects.toThrow(/a COPY row did not end with a newline/);
  });
});
