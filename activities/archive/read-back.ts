import type { DuckDBConnection } from '@duckdb/node-api';
import { quoted, type ArchiveTable } from './archive-tables';
import type { SourceFigures } from './archive-manifest';
import { sqlString } from './duckdb-session';
import { duckdbChecksumTerm, duckdbRowText } from './row-text';

export interface ReadBack {
  /** Name and DuckDB type of each column, in file order. */
  readonly columns: readonly { name: string; type: string }[];
  readonly figures: SourceFigures;
  /** Distinct codecs of the column chunks. */
  readonly codecs: readonly string[];
}

/** Reads a Parquet file with DuckDB and computes what verification compares: schema, figures, codecs. */
export async function readBack(connection: DuckDBConnection, spec: ArchiveTable, file: string): Promise<ReadBack> {
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS();
  const source = `read_parquet(${sqlString(file)})`;
  const described = await rows(`DESCRIBE SELECT * FROM ${source}`);
  const columns = described.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
  const metadata = await rows(`SELECT list(DISTINCT compression ORDER BY compression) AS codecs FROM parquet_metadata(${sqlString(file)})`);
  const codecs = ((metadata[0]?.codecs ?? []) as unknown[]).map(String);
  const time = quoted(spec.timeColumn);
  const [found] = await rows(
    `SELECT count(*) AS n, epoch_us(min(${time})) AS min_us, epoch_us(max(${time})) AS max_us, coalesce(sum(${duckdbChecksumTerm('m')}), 0) AS checksum
       FROM (SELECT ${time}, md5(${duckdbRowText(spec.columns)}) AS m FROM ${source})`,
  );
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return {
    columns,
    codecs,
    figures: { rows: Number(found!.n), minTimeUs: text(found!.min_us), maxTimeUs: text(found!.max_us), checksum: String(found!.checksum) },
  };
}

/** What is wrong with a read-back's schema and codecs, each named; empty if nothing. */
export function schemaProblems(spec: ArchiveTable, read: ReadBack): string[] {
  const problems: string[] = [];
  const names = read.columns.map((column) => column.name);
  const wanted = spec.columns.map((column) => column.name);
  if (names.join() !== wanted.join()) problems.push(`the file's columns are ${names.join(', ')}; expected ${wanted.join(', ')}`);
  const types = new Map(read.columns.map((column) => [column.name, column.type]));
  const wrong = spec.columns.filter((column) => types.has(column.name) && types.get(column.name) !== column.type);
  if (wrong.length > 0) problems.push(`column types differ: ${wrong.map((column) => `${column.name} reads as ${types.get(column.name)}, expected ${column.type}`).join('; ')}`);
  if (read.codecs.join() !== 'ZSTD') problems.push(`column chunks are compressed with ${read.codecs.join(', ') || 'nothing'}, expected ZSTD`);
  return problems;
}
