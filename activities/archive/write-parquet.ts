import type { DuckDBConnection } from '@duckdb/node-api';
import { quoted, type ArchiveColumn, type ArchiveTable } from './archive-tables';
import { sqlString } from './duckdb-session';

/**
 * The longest row text archival takes (an event body may be 16 MiB, and its quotes double in the
 * row text). The export refuses a longer row with a message naming it.
 */
export const MAX_ROW_TEXT_BYTES = 32 * 1024 * 1024;

/**
 * DuckDB's CSV reader holds a few buffers per thread, each of which must fit the longest line:
 * they are sized to the partition's longest row, not to the longest possible one (which would cost
 * hundreds of MiB for nothing), but never below 1 MiB lines in 2 MiB buffers (smaller ones make
 * the reader crawl: minutes for 1M rows at 64 KiB).
 */
export function csvReaderSizes(longestRowBytes: number): { maxLineSize: number; bufferSize: number } {
  const maxLineSize = Math.max(MIN_LINE_BYTES, longestRowBytes + 1);
  return { maxLineSize, bufferSize: 2 * maxLineSize };
}

const MIN_LINE_BYTES = 1024 * 1024;

/** DuckDB's default row group (60 × 2048 rows). */
export const ROW_GROUP_ROWS = 122_880;

/**
 * Writes the exported CSV (row-text.ts) as Parquet with ZSTD: DuckDB reads the file in parallel
 * with every column's type given (nothing sniffed), turns µs into TIMESTAMPTZ and day numbers
 * into DATE, and streams row groups into the file in the rows' order. Quoted empty text stays ''
 * (allow_quoted_nulls off); an unquoted empty field is NULL. The read-back check catches any slip.
 */
export async function writeParquet(connection: DuckDBConnection, spec: ArchiveTable, csv: { file: string; longestRowBytes: number }, parquetFile: string): Promise<void> {
  const { maxLineSize, bufferSize } = csvReaderSizes(csv.longestRowBytes);
  const staged = spec.columns.map((column) => `${sqlString(column.name)}: ${sqlString(stagedType(column))}`).join(', ');
  const select = spec.columns.map((column) => `${converted(column)} AS ${quoted(column.name)}`).join(', ');
  await connection.run(
    `COPY (SELECT ${select} FROM read_csv(${sqlString(csv.file)}, columns = {${staged}}, header = false, delim = ',', quote = '"', escape = '"',
                                          allow_quoted_nulls = false, auto_detect = false, max_line_size = ${maxLineSize}, buffer_size = ${bufferSize}, strict_mode = true))
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
