import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { ARCHIVE_TABLES } from '../../activities/archive/archive-tables';
import { checkEventBody, EVENT_STATUSES, type EventBody } from '../../activities/events/event-body';
import { eventDigest } from '../../activities/events/event-digest';
import { partitionName, type PartitionedTable } from '../../activities/events/day-partitions';
import { storeEvents, type IncomingEvent } from '../../activities/events/event-store';
import type { ObjectStore } from '../../activities/storage/object-store';
import type { Settings } from '../../infra/config/load-config';
import { seededRandom } from '../harness/seeded-random';
import { testStack } from '../harness/test-stack-info';

/** Shared by the archive tests (not a test file itself). */

const bounds = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') };

/** Text that a careless CSV or checksum would get wrong: quotes, commas, newlines, tabs, backslashes, non-ASCII, and '' beside NULL. */
const AWKWARD = ['', 'plain', 'a "quoted", comma', 'two\nlines\r\n', 'tab\there', 'back\\slash', 'Zürich 東京 Ω', ' (parens) ', 'N', 'V3:abc'];

/** `count` events spread over `days` at µs times, some of them jobs' subjobs, with awkward text. */
export function archiveEvents(count: number, seed: number, keyPrefix: string, days: readonly string[]): IncomingEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const ms = Date.parse(`${pick(days)}T00:00:00Z`) + Math.floor(random() * 86_400_000);
    const at = `${new Date(ms).toISOString().slice(0, 23)}${String(Math.floor(random() * 1000)).padStart(3, '0')}Z`;
    const subjob = random() < 0.4;
    const job = `job-${i % 13}`;
    const businessKey = pick([undefined, '', 'LOT-"9"', 'LOT,7']);
    const body = {
      idempotency_key: `${keyPrefix}-${i}`,
      site_id: 'site-a',
      app: { app_id: pick(['etch', 'litho']), name: pick(AWKWARD), version: '2.1.0' },
      entity: subjob ? { type: 'subjob', id: `s-${i % 29}`, parent_id: job, sub_key: pick(AWKWARD) } : { type: 'job', id: job, ...(businessKey === undefined ? {} : { business_key: businessKey }) },
      event: {
        kind: pick(['started', 'progress', 'finished']),
        at,
        status: pick(EVENT_STATUSES),
        metrics: random() < 0.5 ? { duration_s: Math.round(random() * 1000) / 10 } : {},
        metadata: { note: pick(AWKWARD), host: `edge-${i % 5}` },
      },
    };
    const checked = checkEventBody(body, bounds);
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    return { event: checked.event as EventBody, digest: eventDigest(checked.event) };
  });
}

export async function storeArchiveEvents(pool: Pool, count: number, seed: number, keyPrefix: string, days: readonly string[]): Promise<void> {
  await storeEvents(pool, archiveEvents(count, seed, keyPrefix, days), { conflicts: 'reject-all' });
}

/**
 * A partition's rows as text, timestamps as UTC text to the µs, dates as YYYY-MM-DD: what its
 * archive must read back as. Formatted here by Postgres and in readArchive by DuckDB, each on its
 * own, not with the archiver's conversion (postgresEpochUs), which a wrong unit would pass on to
 * both sides unnoticed.
 */
export async function sourceRows(pool: Pool, table: PartitionedTable, day: string): Promise<string[][]> {
  const spec = ARCHIVE_TABLES[table];
  const select = spec.columns.map((c) =>
    c.type === 'TIMESTAMP WITH TIME ZONE'
      ? `to_char("${c.name}" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`
      : c.type === 'DATE'
        ? `to_char("${c.name}", 'YYYY-MM-DD')`
        : `"${c.name}"::text`,
  );
  const { rows } = await pool.query<string[]>({ text: `SELECT ${select.join(', ')} FROM ${partitionName(table, day)}`, rowMode: 'array' });
  return sortRows(rows);
}

export function sortRows(rows: (string | null)[][]): string[][] {
  return (rows as string[][]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Reads an object of the store with DuckDB: rows in the same text form as sourceRows, and the column chunks' codecs. */
export async function readArchive(store: ObjectStore, key: string, table: PartitionedTable): Promise<{ rows: string[][]; codecs: string[]; types: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-test-'));
  const file = path.join(dir, 'part.parquet');
  try {
    await store.getToFile(key, file);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run("SET TimeZone = 'UTC'");
      const spec = ARCHIVE_TABLES[table];
      const select = spec.columns.map((c) =>
        c.type === 'TIMESTAMP WITH TIME ZONE'
          ? `strftime("${c.name}", '%Y-%m-%dT%H:%M:%S.%f')`
          : c.type === 'DATE'
            ? `strftime("${c.name}", '%Y-%m-%d')`
            : `"${c.name}"::VARCHAR`,
      );
      const rows = (await connection.runAndReadAll(`SELECT ${select.join(', ')} FROM read_parquet('${file}')`)).getRowsJS() as (string | null)[][];
      const codecs = (await connection.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`)).getRowsJS().map((row) => String(row[0]));
      const types = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS().map((row) => `${row.column_name} ${row.column_type}`);
      return { rows: sortRows(rows), codecs, types };
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Config for a test: this site's events, archive prefix, and S3 (the harness's versitygw) under a prefix of its own. */
export function archiveConfig(name: string): Record<string, unknown> {
  const stack = testStack();
  return {
    storage: {
      kind: 's3',
      s3: { endpoint: stack.s3.endpoint, bucket: stack.s3.bucket, region: stack.s3.region, accessKeyId: stack.s3.accessKey, secretAccessKey: stack.s3.secretKey, prefix: `${name}-${Date.now()}/` },
    },
    events: { site: 'site-a', archive: { hotWindow: '72h', prefix: 'archive/' } },
  };
}

export async function partitionExists(pool: Pool, table: PartitionedTable, day: string): Promise<boolean> {
  const { rows } = await pool.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [partitionName(table, day)]);
  return rows[0]!.exists;
}

export type { Settings };
