import type { DuckDBConnection } from '@duckdb/node-api';
import { quoted, type ArchiveColumn, type ArchiveTable } from './archive-tables';
import { sqlString } from './duckdb-session';

/**
 * The longest row text DuckDB's CSV reader is set up for (its read buffer is twice this, per
 * thread, within memory_limit). The export refuses a longer row with a message naming it.
 */
export const MAX_ROW_TEXT_BYTES = 32 * 1024 * 1024;

/** DuckDB's default row group (60 × 2048 rows). */
export const ROW_GROUP_ROWS = 122_880;

/**
 * Writes the exported CSV (row-text.ts) as Parquet with ZSTD: DuckDB reads the file in parallel
 * with every column's type given (nothing sniffed), turns µs into TIMESTAMPTZ and day numbers
 * into DATE, and streams row groups into the file in the rows' order. Quoted empty text stays ''
 * (allow_quoted_nulls off); an unquoted empty field is NULL. The read-back check catches any slip.
 */
export async function writeParquet(connection: DuckDBConnection, spec: ArchiveTable, csvFile: string, parquetFile: string): Promise<void> {
  const staged = spec.columns.map((column) => `${sqlString(column.name)}: ${sqlString(stagedType(column))}`).join(', ');
  const select = spec.columns.map((column) => `${converted(column)} AS ${quoted(column.name)}`).join(', ');
  await connection.run(
    `COPY (SELECT ${select} FROM read_csv(${sqlString(csvFile)}, columns = {${staged}}, header = false, delim = ',', quote = '"', escape = '"',
                                          allow_quoted_nulls = false, auto_detect = false, max_line_size = ${MAX_ROW_TEXT_BYTES}, buffer_size = ${2 * MAX_ROW_TEXT_BYTES}, strict_mode = true))
       TO ${sqlString(parquetFile)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`,
  );
}

function stagedType(column: ArchiveColumn): string {
  switch (column.type) {
    case 'TIMESTAMP WITH TIME ZONE':
      return 'BIGINT';
    case 'DATE':
      return 'INTEGER';
    default:
      return column.type;
  }
}

function converted(column: ArchiveColumn): string {
  const name = quoted(column.name);
  switch (column.type) {
    case 'TIMESTAMP WITH TIME ZONE':
      return `make_timestamptz(${name})`;
    case 'DATE':
      return `(DATE '1970-01-01' + ${name})`;
    default:
      return name;
  }
}
