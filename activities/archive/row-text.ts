import { quoted, type ArchiveColumn } from './archive-tables';
import { sqlString } from './duckdb-session';

/**
 * The canonical text of an archived row, which is at once:
 *   - the CSV line the export streams from Postgres to DuckDB (which writes it as Parquet): Postgres'
 *     own COPY renders it (postgresCsvCopySql), and
 *   - what the content checksum hashes, computed from that rendering of the rows on one side (and by
 *     Postgres alone when the drop step has to recompute it) and from the Parquet file as DuckDB
 *     reads it back on the other.
 *
 * Columns in file order, separated by ",": NULL is nothing at all; text (JSON included) is always
 * quoted, with '"' doubled, so '' is `""` and stays distinct from NULL; integers in decimal;
 * timestamps as µs since the epoch; dates as days since 1970-01-01.
 *
 * The checksum of a set of rows is the sum of the first 8 bytes of each row text's MD5, read as a
 * signed big-endian 64-bit integer: independent of row order, and cheap to compute in Postgres
 * (the drop step may recompute it under the partition's lock), in DuckDB and in JS
 * (row-checksum.ts, over the bytes of the export's CSV lines).
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

/**
 * Postgres: a COPY of the rows `from` names, in `orderBy` order, whose CSV lines are exactly their
 * postgresRowText(): the same values (a timestamp as its µs, a date as its day number, JSON as its
 * stored text), every text value quoted with '"' doubled (FORCE_QUOTE), NULL as nothing at all
 * (CSV's NULL is the unquoted empty string, and is never quoted), "," between values and a
 * newline after each row. COPY renders rows much faster than a query sends them.
 */
export function postgresCsvCopySql(columns: readonly ArchiveColumn[], from: string, orderBy: readonly string[]): string {
  const values = columns.map((column) => {
    const name = quoted(column.name);
    switch (column.type) {
      case 'VARCHAR':
        return column.json ? `${name}::text AS ${name}` : name;
      case 'BIGINT':
      case 'INTEGER':
        return name;
      case 'TIMESTAMP WITH TIME ZONE':
        return `${postgresEpochUs(name)} AS ${name}`;
      case 'DATE':
        return `(${name} - date '1970-01-01') AS ${name}`;
    }
  });
  const texts = columns.filter((column) => column.type === 'VARCHAR').map((column) => quoted(column.name));
  return `COPY (SELECT ${values.join(', ')} FROM ${from} ORDER BY ${orderBy.map(quoted).join(', ')}) TO STDOUT (FORMAT csv, FORCE_QUOTE (${texts.join(', ')}))`;
}

/** Postgres: µs since the epoch of a timestamptz, exactly (extract answers numeric). */
export const postgresEpochUs = (expression: string) => `(extract(epoch from ${expression}) * 1000000)::bigint`;

/** Postgres: the checksum (as numeric) of the rows `from` names, e.g. a partition. */
export function postgresChecksumSql(columns: readonly ArchiveColumn[], from: string): string {
  return `SELECT count(*)::text AS rows, coalesce(sum(('x' || left(md5(${postgresRowText(columns)}), 16))::bit(64)::bigint), 0)::text AS checksum FROM ${from}`;
}

/**
 * DuckDB: the same row text, from the columns of an archive as read back. One concat() of all the
 * pieces, which skips NULLs (so a NULL is nothing at all), builds each row's text once: a chain of
 * `||` built 32 intermediate strings per row and made the read-back half again as slow.
 *   - The quotes around a NOT NULL value are constant pieces too, merged with the "," between
 *     them (`'","'`), rather than a `'"' || value || '"'` that builds two strings on the way: the
 *     row text and MD5 of 1M event rows (11 of whose 14 text columns are NOT NULL) took 1,280
 *     instead of 1,452 ms (median of 5, alternating). A nullable value keeps its quotes in a `||`
 *     of its own, which is NULL (nothing) when the value is.
 *   - replace() copies its input even when it finds nothing, so values without a '"' (most of
 *     them) skip it: 1,464 instead of 1,672 ms (median of 6, alternating).
 */
export function duckdbRowText(columns: readonly ArchiveColumn[]): string {
  const pieces: DuckdbPiece[] = [];
  columns.forEach((column, index) => {
    if (index > 0) pieces.push({ text: ',' });
    const name = quoted(column.name);
    switch (column.type) {
      case 'VARCHAR': {
        const escaped = `CASE WHEN contains(${name}, '"') THEN replace(${name}, '"', '""') ELSE ${name} END`;
        if (column.nullable) pieces.push({ sql: `'"' || ${escaped} || '"'` });
        else pieces.push({ text: '"' }, { sql: escaped }, { text: '"' });
        break;
      }
      case 'BIGINT':
      case 'INTEGER':
        pieces.push({ sql: `${name}::VARCHAR` });
        break;
      case 'TIMESTAMP WITH TIME ZONE':
        pieces.push({ sql: `epoch_us(${name})::VARCHAR` });
        break;
      case 'DATE':
        pieces.push({ sql: `date_diff('day', DATE '1970-01-01', ${name})::VARCHAR` });
        break;
    }
  });
  return `concat(${mergeConstantPieces(pieces).join(', ')})`;
}

/** Constant text, or a SQL expression. */
type DuckdbPiece = { readonly text: string } | { readonly sql: string };

/** The pieces as SQL, each run of constant ones as one string literal. */
function mergeConstantPieces(pieces: readonly DuckdbPiece[]): string[] {
  const merged: string[] = [];
  let constant = '';
  const endConstant = () => {
    if (constant !== '') merged.push(sqlString(constant));
    constant = '';
  };
  for (const piece of pieces) {
    if ('text' in piece) constant += piece.text;
    else {
      endConstant();
      merged.push(piece.sql);
    }
  }
  endConstant();
  return merged;
}

/** DuckDB: the checksum term of one row (sum() it), from the hex MD5 of its duckdbRowText(). */
export function duckdbChecksumTerm(md5Hex: string): string {
  const unsigned = `('0x' || left(${md5Hex}, 16))::UBIGINT::HUGEINT`;
  return `(${unsigned} - CASE WHEN left(${md5Hex}, 1) >= '8' THEN 18446744073709551616::HUGEINT ELSE 0::HUGEINT END)`;
}

