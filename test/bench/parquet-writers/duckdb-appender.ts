/**
 * @duckdb/node-api 1.5.5-r.5 (DuckDB's C++ engine through N-API; the registry has no 1.5.6-r.1
 * bindings for macOS, Windows or Linux arm64, and a lockfile without them fails `npm ci`): an
 * in-memory database, the rows added with the appender (one N-API call per value, the fastest way
 * in that the API has for plain JS values: data chunks filled with setColumns took 6.9-7.5 s where
 * these appends took 5.5-6.1 s), then `COPY ... TO (FORMAT parquet, COMPRESSION zstd)`, which
 * encodes and compresses row groups on all cores, in the rows' order. Timestamps go in as BIGINT µs
 * and become TIMESTAMPTZ in the COPY's SELECT (make_timestamptz): appendTimestampTZ builds a DuckDB
 * value object per call and was over 10× slower per value here (2M timestamps: 3.7 s against 0.3 s
 * as BIGINT). The appender's order below is EVENT_COLUMNS' order; the read-back check catches any
 * slip.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import { EVENT_COLUMNS, type EventRow } from '../../../activities/archive/event-rows';
import { ROW_GROUP_ROWS, type WriterCandidate } from './candidate';
import { sqlString } from './verify';

let duckdb: typeof import('@duckdb/node-api') | undefined;

export const duckdbAppender: WriterCandidate = {
  name: '@duckdb/node-api 1.5.5 appender + COPY',
  codec: 'ZSTD',
  note: 'ZSTD at DuckDB default level (3); 2 threads (all cores)',
  async prepare() {
    duckdb = await import('@duckdb/node-api');
  },
  async write(rows: readonly EventRow[], file: string): Promise<void> {
    if (!duckdb) throw new Error('prepare() first');
    const instance = await duckdb.DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const staged = EVENT_COLUMNS.map((c) => `"${c.name}" ${c.type === 'VARCHAR' ? 'VARCHAR' : 'BIGINT'}${c.nullable ? '' : ' NOT NULL'}`);
      await connection.run(`CREATE TABLE events (${staged.join(', ')})`);
      const appender = await connection.createAppender('events');
      appendRows(appender, rows);
      appender.closeSync();
      const select = EVENT_COLUMNS.map((c) => (c.type === 'TIMESTAMP WITH TIME ZONE' ? `make_timestamptz("${c.name}") AS "${c.name}"` : `"${c.name}"`));
      await connection.run(
        `COPY (SELECT ${select.join(', ')} FROM events) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`,
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  },
};

function appendRows(appender: DuckDBAppender, rows: readonly EventRow[]): void {
  const text = (value: string | null) => (value === null ? appender.appendNull() : appender.appendVarchar(value));
  for (const row of rows) {
    appender.appendBigInt(row.event_id);
    appender.appendVarchar(row.idempotency_key);
    appender.appendVarchar(row.site_id);
    appender.appendVarchar(row.app_id);
    appender.appendVarchar(row.app_name);
    appender.appendVarchar(row.app_version);
    appender.appendVarchar(row.entity_type);
    appender.appendVarchar(row.entity_id);
    text(row.parent_id);
    text(row.business_key);
    text(row.sub_key);
    appender.appendVarchar(row.kind);
    appender.appendBigInt(row.at);
    appender.appendVarchar(row.status);
    appender.appendVarchar(row.metrics);
    appender.appendVarchar(row.metadata);
    appender.appendBigInt(row.received_at);
    appender.endRow();
  }
}
