import { validateObjectKey } from '../storage/object-key';
import type { PartitionedTable } from '../events/day-partitions';

/** Where a part is stored: {prefix}{site}/{table}/dt=YYYY-MM-DD/part-NNNN.parquet (Hive-style, so DuckDB, Spark and Athena see `dt` as a column). */
export function archiveKey(input: { prefix: string; site: string; table: PartitionedTable; day: string; part: number }): string {
  return validateObjectKey(`${input.prefix}${input.site}/${input.table}/dt=${input.day}/part-${String(input.part).padStart(4, '0')}.parquet`);
}
