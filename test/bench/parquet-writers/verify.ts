/**
 * Reads a Parquet file back with DuckDB (@duckdb/node-api) and compares it with the source rows:
 * the column names and types DuckDB sees (those of EVENT_COLUMNS), the row count, min and max `at`
 * to the microsecond, and the order-independent content checksum (event-rows-fixture.ts). Also
 * answers the codecs of the file's column chunks and its row group count, from parquet_metadata().
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENT_COLUMNS } from '../../../activities/archive/event-rows';
import { checksumSql, type RowsSummary } from './event-rows-fixture';

/** A SQL string literal. */
export const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

export interface Verification {
  readonly problems: readonly string[];
  readonly codecs: readonly string[];
  readonly rowGroups: number;
}

export async function verifyParquet(connection: DuckDBConnection, file: string, expected: RowsSummary): Promise<Verification> {
  const problems: string[] = [];
  const source = `read_parquet(${sqlString(file)})`;
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS();

  const metadata = await rows(`SELECT list(DISTINCT compression ORDER BY compression) AS codecs, count(DISTINCT row_group_id) AS row_groups FROM parquet_metadata(${sqlString(file)})`);
  const codecs = (metadata[0]?.codecs ?? []) as string[];
  const rowGroups = Number(metadata[0]?.row_groups ?? 0);

  const described = await rows(`DESCRIBE SELECT * FROM ${source}`);
  const names = described.map((row) => String(row.column_name));
  if (names.join() !== EVENT_COLUMNS.map((column) => column.name).join()) problems.push(`columns: ${names.join(', ')}`);
  const types = new Map(described.map((row) => [String(row.column_name), String(row.column_type)]));
  const differ = EVENT_COLUMNS.filter((column) => types.get(column.name) !== column.type);
  if (differ.length > 0) problems.push(`types: ${differ.map((column) => `${column.name} reads as ${types.get(column.name) ?? '(missing)'}, want ${column.type}`).join('; ')}`);

  try {
    const [found] = await rows(`SELECT count(*) AS n, epoch_us(min("at")) AS min_at, epoch_us(max("at")) AS max_at, sum(${checksumSql()}) AS checksum FROM ${source}`);
    if (BigInt(found!.n as bigint) !== BigInt(expected.rows)) problems.push(`${found!.n} rows, want ${expected.rows}`);
    if (found!.min_at !== expected.minAt || found!.max_at !== expected.maxAt) problems.push(`at from ${found!.min_at} to ${found!.max_at} µs, want ${expected.minAt} to ${expected.maxAt}`);
    if (found!.checksum !== expected.checksum) problems.push(`content checksum ${found!.checksum}, want ${expected.checksum}`);
  } catch (err) {
    problems.push(`read-back failed: ${(err as Error).message.split('\n')[0]}`);
  }
  return { problems, codecs, rowGroups };
}
