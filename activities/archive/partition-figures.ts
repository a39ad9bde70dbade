import type { PoolClient } from 'pg';
import type { ArchiveTable } from './archive-tables';
import { quoted } from './archive-tables';
import type { SourceFigures } from './archive-manifest';
import { postgresChecksumSql, postgresEpochUs } from './row-text';

/**
 * The figures of a partition as it is now, computed by Postgres alone (the drop step's re-check,
 * under the partition's lock): row count, time range in µs and the content checksum.
 */
export async function partitionFigures(client: PoolClient, spec: ArchiveTable, partition: string): Promise<SourceFigures> {
  const time = quoted(spec.timeColumn);
  const range = await timeRange(client, time, partition);
  const { rows } = await client.query<{ rows: string; checksum: string }>(postgresChecksumSql(spec.columns, partition));
  return { rows: Number(rows[0]!.rows), ...range, checksum: rows[0]!.checksum };
}

/** min/max of the time column in µs: with its index, two index probes. */
export async function timeRange(client: PoolClient, timeColumn: string, partition: string): Promise<{ minTimeUs: string | null; maxTimeUs: string | null }> {
  const { rows } = await client.query<{ min_us: string | null; max_us: string | null }>(
    `SELECT ${postgresEpochUs(`min(${timeColumn})`)}::text AS min_us, ${postgresEpochUs(`max(${timeColumn})`)}::text AS max_us FROM ${partition}`,
  );
  return { minTimeUs: rows[0]!.min_us, maxTimeUs: rows[0]!.max_us };
}

/** The differences between two sets of figures, each named, or none. */
export function figureDifferences(found: SourceFigures, expected: SourceFigures, what: { found: string; expected: string }): string[] {
  const differences: string[] = [];
  if (found.rows !== expected.rows) differences.push(`${what.found} has ${found.rows} rows, ${what.expected} ${expected.rows}`);
  if (found.minTimeUs !== expected.minTimeUs || found.maxTimeUs !== expected.maxTimeUs) {
    differences.push(`${what.found} spans ${showRange(found)}, ${what.expected} ${showRange(expected)}`);
  }
  if (found.checksum !== expected.checksum) differences.push(`${what.found} has content checksum ${found.checksum}, ${what.expected} ${expected.checksum}`);
  return differences;
}

function showRange(figures: SourceFigures): string {
  if (figures.minTimeUs === null || figures.maxTimeUs === null) return '(no rows)';
  return `${usToIso(figures.minTimeUs)} … ${usToIso(figures.maxTimeUs)}`;
}

/** An ISO time to the microsecond. */
export function usToIso(us: string): string {
  const value = BigInt(us);
  const ms = value / 1000n - (value % 1000n < 0n ? 1n : 0n);
  const micros = Number(value - ms * 1000n);
  return new Date(Number(ms)).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
}
