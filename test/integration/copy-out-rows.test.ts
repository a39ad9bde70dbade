import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { CopyOutRows } from '../../activities/archive/copy-out-rows';
import { useIsolatedTest } from '../harness/isolated-test';

describe('CopyOutRows (real Postgres)', () => {
  const t = useIsolatedTest();

  const copied = async (client: PoolClient, sql: string, maxRowBytes = 64 << 20) => {
    const rows: string[] = [];
    const out: Buffer[] = [];
    const copy = new CopyOutRows(sql, (row) => rows.push(row.toString('utf8')), maxRowBytes);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, next) {
        out.push(Buffer.from(chunk));
        next();
      },
    });
    await pipeline(client.query(copy), sink);
    return { rows, out: Buffer.concat(out).toString('utf8') };
  };

  it("gives Postgres' CSV rows exactly, multi-megabyte ones and notices among them, and leaves the connection usable", async () => {
    const client = await t.pool().connect();
    try {
      await client.query(`CREATE FUNCTION pg_temp.noisy(i int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN IF i % 100 = 0 THEN RAISE NOTICE 'row %', i; END IF; RETURN i; END $$`);
      const select = `SELECT pg_temp.noisy(i) AS i, CASE WHEN i % 7 = 0 THEN NULL WHEN i % 11 = 0 THEN '' ELSE 'a "q", b' || E'\\n' || repeat('東', i % 50) END AS t,
                             CASE WHEN i IN (3, 500) THEN repeat('x', 3000000) END AS big
                        FROM generate_series(1, 2000) AS i`;
      const got = await copied(client, `COPY (${select}) TO STDOUT (FORMAT csv, FORCE_QUOTE (t, big))`);
      // The same rows through an ordinary query, rendered as COPY's CSV renders them.
      const { rows } = await client.query<{ i: number; t: string | null; big: string | null }>(select);
      const csv = (text: string | null) => (text === null ? '' : `"${text.replaceAll('"', '""')}"`);
      const expected = rows.map((row) => `${row.i},${csv(row.t)},${csv(row.big)}`);
      expect(got.rows.length).toBe(2000);
      expect(got.rows).toEqual(expected);
      expect(got.out).toBe(expected.map((row) => `${row}\n`).join(''));
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      client.release();
    }
  });

  it('ends on an error midway with the error Postgres sent, after the rows before it, and the connection still works', async () => {
    const client = await t.pool().connect();
    try {
      const rows: string[] = [];
      const copy = new CopyOutRows('COPY (SELECT 100 / (500 - i) FROM generate_series(1, 1000) AS i) TO STDOUT', (row) => rows.push(row.toString()), 1024);
      await expect(pipeline(client.query(copy), new Writable({ write: (_chunk, _encoding, next) => next() }))).rejects.toThrow(/division by zero/);
      expect(rows.length).toBeLessThan(500);
      expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
      // And the next COPY on it reads whole.
      expect((await copied(client, 'COPY (SELECT i FROM generate_series(1, 3) AS i) TO STDOUT')).rows).toEqual(['1', '2', '3']);
    } finally {
      client.release();
    }
  });

  it('refuses a row over the limit before reading it', async () => {
    const client = await t.pool().connect();
    try {
      await expect(copied(client, `COPY (SELECT repeat('w', 100000)) TO STDOUT`, 50_000)).rejects.toThrow(/A row is 100000 bytes as text, more than the 50000 archival handles; it starts "www/);
    } finally {
      // Cut off midway: the connection is closed, as the export closes it.
      client.release(new Error('COPY cut off'));
    }
  });
});
