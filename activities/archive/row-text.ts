import { createHash } from 'node:crypto';
import { quoted, type ArchiveColumn } from './archive-tables';

/**
 * The canonical text of an archived row, which is at once:
 *   - the CSV line the export streams from Postgres to DuckDB (which writes it as Parquet), and
 *   - what the content checksum hashes, computed from Postgres' own rendering of the row on one
 *     side and from the Parquet file as DuckDB reads it back on the other.
 *
 * Columns in file order, separated by ",": NULL is nothing at all; text (JSON included) is always
 * quoted, with '"' doubled, so '' is `""` and stays distinct from NULL; integers in decimal;
 * timestamps as µs since the epoch; dates as days since 1970-01-01.
 *
 * The checksum of a set of rows is the sum of the first 8 bytes of each row text's MD5, read as a
 * signed big-endian 64-bit integer: independent of row order, and cheap to compute in Postgres
 * (the drop step recomputes it under the partition's lock), in DuckDB and in JS.
 */

/** Postgres: the row text of one row of the table the columns belong to. */
export function postgresRowText(columns: readonly ArchiveColumn[]): string {
  return columns
    .map((column) => {
      const name = quoted(column.name);
      switch (column.type) {
        case 'VARCHAR': {
          const text = column.json ? `${name}::text` : name;
          const value = `'"' || replace(${text}, '"', '""') || '"'`;
          return column.nullable ? `CASE WHEN ${name} IS NULL THEN '' ELSE ${value} END` : value;
        }
        case 'BIGINT':
        case 'INTEGER':
          return `coalesce(${name}::text, '')`;
        case 'TIMESTAMP WITH TIME ZONE':
          return `coalesce(${postgresEpochUs(name)}::text, '')`;
        case 'DATE':
          return `coalesce((${name} - date '1970-01-01')::text, '')`;
      }
    })
    .join(` || ',' || `);
}

/** Postgres: µs since the epoch of a timestamptz, exactly (extract answers numeric). */
export const postgresEpochUs = (expression: string) => `(extract(epoch from ${expression}) * 1000000)::bigint`;

/** Postgres: the checksum (as numeric) of the rows `from` names, e.g. a partition. */
export function postgresChecksumSql(columns: readonly ArchiveColumn[], from: string): string {
  return `SELECT count(*)::text AS rows, coalesce(sum(('x' || left(md5(${postgresRowText(columns)}), 16))::bit(64)::bigint), 0)::text AS checksum FROM ${from}`;
}

/** DuckDB: the same row text, from the columns of an archive as read back. */
export function duckdbRowText(columns: readonly ArchiveColumn[]): string {
  return columns
    .map((column) => {
      const name = quoted(column.name);
      switch (column.type) {
        case 'VARCHAR':
          return `CASE WHEN ${name} IS NULL THEN '' ELSE '"' || replace(${name}, '"', '""') || '"' END`;
        case 'BIGINT':
        case 'INTEGER':
          return `coalesce(${name}::VARCHAR, '')`;
        case 'TIMESTAMP WITH TIME ZONE':
          return `coalesce(epoch_us(${name})::VARCHAR, '')`;
        case 'DATE':
          return `coalesce(date_diff('day', DATE '1970-01-01', ${name})::VARCHAR, '')`;
      }
    })
    .join(` || ',' || `);
}

/** DuckDB: the checksum term of one row (sum() it), from the hex MD5 of its duckdbRowText(). */
export function duckdbChecksumTerm(md5Hex: string): string {
  const unsigned = `('0x' || left(${md5Hex}, 16))::UBIGINT::HUGEINT`;
  return `(${unsigned} - CASE WHEN left(${md5Hex}, 1) >= '8' THEN 18446744073709551616::HUGEINT ELSE 0::HUGEINT END)`;
}

/** JS: the checksum term of one row text, as Postgres and DuckDB compute it. */
export function rowChecksum(text: string): bigint {
  return createHash('md5').update(text, 'utf8').digest().readBigInt64BE(0);
}
